"""Refunds in the books: the order closes as refunded and the ledger unwinds, once.

The money comes back to the customer's balance (a `refund` entry reverses the purchase). When
it went back through the provider instead, a `payout` entry records the money leaving, so the
balance ends where it was before the purchase. (kind, ref) is unique: no refund twice.
"""

from lib import clock, tasks
from lib.billing.ledger import locked_user, post_entry
from lib.models import LedgerEntry, Order
from lib.models import order_states as states
from lib.models.database import after_commit
from lib.tasks import enqueue
from lib.texts.formats import money

REFUNDABLE = (states.PAID, states.FULFILLED)


class RefundRefused(ValueError):
    """This order cannot be refunded (already refunded, failed, unpaid)."""


def request_refund(redis, order: Order, via: str, reason: str) -> None:
    """Record that the order is to be refunded, and queue the job after commit (in the caller's
    transaction). The record outlives a lost or killed job: cron_tick queues it again."""
    if order.refund_requested_at is None or via == "notified":  # the provider already paid it back
        order.refund_requested_at = order.refund_requested_at or clock.now()
        order.refund_via, order.refund_reason = via, reason[:256]
    after_commit(enqueue, redis, tasks.REFUND_ORDER, order.id, order.refund_via, order.refund_reason)


def unfinished_refunds(before, limit: int) -> list:
    """(order id, via, reason) of refunds asked for before `before` and still not done."""
    return [(o.id, o.refund_via, o.refund_reason) for o in Order.select(
        lambda o: o.refund_requested_at is not None and o.refund_requested_at <= before
        and o.status in REFUNDABLE)[:limit]]


def refundable(order_id: int) -> dict:
    order = Order.get(id=order_id)
    if order is None or order.status not in REFUNDABLE:
        raise RefundRefused(f"order {order_id} is {order.status if order else 'unknown'}: nothing to refund")
    payment = order.payments.select(lambda p: p.verdict in ("paid", "overpaid")).first()
    charged = (order.charge_amount, order.charge_currency) if order.charge_currency else (order.amount, "RUB")
    return {"product": order.product, "renewal": order.renew_peer is not None or order.renew_server is not None,
            "peer_id": order.peer.id if order.peer else None, "server_id": order.server.id if order.server else None,
            "provider": payment.provider if payment else order.provider,
            "payment_id": payment.provider_payment_id if payment else None, "amount": order.amount,
            # What the provider collected for the order (an overpayment's rest is on the balance already).
            "paid": charged}


def record_refund(rt, order_id: int, via_provider: bool, reason: str) -> bool:
    """Close the order as refunded and unwind the ledger (in the caller's transaction)."""
    order = Order.get_for_update(id=order_id)
    if order.status not in REFUNDABLE:
        return False
    user = locked_user(order.user.id)
    if not LedgerEntry.get(kind="refund", ref=f"order:{order.id}"):
        post_entry(user, order.amount, "refund", f"order:{order.id}", f"order #{order.id} refunded: {reason}"[:256])
    if via_provider:
        post_entry(user, -order.amount, "payout", f"order:{order.id}", f"order #{order.id} paid back")
    _shorten_renewal(rt, order)
    states.move(order, states.REFUNDED)
    key = "refunded_to_provider" if via_provider else "refunded_to_balance"
    after_commit(enqueue, rt.redis, tasks.NOTIFY_USER, user.id, key,
                 {"order_id": order.id, "amount": money(order.amount)})
    return True


def _shorten_renewal(rt, order: Order) -> None:
    """A refunded renewal takes its period back (expiry then follows its usual course)."""
    thing = order.renew_peer or order.renew_server
    plan = rt.settings.catalog.get(order.plan_id)
    if thing is not None and order.fulfilled_at is not None and plan is not None:
        thing.expires_at = max(clock.now(), thing.expires_at - plan.duration)
