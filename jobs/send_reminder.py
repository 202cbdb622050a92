"""Send the due expiry reminder of one subscription, with a one-tap renew button, at most once."""
from lib.models.database import run_transaction
from lib.lifecycle.reminders import claim_reminder
from lib.models import User
from lib.runtime import current
from lib.telegram.bot import get_bot
from lib.telegram.screens import when
from lib.telegram.ui import one_button
from lib.texts import t


def run(kind: str, target_id: int) -> str:
    rt = current()
    reminder = run_transaction(claim_reminder, kind, target_id, rt.settings.reminder_offsets)
    if reminder is None:
        return "not due"
    if not rt.settings.telegram_enabled:
        return "claimed (telegram off)"
    language = run_transaction(lambda: User[reminder["user_id"]].language)
    days = max(1, round(reminder["offset"].total_seconds() / 86400))
    text = t(language, f"{kind}_reminder", id=reminder["id"], expires=when(reminder["expires_at"]), days=days)
    renew = f"buy:{target_id}" if kind == "vpn" else f"vbuy:{target_id}"
    get_bot(rt.settings).send_message(reminder["user_id"], text, reply_markup=one_button(language, "btn_renew", renew))
    return "sent"
