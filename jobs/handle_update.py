"""Handle one Telegram update (queued by telegram_webhook or the local long poller)."""
import logging

from telebot.types import Update

from lib import clock
from lib.db import run_transaction
from lib.models import ProcessedUpdate
from lib.runtime import current
from lib.telegram.bot import get_bot

log = logging.getLogger(__name__)


def _first_delivery(key: str) -> bool:
    if ProcessedUpdate.get(source="telegram", key=key):
        return False
    ProcessedUpdate(source="telegram", key=key, seen_at=clock.now())
    return True


def run(update: dict) -> str:
    """Process the update once, even when Telegram or Redis delivered it twice."""
    rt = current()
    if not run_transaction(_first_delivery, str(update.get("update_id"))):
        return "duplicate"
    bot = get_bot(rt.settings)
    bot.process_new_updates([Update.de_json(update)])
    return "handled"
