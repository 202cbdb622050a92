"""What is due now, in bounded batches, through indexed conditions only."""
from pony.orm import select

from lib import clock
from lib.models import VpnPeer, VpsServer

BATCH = 500


def due_work(settings) -> dict:
    """Ids of subscriptions whose reminder, expiry or deletion is due (runs in a transaction)."""
    now = clock.now()
    delete_before = now - settings.vps_grace
    return {
        "vpn_reminders": select(p.id for p in VpnPeer if p.remind_at <= now)[:BATCH],
        "vps_reminders": select(s.id for s in VpsServer if s.remind_at <= now)[:BATCH],
        "vpn_expiries": select(p.id for p in VpnPeer
                               if p.status in ("active", "paused") and p.expires_at <= now)[:BATCH],
        "vps_suspensions": select(s.id for s in VpsServer
                                  if s.status in ("running", "stopped") and s.expires_at <= now)[:BATCH],
        "vps_deletions": select(s.id for s in VpsServer
                                if s.status == "suspended" and s.expires_at <= delete_before)[:BATCH],
    }
