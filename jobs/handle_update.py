"""Handle one Telegram update (queued by telegram_webhook or the local long poller).

Before any handler: the update's shape (a malformed or unknown one is logged and dropped, never a
failed job), the chat (outside a private chat the bot only says it works in private chats), the per-user limit (lib.telegram.throttle; admins are exempt) and the ban. A flooding
user's extra updates cost one Redis call and no database work; a banned user hears "blocked" at
most once per window and nothing else.
"""
import logging

from lib import clock
from lib.accounts.language import language_for
from lib.models import ProcessedUpdate, User
from lib.models.database import run_transaction
from lib.runtime import current
from lib.telegram import private_only, shape, throttle
from lib.telegram.bot import get_bot
from lib.telegram.dispatch import process_update
from lib.texts import t

log = logging.getLogger(__name__)


def _first_delivery(key: str, user_id) -> tuple:
    """(first time this update is seen, sender banned, sender's language or None)."""
    user = User.get(id=user_id) if isinstance(user_id, int) else None
    standing = (bool(user and user.banned), user.language if user else None)
    if ProcessedUpdate.get(source="telegram", key=key):
        return (False, *standing)
    ProcessedUpdate(source="telegram", key=key, seen_at=clock.now())
    return (True, *standing)


def _language(stored, telegram_code) -> str:
    return stored or language_for(telegram_code)


def _tell(rt, chat, language: str, key: str) -> None:
    try:
        get_bot(rt.settings).send_message(chat, t(language, key))
    except Exception as exc:  # the user blocked the bot, or Telegram is down: nothing else to do
        log.warning("could not send %s to chat %s (%s)", key, chat, type(exc).__name__)


def run(update: dict) -> str:
    """Process the update once, even when Telegram or Redis delivered it twice."""
    rt = current()
    try:
        kind, parsed = shape.parse(update)
    except shape.NotHandled as reason:
        update_id = update.get("update_id") if isinstance(update, dict) else None
        log.warning("dropped Telegram update %s (%s): %s", update_id if isinstance(update_id, int) else "?",
                    shape.kind_name(update), reason)
        return "dropped"
    if private_only.outside_private(kind, parsed):
        return private_only.refuse(rt, kind, parsed)
    sender = throttle.sender_of(update)
    verdict = throttle.HANDLE
    if sender and sender[0] not in rt.settings.admin_ids:
        verdict = throttle.count_update(rt.redis, sender[0], rt.settings.rate_limit_per_minute)
        if verdict == throttle.DROP:
            return "throttled"
    first, banned, language = run_transaction(_first_delivery, str(update.get("update_id")),
                                              sender[0] if sender else None)
    if not first:
        return "duplicate"
    if banned:
        if throttle.first_ban_notice(rt.redis, sender[0]):
            _tell(rt, sender[1], _language(language, sender[2]), "banned")
        return "banned"
    if verdict == throttle.WARN:
        _tell(rt, sender[1], _language(language, sender[2]), "rate_limited")
        return "throttled"
    process_update(rt, parsed)
    return "handled"
