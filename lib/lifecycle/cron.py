"""What one cron tick queues: lifecycle work that is due now, lost work, and now and then a reconcile.

Every tick does all the lifecycle work due at that moment (the scheduler sets the rhythm); only
the reconciler is throttled, to RECONCILE_EVERY. Each query is on an indexed due time or state
and bounded, so a tick costs what is due, not what is sold.
"""
from datetime import timedelta

from pony.orm import select

from lib import clock, tasks
from lib.billing.orders import UNPAID_ORDER_TTL
from lib.billing.refunds import unfinished_refunds
from lib.broadcast.broadcasts import quiet_broadcasts
from lib.lifecycle.due import BATCH, due_work
from lib.lifecycle.scheduled import queue_overdue_scheduled
from lib.models import Event, Order, ProcessedUpdate, VpnPeer, VpsServer
from lib.models import order_states as states
from lib.models.database import run_transaction
from lib.tasks import enqueue, enqueue_many

PROCESSED_UPDATE_TTL = timedelta(days=3)
RECONCILE_LOCK = "shop:reconcile:last"


def _recovery_work(rt):
    now = clock.now()
    stuck_before, unpaid_before = now - rt.settings.stuck_order_after, now - UNPAID_ORDER_TTL
    work = {
        "stuck_orders": select(o.id for o in Order if o.status == states.PAID and o.paid_at <= stuck_before
                               and o.refund_requested_at is None)[:BATCH],
        "stuck_refunds": unfinished_refunds(stuck_before, BATCH),
        "quiet_broadcasts": quiet_broadcasts(stuck_before, BATCH),
        "events": [] if not rt.settings.n8n_webhook_url else
        select(e.id for e in Event if e.delivered_at is None and e.next_attempt_at <= now)[:BATCH],
        "peers_to_remove": select(p.id for p in VpnPeer if p.status == "removing")[:BATCH],
        "servers_to_remove": select(s.id for s in VpsServer if s.status == "removing")[:BATCH],
    }
    stale = Order.select(lambda o: o.status == states.PENDING and o.created_at <= unpaid_before)[:BATCH]
    for order in stale:
        states.move(order, states.EXPIRED)
    forget_before = now - PROCESSED_UPDATE_TTL
    work["expired_orders"] = len(stale)
    # One bulk DELETE (not row by row): a busy shop forgets a day of updates every day.
    work["forgotten_updates"] = ProcessedUpdate.select(lambda u: u.seen_at <= forget_before).delete(bulk=True)
    return {**work, **due_work(rt.settings)}


# What each kind of due id becomes: the task, and the arguments before the id.
JOBS = {
    "quiet_broadcasts": (tasks.BROADCAST, ()),
    "events": (tasks.DELIVER_EVENT, ()),
    "peers_to_remove": (tasks.SYNC_PEER, ()),
    "servers_to_remove": (tasks.CLEANUP_VPS, ()),
    "vpn_reminders": (tasks.SEND_REMINDER, ("vpn",)),
    "vps_reminders": (tasks.SEND_REMINDER, ("vps",)),
    "vpn_expiries": (tasks.EXPIRE_VPN, ()),
    "vps_suspensions": (tasks.EXPIRE_VPS, ()),
    "vps_deletions": (tasks.EXPIRE_VPS, ()),
}
QUEUED_MARK_SECONDS = 120  # a due id queued by one tick is not queued again by the next ones meanwhile


def _not_queued_lately(redis, kind, items) -> list:
    """Ids no tick queued for this due moment in the last QUEUED_MARK_SECONDS (one round trip).

    An item is an id, or (id, due moment) for lifecycle work, so that a later reminder or a
    renewed expiry of the same subscription is never held back by an earlier mark.
    """
    with redis.pipeline(transaction=False) as pipe:
        for item in items:
            mark = ":".join(str(part) for part in item) if isinstance(item, tuple) else item
            pipe.set(f"shop:cron:queued:{kind}:{mark}", 1, nx=True, ex=QUEUED_MARK_SECONDS)
        fresh = pipe.execute()
    return [item[0] if isinstance(item, tuple) else item for item, new in zip(items, fresh) if new]


def _requeue_stuck(redis, orders, refunds) -> int:
    """STUCK_ORDER_AFTER is the only clock here: every tick queues each stuck order's fulfilment or
    refund unless a copy of its job already waits (the task's id says so), so no mark holds it back."""
    for order_id in orders:
        enqueue(redis, tasks.FULFIL_ORDER, order_id)
    for order_id, via, reason in refunds:
        enqueue(redis, tasks.REFUND_ORDER, order_id, via, reason)
    return len(orders) + len(refunds)


def run_tick(rt) -> dict:
    """Queue what is due now and say what was queued."""
    work = run_transaction(_recovery_work, rt)
    summary = {"stuck_orders": _requeue_stuck(rt.redis, work.pop("stuck_orders"), work.pop("stuck_refunds")),
               "overdue_scheduled": queue_overdue_scheduled(rt.redis)}
    batch = []
    for kind, ids in work.items():
        if kind not in JOBS:
            summary[kind] = ids
            continue
        task, extra = JOBS[kind]
        fresh = _not_queued_lately(rt.redis, kind, ids) if ids else []
        batch += [(task, (*extra, item)) for item in fresh]
        summary[kind] = len(fresh)
    enqueue_many(rt.redis, batch)
    seconds = max(1, int(rt.settings.reconcile_every.total_seconds()))
    summary["reconcile"] = bool(rt.redis.set(RECONCILE_LOCK, clock.iso(clock.now()), nx=True, ex=seconds))
    if summary["reconcile"]:
        enqueue(rt.redis, tasks.RECONCILE)
    summary["at"] = clock.iso(clock.now())
    return summary
