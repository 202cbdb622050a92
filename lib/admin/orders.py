"""Orders that need an admin: lists, one order's facts, retry and refund (with audit rows)."""
from pony.orm import desc

from lib.admin.audit import record
from lib.billing.orders import queue_fulfilment
from lib.billing.refunds import REFUNDABLE, request_refund
from lib.errors import UserError
from lib.models import Order
from lib.models import order_states as states
from lib.models.database import after_commit

LISTED = 10


def _row(order: Order) -> dict:
    return {"id": order.id, "user_id": order.user.id, "product": order.product, "plan_id": order.plan_id,
            "amount": order.amount, "provider": order.provider, "status": order.status,
            "attempts": order.attempts, "error": order.error, "created_at": order.created_at,
            "paid_at": order.paid_at}


def attention_lists() -> dict:
    """Paid but not yet fulfilled (oldest first), waiting for payment and failed (newest first)."""
    paid = Order.select(lambda o: o.status == states.PAID)
    pending = Order.select(lambda o: o.status == states.PENDING)
    failed = Order.select(lambda o: o.status == states.FAILED)
    return {
        "paid": [_row(o) for o in paid.order_by(Order.paid_at, Order.id)[:LISTED]],
        "pending": [_row(o) for o in pending.order_by(desc(Order.id))[:LISTED]],
        "failed": [_row(o) for o in failed.order_by(desc(Order.id))[:LISTED]],
        "counts": {"paid": paid.count(), "pending": pending.count(), "failed": failed.count()},
    }


def order_facts(order_id: int) -> dict | None:
    order = Order.get(id=order_id)
    return _row(order) if order else None


def retry_order(rt, admin_id: int, order_id: int) -> dict:
    """Queue fulfilment again for a paid order; a failed one already had its money returned."""
    order = Order.get_for_update(id=order_id)
    if order is None:
        raise UserError("adm_order_not_found")
    if order.status == states.FAILED:
        raise UserError("adm_retry_failed", order_id=order_id)
    if order.status != states.PAID:
        raise UserError("adm_retry_not_paid", order_id=order_id, status=order.status)
    entry = record(admin_id, "retry", f"order:{order_id}", {"status": order.status, "attempts": order.attempts},
                   {"status": order.status, "queued": "fulfil_order"})
    after_commit(queue_fulfilment, rt.redis, order_id)
    return {"audit_id": entry.id, "order_id": order_id}


def refund_order(rt, admin_id: int, order_id: int, via: str = "balance") -> dict:
    """Queue a refund (the job removes the service and unwinds the ledger, once); `via` balance or provider."""
    order = Order.get_for_update(id=order_id)
    if order is None:
        raise UserError("adm_order_not_found")
    if order.status not in REFUNDABLE:
        raise UserError("adm_refund_refused", order_id=order_id, status=order.status)
    entry = record(admin_id, "refund", f"order:{order_id}", {"status": order.status},
                   {"status": order.status, "queued": "refund_order", "via": via})
    request_refund(rt.redis, order, via, f"by admin {admin_id}")
    return {"audit_id": entry.id, "order_id": order_id}
