"""Shop statistics for the admin panel: SQL aggregates only, never a loop over all rows."""
from datetime import datetime, timedelta
from decimal import Decimal

from pony.orm import count, select
from pony.orm import sum as total

from lib.models import Order, Payment, User, VpnPeer, VpsServer

LIVE_SERVERS = ("running", "stopped")
WINDOW_DAYS = 30


def _midnight(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _by_provider(since) -> list:
    rows = select((p.provider, total(p.amount), count(p)) for p in Payment if p.created_at >= since)
    return sorted(({"provider": name, "amount": Decimal(amount), "payments": n} for name, amount, n in rows),
                  key=lambda row: -row["amount"])


def overview(now: datetime) -> dict:
    """Users, live services, money received per provider, and orders needing attention."""
    today, month = _midnight(now), now - timedelta(days=WINDOW_DAYS)
    return {
        "users": count(u for u in User),
        "new_today": count(u for u in User if u.created_at >= today),
        "new_7d": count(u for u in User if u.created_at >= now - timedelta(days=7)),
        "new_30d": count(u for u in User if u.created_at >= month),
        "banned": count(u for u in User if u.banned),
        "vpn_active": count(p for p in VpnPeer if p.status == "active"),
        "vpn_paused": count(p for p in VpnPeer if p.status == "paused"),
        "vps_live": count(s for s in VpsServer if s.status in LIVE_SERVERS),
        "vps_suspended": count(s for s in VpsServer if s.status == "suspended"),
        "revenue_30d": _by_provider(month),
        "revenue_all": _by_provider(datetime(1970, 1, 1)),
        "failed_30d": count(o for o in Order if o.status == "failed" and o.created_at >= month),
        "failed_all": count(o for o in Order if o.status == "failed"),
        "paid_waiting": count(o for o in Order if o.status == "paid"),
        "pending": count(o for o in Order if o.status == "pending"),
    }


def daily(now: datetime, days: int = WINDOW_DAYS) -> list:
    """One row per day, oldest first, today last: money received and orders paid (sales) that day."""
    first = _midnight(now) - timedelta(days=days - 1)
    revenue = dict(select((p.created_at.date(), total(p.amount)) for p in Payment if p.created_at >= first))
    sales = dict(select((o.paid_at.date(), count(o)) for o in Order if o.paid_at >= first))
    out = []
    for offset in range(days):
        day = (first + timedelta(days=offset)).date()
        out.append({"day": day, "revenue": Decimal(revenue.get(day, 0)), "sales": sales.get(day, 0)})
    return out
