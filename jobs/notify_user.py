"""Send one text from the texts module to a user, in their language."""
from lib.accounts.actions import language
from lib.runtime import current
from lib.telegram.bot import get_bot
from lib.telegram.passwords import SECRET_TEXTS, hide_later
from lib.telegram.ui import notice_button
from lib.texts import t


def run(user_id: int, key: str, params: dict, button: list | None = None) -> str:
    """Send text `key`; `button` is ["renew", "vpn"|"vps", id] for a Renew button under it."""
    rt = current()
    if not rt.settings.telegram_enabled:
        return "telegram off"
    lang = language(user_id)
    if lang is None:
        return "unknown user"
    message = get_bot(rt.settings).send_message(user_id, t(lang, key, **params),
                                                 reply_markup=notice_button(lang, button))
    if key in SECRET_TEXTS:  # e.g. a reinstalled server's new password
        hide_later(rt, user_id, message.message_id, lang)
    return "sent"
