"""A subscription's expiry and the moment its next reminder is due (remind_at, indexed for cron_tick)."""
from lib import clock


def next_reminder_at(expires_at, offsets, after):
    """The earliest reminder moment strictly after `after`, or None when none is left."""
    moments = [expires_at - offset for offset in offsets if expires_at - offset > after]
    return min(moments) if moments else None


def set_expiry(row, expires_at, offsets) -> None:
    """Give a VPN peer or a VPS server a new expiry, and schedule its next reminder from now."""
    row.expires_at = expires_at
    row.remind_at = next_reminder_at(expires_at, offsets, clock.now())
