"""What one cron tick queues: lifecycle work that is due now, lost work, and now and then a reconcile.

Every tick does all the lifecycle work due at that moment (the scheduler sets the rhythm); only
the reconciler is throttled, to RECONCILE_EVERY. Each query is on an indexed due time or state
and bounded, so a tick costs what is due, not what is sold.
"""
from datetime import timedelta

from pony.orm import delete, select

from lib import clock
from lib.billing import states
from lib.billing.orders import queue_fulfilment
from lib.db import run_transaction
from lib.events import queue_delivery
from lib.lifecycle.due import BATCH, due_work
from lib.models import Event, Order, ProcessedUpdate, VpnPeer, VpsServer
from lib.queue import enqueue
from lib.telegram.intake import INBOX, queue_drain

UNPAID_ORDER_TTL = timedelta(hours=2)  # invoices live 1 h; a late payment still lands on the balance
PROCESSED_UPDATE_TTL = timedelta(days=3)
RECONCILE_LOCK = "shop:reconcile:last"


def _recovery_work(rt):
    now = clock.now()
    stuck_before, unpaid_before = now - rt.settings.stuck_order_after, now - UNPAID_ORDER_TTL
    work = {
        "stuck_orders": select(o.id for o in Order if o.status == states.PAID and o.paid_at <= stuck_before)[:BATCH],
        "events": [] if not rt.settings.n8n_webhook_url else
        select(e.id for e in Event if e.delivered_at is None and e.next_attempt_at <= now)[:BATCH],
        "peers_to_remove": select(p.id for p in VpnPeer if p.status == "removing")[:BATCH],
        "servers_to_remove": select(s.id for s in VpsServer if s.status == "removing")[:BATCH],
    }
    stale = Order.select(lambda o: o.status == states.PENDING and o.created_at <= unpaid_before)[:BATCH]
    for order in stale:
        order.status, order.closed_at = states.EXPIRED, now
    forget_before = now - PROCESSED_UPDATE_TTL
    work["expired_orders"] = len(stale)
    work["forgotten_updates"] = delete(u for u in ProcessedUpdate if u.seen_at <= forget_before) or 0
    return {**work, **due_work(rt.settings)}


JOBS = {  # what each kind of due id becomes
    "stuck_orders": lambda rt, i: queue_fulfilment(rt.redis, i),
    "events": lambda rt, i: queue_delivery(rt.redis, i),
    "peers_to_remove": lambda rt, i: enqueue(rt.redis, "jobs.sync_peer.run", i),
    "servers_to_remove": lambda rt, i: enqueue(rt.redis, "jobs.cleanup_vps.run", i, job_timeout=1800),
    "vpn_reminders": lambda rt, i: enqueue(rt.redis, "jobs.send_reminder.run", "vpn", i),
    "vps_reminders": lambda rt, i: enqueue(rt.redis, "jobs.send_reminder.run", "vps", i),
    "vpn_expiries": lambda rt, i: enqueue(rt.redis, "jobs.expire_vpn.run", i, retries=3),
    "vps_suspensions": lambda rt, i: enqueue(rt.redis, "jobs.expire_vps.run", i, retries=3, job_timeout=1800),
    "vps_deletions": lambda rt, i: enqueue(rt.redis, "jobs.expire_vps.run", i, retries=3, job_timeout=1800),
}


def run_tick(rt) -> dict:
    """Queue what is due now and say what was queued."""
    work = run_transaction(_recovery_work, rt)
    summary = {}
    for kind, ids in work.items():
        if kind in JOBS:
            for item in ids:
                JOBS[kind](rt, item)
            summary[kind] = len(ids)
        else:
            summary[kind] = ids
    if rt.redis.llen(INBOX):  # updates waiting while no drain job is queued (one was lost)
        queue_drain(rt.redis)
    seconds = max(1, int(rt.settings.reconcile_every.total_seconds()))
    summary["reconcile"] = bool(rt.redis.set(RECONCILE_LOCK, clock.iso(clock.now()), nx=True, ex=seconds))
    if summary["reconcile"]:
        enqueue(rt.redis, "jobs.reconcile.run", job_timeout=1800)
    summary["at"] = clock.iso(clock.now())
    return summary
