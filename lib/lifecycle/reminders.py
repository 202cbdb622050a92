"""Expiry reminders, sent once per subscription, expiry moment and offset.

Each subscription carries `remind_at`, the moment its next reminder is due (indexed), so
finding due reminders costs what is due, not what is sold. Claiming inserts a Reminder row
whose key (kind, id, offset, expiry) is unique: two ticks or two job copies cannot both send.
"""
from lib import clock
from lib.models import Reminder, VpnPeer, VpsServer
from lib.models.subscriptions import next_reminder_at

ENTITIES = {"vpn": VpnPeer, "vps": VpsServer}
REMINDABLE = {"vpn": ("active", "paused"), "vps": ("running", "stopped")}


def claim_reminder(kind: str, target_id: int, offsets) -> dict | None:
    """Take the due reminder of one subscription (in the caller's transaction); its facts or None."""
    now = clock.now()
    row = ENTITIES[kind].get_for_update(id=target_id)
    if row is None or row.remind_at is None or row.remind_at > now:
        return None
    reached = [offset for offset in offsets if row.expires_at - offset <= now]
    row.remind_at = next_reminder_at(row.expires_at, offsets, now)
    if row.status not in REMINDABLE[kind] or row.expires_at <= now or not reached:
        return None
    offset = min(reached)  # after a pause in ticks, only the most urgent reminder goes out
    seconds = int(offset.total_seconds())
    if Reminder.get(kind=kind, target_id=target_id, offset_seconds=seconds, expires_at=row.expires_at):
        return None
    Reminder(kind=kind, target_id=target_id, offset_seconds=seconds, expires_at=row.expires_at, sent_at=now)
    return {"user_id": row.user.id, "id": row.id, "expires_at": row.expires_at, "offset": offset}
