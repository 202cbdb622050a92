"""Who a broadcast goes to: everyone reachable, or those with a live, a lapsed or no service.

Every segment leaves out banned users and users who blocked the bot. Run inside a transaction.
"""
from pony.orm import exists, select

from lib.models import BroadcastDelivery, User

SEGMENTS = ("all", "active", "expired", "never_paid")


def _reachable():
    return select(u for u in User if not u.banned and not u.blocked_bot)


def _in_segment(segment: str):
    query = _reachable()
    if segment == "active":  # a paused VPN is still paid for; a reinstalling server is still the customer's
        query = query.where(lambda u: exists(p for p in u.peers if p.status in ("active", "paused"))
                            or exists(s for s in u.servers if s.status in ("running", "stopped", "reinstalling")))
    elif segment == "expired":  # had a service (an order fulfilled once, or one that ran out), none live now
        query = query.where(lambda u: (exists(o for o in u.orders if o.fulfilled_at is not None)
                                       or exists(p for p in u.peers if p.status == "expired")
                                       or exists(s for s in u.servers if s.status in ("suspended", "deleted")))
                            and not exists(p for p in u.peers if p.status in ("active", "paused"))
                            and not exists(s for s in u.servers
                                           if s.status in ("running", "stopped", "reinstalling")))
    elif segment == "never_paid":
        query = query.where(lambda u: not exists(o for o in u.orders if o.fulfilled_at is not None))
    elif segment != "all":
        raise ValueError(f"unknown segment {segment!r}")
    return query


def count(segment: str) -> int:
    return _in_segment(segment).count()


def counts() -> dict:
    """Recipients per segment, for the admin's choice."""
    return {segment: count(segment) for segment in SEGMENTS}


def pending_page(broadcast_id: int, segment: str, after_id: int, limit: int) -> list:
    """The next user ids (in id order, above after_id) in the segment not yet claimed for the broadcast."""
    while True:
        ids = [u.id for u in _in_segment(segment).where(lambda u: u.id > after_id).order_by(User.id)[:limit]]
        if not ids:
            return []
        low, high = ids[0], ids[-1]
        claimed = set(select(d.user_id for d in BroadcastDelivery
                             if d.broadcast.id == broadcast_id and d.user_id >= low and d.user_id <= high))
        pending = [user_id for user_id in ids if user_id not in claimed]
        if pending:
            return pending
        after_id = high  # a page done by an earlier run


def user_ids(segment: str) -> list:
    """Every user id in the segment, in id order (tests and the bench)."""
    return [u.id for u in _in_segment(segment).order_by(User.id)]
