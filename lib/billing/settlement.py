"""What a verified payment means, decided once for every provider: it buys its order, or lands on the balance.

Webhooks, the customer's "check payment", the sandbox button and the reconciler all end here
with a PaymentFact from lib.payments.
"""
import logging

from lib import clock, tasks
from lib.billing.ledger import locked_user, post_entry
from lib.billing.orders import charge_for_order
from lib.events import emit_event
from lib.models import Order, Payment
from lib.models import order_states as states
from lib.models.database import after_commit, run_transaction
from lib.payments import PAID as FACT_PAID
from lib.payments import PaymentFact, RefundFact, get_provider
from lib.tasks import enqueue
from lib.texts.formats import money

log = logging.getLogger(__name__)
PAID, DUPLICATE, CREDITED, UNKNOWN_ORDER = "paid", "duplicate", "credited_to_balance", "unknown_order"


def apply_payment(redis, *, provider: str, provider_payment_id: str, order_id: int,
                  paid_amount: str, paid_currency: str) -> str:
    """Record money received for an order exactly once (in the caller's transaction)."""
    if Payment.get(provider=provider, provider_payment_id=provider_payment_id):
        return DUPLICATE
    order = Order.get_for_update(id=order_id)
    if order is None:
        return UNKNOWN_ORDER
    user = locked_user(order.user.id)
    Payment(provider=provider, provider_payment_id=provider_payment_id, user=user, order=order,
            amount=order.amount, paid_amount=str(paid_amount), paid_currency=paid_currency,
            created_at=clock.now())
    post_entry(user, order.amount, "payment", f"{provider}:{provider_payment_id}", f"order #{order.id}")
    emit_event(redis, "payment.received", {
        "telegram_id": user.id, "amount": str(paid_amount), "currency": paid_currency,
        "provider": provider, "order_id": order.id, "credited_rub": str(order.amount)})
    if not states.accepts_payment(order.status):
        after_commit(enqueue, redis, tasks.NOTIFY_USER, user.id, "payment_to_balance",
                     {"amount": money(order.amount), "order_id": order.id})
        return CREDITED
    charge_for_order(redis, order, user)
    return PAID


def settle(rt, fact: PaymentFact) -> str:
    """Apply a verified payment: 'paid', 'credited_to_balance', 'duplicate', 'unknown_order' or 'not_paid:…'."""
    if fact.status != FACT_PAID:
        return f"not_paid:{fact.status}"
    if fact.order_id is None:
        log.error("paid %s payment %s names no order of ours", fact.provider, fact.payment_id)
        return UNKNOWN_ORDER
    outcome = run_transaction(apply_payment, rt.redis, provider=fact.provider, provider_payment_id=fact.payment_id,
                              order_id=fact.order_id, paid_amount=fact.amount, paid_currency=fact.currency)
    if outcome == UNKNOWN_ORDER:
        log.error("paid %s payment %s names unknown order %s", fact.provider, fact.payment_id, fact.order_id)
    return outcome


def _order_ref(order_id):
    order = Order.get(id=order_id)
    return (order.provider, order.provider_ref, order.status) if order else (None, None, None)


def recheck_order(rt, order_id: int) -> str:
    """Ask the provider about a pending order and apply the payment if it was made; the order's status."""
    provider, ref, status = run_transaction(_order_ref, order_id)
    if status == states.PENDING and ref and provider in rt.settings.payment_providers():
        for fact in get_provider(rt.settings, provider).fetch_payments([ref]):
            if fact.payment_id == ref:
                settle(rt, fact)
    return run_transaction(_order_ref, order_id)[2]


def _order_of_payment(provider, payment_id):
    payment = Payment.get(provider=provider, provider_payment_id=payment_id)
    return payment.order.id if payment and payment.order else None


def settle_refund(rt, refund: RefundFact) -> str:
    """A refund the provider made (YooKassa's refund.succeeded): the order is unwound by a job."""
    if refund.status != "succeeded":
        return f"not_refunded:{refund.status}"
    order_id = run_transaction(_order_of_payment, refund.provider, refund.payment_id)
    if order_id is None:
        return UNKNOWN_ORDER
    enqueue(rt.redis, tasks.REFUND_ORDER, order_id, "notified", "refunded at YooKassa")
    return "refund_queued"
