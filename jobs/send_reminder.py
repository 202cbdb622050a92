"""Send the due expiry reminder of one subscription, with a one-tap renew button, at most once."""
from lib.accounts.actions import language
from lib.lifecycle.reminders import claim_reminder
from lib.models.database import run_transaction
from lib.runtime import current
from lib.telegram.bot import get_bot
from lib.telegram.ui import notice_button
from lib.texts import t
from lib.texts.formats import when


def run(kind: str, target_id: int) -> str:
    rt = current()
    reminder = run_transaction(claim_reminder, kind, target_id, rt.settings.reminder_offsets)
    if reminder is None:
        return "not due"
    if not rt.settings.telegram_enabled:
        return "claimed (telegram off)"
    lang = language(reminder["user_id"])
    days = max(1, round(reminder["offset"].total_seconds() / 86400))
    text = t(lang, f"{kind}_reminder", id=reminder["id"], expires=when(reminder["expires_at"]), days=days)
    get_bot(rt.settings).send_message(reminder["user_id"], text,
                                      reply_markup=notice_button(lang, ["renew", kind, target_id]))
    return "sent"
