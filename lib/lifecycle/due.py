"""What is due now, in bounded batches, through indexed conditions only."""
from pony.orm import select

from lib import clock
from lib.models import VpnPeer, VpsServer

BATCH = 500


def due_work(settings) -> dict:
    """(id, due moment) of subscriptions whose reminder, expiry or deletion is due (in a transaction)."""
    now = clock.now()
    delete_before = now - settings.vps_grace
    return {
        "vpn_reminders": select((p.id, p.remind_at) for p in VpnPeer if p.remind_at <= now)[:BATCH],
        "vps_reminders": select((s.id, s.remind_at) for s in VpsServer if s.remind_at <= now)[:BATCH],
        # Ordered by expiry so PostgreSQL walks the partial index of live rows (migration 3)
        # instead of guessing that thousands match and scanning the whole table.
        "vpn_expiries": select((p.id, p.expires_at) for p in VpnPeer
                               if p.status in ("active", "paused") and p.expires_at <= now)
        .order_by(lambda: p.expires_at)[:BATCH],  # noqa: F821 (Pony names the row p)
        "vps_suspensions": select((s.id, s.expires_at) for s in VpsServer if s.status in ("running", "stopped")
                                  and s.expires_at <= now).order_by(lambda: s.expires_at)[:BATCH],  # noqa: F821
        "vps_deletions": select((s.id, s.expires_at) for s in VpsServer
                                if s.status == "suspended" and s.expires_at <= delete_before)[:BATCH],
    }
