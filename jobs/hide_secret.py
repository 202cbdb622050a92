"""Hide a message that showed a VPS password, PASSWORD_VISIBLE_SECONDS after it was sent (lib.telegram.passwords)."""
from lib.runtime import current
from lib.telegram.bot import get_bot
from lib.telegram.passwords import hide


def run(chat_id: int, message_id: int, language: str, hide_at: float | None = None) -> str:
    """Edit the message to "password hidden"; a message already gone or hidden ends the job quietly."""
    rt = current()
    if not rt.settings.telegram_enabled:
        return "telegram off"
    return hide(get_bot(rt.settings), rt, chat_id, message_id, language, hide_at)
