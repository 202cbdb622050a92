"""What one cron tick queues: stuck paid orders, undelivered events, peers to clean, stale orders."""
from datetime import timedelta

from pony.orm import delete, select

from lib import clock
from lib.billing import states
from lib.billing.orders import queue_fulfilment
from lib.db import run_transaction
from lib.events import queue_delivery
from lib.models import Event, Order, ProcessedUpdate, VpnPeer, VpsServer
from lib.queue import enqueue
from lib.telegram.intake import INBOX, queue_drain

BATCH = 500  # bounded work per tick; the next tick takes the rest
UNPAID_ORDER_TTL = timedelta(hours=2)  # invoices live 1 h; a late payment still lands on the balance
PROCESSED_UPDATE_TTL = timedelta(days=3)


def _due(rt):
    now = clock.now()
    stuck_before = now - rt.settings.stuck_order_after
    stuck = select(o.id for o in Order if o.status == states.PAID and o.paid_at <= stuck_before)[:BATCH]
    events = [] if not rt.settings.n8n_webhook_url else \
        select(e.id for e in Event if e.delivered_at is None and e.next_attempt_at <= now)[:BATCH]
    unpaid_before = now - UNPAID_ORDER_TTL
    forget_before = now - PROCESSED_UPDATE_TTL
    removing = select(p.id for p in VpnPeer if p.status == "removing")[:BATCH]
    servers_removing = select(s.id for s in VpsServer if s.status == "removing")[:BATCH]
    stale = Order.select(lambda o: o.status == states.PENDING and o.created_at <= unpaid_before)[:BATCH]
    for order in stale:
        order.status, order.closed_at = states.EXPIRED, now
    cleaned = delete(u for u in ProcessedUpdate if u.seen_at <= forget_before)
    return list(stuck), list(events), list(removing), list(servers_removing), len(stale), cleaned or 0


def run_tick(rt) -> dict:
    """Queue what is due now and say what was queued."""
    stuck, events, removing, servers_removing, expired, cleaned = run_transaction(_due, rt)
    for order_id in stuck:
        queue_fulfilment(rt.redis, order_id)
    for event_id in events:
        queue_delivery(rt.redis, event_id)
    if rt.redis.llen(INBOX):  # updates waiting while no drain job is queued (one was lost)
        queue_drain(rt.redis)
    for peer_id in removing:
        enqueue(rt.redis, "jobs.sync_peer.run", peer_id)
    for server_id in servers_removing:
        enqueue(rt.redis, "jobs.cleanup_vps.run", server_id, job_timeout=1800)
    return {"requeued_orders": len(stuck), "requeued_events": len(events), "peers_to_remove": len(removing),
            "servers_to_remove": len(servers_removing),
            "expired_orders": expired, "forgotten_updates": cleaned, "at": clock.iso(clock.now())}
