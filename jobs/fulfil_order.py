"""Fulfil a paid order: a VPN key or a Proxmox VM (or one more period for a renewal).

Safe to run twice or twice at once: the order's lock lets one copy work while the other comes back
once the lock is free (a dead copy's lock lapses within JOB_LOCK_TTL),
what a try made is recorded before it is made (peer row, VM id and name) so a retry finds it,
and the order moves to fulfilled only once. When the attempts run out, the half-made thing is
removed, the money goes back to the balance, the customer and the admins are told.
"""
import logging

from lib import tasks
from lib.billing.orders import fail_order, order_facts
from lib.errors import CannotFulfil
from lib.exclusive import busy_for, exclusive
from lib.models import Order
from lib.models.database import run_transaction
from lib.runtime import current
from lib.tasks import enqueue_in
from lib.telegram.customer.progress import reporter
from lib.vpn.fulfilment import fulfil_vpn, undo_vpn
from lib.vps.provisioning import fulfil_vps, undo_vps

log = logging.getLogger(__name__)
MAX_ATTEMPTS = tasks.FULFIL_ORDER.retries + 1
UNDO = {"vpn": undo_vpn, "vps": undo_vps}


def _fulfil(rt, order_id) -> str:
    facts = run_transaction(order_facts, order_id)
    if facts is None or facts["status"] != "paid":
        return "nothing to do"
    if facts["attempts"] >= MAX_ATTEMPTS:  # a crash cut the last give-up short: finish it
        raise CannotFulfil(facts["error"] or "out of attempts")
    if not getattr(rt.settings, f"{facts['product']}_enabled"):
        raise CannotFulfil(f"{facts['product'].upper()} sales are not available")
    if facts["product"] == "vps":
        return fulfil_vps(rt, order_id, facts["renew"], report=reporter(rt))
    return fulfil_vpn(rt, order_id, facts["renew"])


def _count_attempt(order_id, error):
    order = Order[order_id]
    order.attempts += 1
    order.error = error[:500]
    return order.attempts


def _give_up(rt, order_id, error) -> None:
    product = run_transaction(lambda: Order[order_id].product)
    UNDO[product](rt, order_id)
    run_transaction(lambda: fail_order(rt.redis, Order[order_id], error))
    log.warning("order %s failed for good: %s", order_id, error)


def run(order_id: int) -> str:
    rt = current()
    with exclusive(f"order:{order_id}") as held:
        if not held:  # another copy works on it, or a dead one's lock has not lapsed yet: look again then
            enqueue_in(rt.redis, busy_for(f"order:{order_id}") + 0.5, tasks.FULFIL_ORDER, order_id)
            return "busy"
        try:
            return _fulfil(rt, order_id)
        except Exception as exc:
            attempts = run_transaction(_count_attempt, order_id, f"{type(exc).__name__}: {exc}")
            if isinstance(exc, CannotFulfil) or attempts >= MAX_ATTEMPTS:
                _give_up(rt, order_id, str(exc))
                return "failed"
            raise  # RQ runs the job again after the back-off
