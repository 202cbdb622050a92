"""What a verified payment means, decided once for every provider: it buys its order, or lands on the balance.

Webhooks, the customer's "check payment", the sandbox button and the reconciler all end here
with a PaymentFact from lib.payments.
"""
import logging

from lib import clock, tasks
from lib.billing.ledger import locked_user, post_entry
from lib.billing.matching import MISMATCH, OVERPAID, OrderTerms, Verdict, judge
from lib.billing.orders import charge_for_order
from lib.billing.refunds import request_refund
from lib.events import emit_event
from lib.models import Order, Payment
from lib.models import order_states as states
from lib.models.database import after_commit, run_transaction
from lib.payments import PAID as FACT_PAID
from lib.payments import PaymentFact, RefundFact, get_provider
from lib.tasks import enqueue
from lib.texts.formats import money

log = logging.getLogger(__name__)
PAID, DUPLICATE, CREDITED, MISMATCHED = "paid", "duplicate", "credited_to_balance", "mismatch"


def _terms(order: Order | None) -> OrderTerms | None:
    if order is None:
        return None
    amount, currency = (order.charge_amount, order.charge_currency) if order.charge_currency else (order.amount, "RUB")
    return OrderTerms(order.id, order.user.id, amount, currency, order.amount, states.accepts_payment(order.status))


def _orders_of(fact: PaymentFact) -> tuple:
    """(the order this payment's id belongs to, the order its payload names), both locked."""
    own = Order.select(lambda o: o.provider == fact.provider and o.provider_ref == fact.payment_id) \
        .for_update().first()
    if fact.order_id is None or (own is not None and own.id == fact.order_id):
        return own, own if fact.order_id is not None else None
    return own, Order.get_for_update(id=fact.order_id)


def _record(redis, fact: PaymentFact, verdict: Verdict, user, order) -> None:
    mismatch = verdict.kind == MISMATCH
    Payment(provider=fact.provider, provider_payment_id=fact.payment_id, user=user, order=order,
            amount=verdict.credit_rub, paid_amount=str(fact.amount)[:32], paid_currency=str(fact.currency)[:16],
            expected_amount=f"{verdict.terms.amount:.2f}" if mismatch and verdict.terms else None,
            expected_currency=verdict.terms.currency if mismatch and verdict.terms else None,
            verdict=verdict.label, created_at=clock.now())
    if user is None:
        return
    if verdict.credit_rub:
        post_entry(user, verdict.credit_rub, "payment", f"{fact.provider}:{fact.payment_id}"[:64],
                   f"order #{order.id}" if order else "payment without an order")
    emit_event(redis, "payment.received", {
        "telegram_id": user.id, "amount": str(fact.amount), "currency": fact.currency, "provider": fact.provider,
        "order_id": order.id if order and verdict.pays_order else None, "credited_rub": str(verdict.credit_rub),
        "verdict": verdict.label})


def _tell(redis, fact: PaymentFact, verdict: Verdict, user) -> None:
    terms = verdict.terms
    if verdict.kind == MISMATCH:
        after_commit(enqueue, redis, tasks.NOTIFY_ADMINS, "admin_payment_mismatch", {
            "provider": fact.provider, "payment_id": fact.payment_id, "differs": verdict.differs,
            "paid": f"{fact.amount} {fact.currency}", "order_id": terms.order_id if terms else "—",
            "expected": f"{terms.amount:.2f} {terms.currency}" if terms else "—",
            "user_id": user.id if user else "—", "credited": money(verdict.credit_rub)})
    rest = verdict.credit_rub - (terms.price_rub if verdict.pays_order else 0)  # what stays on the balance
    if user is not None and rest > 0:
        key = {MISMATCH: "payment_mismatch", OVERPAID: "payment_overpaid"}.get(verdict.kind, "payment_to_balance")
        after_commit(enqueue, redis, tasks.NOTIFY_USER, user.id, key,
                     {"amount": money(rest), "order_id": terms.order_id if terms else "—"})


def apply_payment(redis, fact: PaymentFact) -> str:
    """Record money received exactly once and do what lib.billing.matching says it means (in the
    caller's transaction): pay its own order, or land on the balance."""
    if Payment.get(provider=fact.provider, provider_payment_id=fact.payment_id):
        return DUPLICATE
    own, named = _orders_of(fact)
    verdict = judge(fact, _terms(own), _terms(named))
    user = locked_user(verdict.user_id) if verdict.user_id else None
    _record(redis, fact, verdict, user, own or named)
    _tell(redis, fact, verdict, user)
    if verdict.pays_order:
        charge_for_order(redis, own, user)
        return PAID
    if verdict.kind == MISMATCH:
        log.error("%s payment %s does not match its order (%s differs): recorded, not applied",
                  fact.provider, fact.payment_id, verdict.differs)
        return MISMATCHED
    return CREDITED


def settle(rt, fact: PaymentFact) -> str:
    """Apply a verified payment: 'paid', 'credited_to_balance', 'mismatch', 'duplicate' or 'not_paid:…'."""
    if fact.status != FACT_PAID:
        return f"not_paid:{fact.status}"
    return run_transaction(apply_payment, rt.redis, fact)


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


def _refund_notified(redis, provider, payment_id) -> bool:
    payment = Payment.get(provider=provider, provider_payment_id=payment_id)
    if payment is None or payment.order is None or payment.verdict not in ("paid", "overpaid"):
        return False
    request_refund(redis, payment.order, "notified", "refunded at YooKassa")
    return True


def settle_refund(rt, refund: RefundFact) -> str:
    """A refund the provider made (YooKassa's refund.succeeded): the order is unwound by a job."""
    if refund.status != "succeeded":
        return f"not_refunded:{refund.status}"
    if not run_transaction(_refund_notified, rt.redis, refund.provider, refund.payment_id):
        return "unknown_payment"
    return "refund_queued"
