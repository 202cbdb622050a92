"""Alert every admin (ADMIN_IDS) with one text from the texts module, in their language."""
import logging

from telebot.apihelper import ApiTelegramException

from lib.accounts.actions import languages
from lib.runtime import current
from lib.telegram.bot import get_bot
from lib.texts import t

log = logging.getLogger(__name__)


def run(key: str, params: dict) -> int:
    rt = current()
    if not rt.settings.telegram_enabled or not rt.settings.admin_ids:
        return 0
    bot, sent = get_bot(rt.settings), 0
    for admin_id, lang in languages(sorted(rt.settings.admin_ids)).items():
        try:
            bot.send_message(admin_id, t(lang, key, **params))
            sent += 1
        except ApiTelegramException as exc:  # an admin who never started the bot must not block the others
            log.warning("admin %s could not be alerted: %s", admin_id, exc.description)
    return sent
