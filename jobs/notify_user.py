"""Send one text from the texts module to a user, in their language."""
from lib.models.database import run_transaction
from lib.models import User
from lib.runtime import current
from lib.telegram.bot import get_bot
from lib.telegram.ui import one_button
from lib.texts import t


def _language(user_id):
    user = User.get(id=user_id)
    return user.language if user else None


def run(user_id: int, key: str, params: dict, button: list | None = None) -> str:
    """Send text `key`; `button` is [label key, callback data] for one inline button under it."""
    rt = current()
    if not rt.settings.telegram_enabled:
        return "telegram off"
    language = run_transaction(_language, user_id)
    if language is None:
        return "unknown user"
    markup = one_button(language, *button) if button else None
    get_bot(rt.settings).send_message(user_id, t(language, key, **params), reply_markup=markup)
    return "sent"
