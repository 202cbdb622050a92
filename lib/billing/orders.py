"""Orders: created pending, paid by a payment or the balance, then fulfilled, failed or expired.

Every function here runs inside the caller's transaction (lib.models.database.transaction / run_transaction)
and queues follow-up jobs only once that transaction commits.
"""
from decimal import Decimal

from lib import clock
from lib.models import order_states as states
from lib.billing.ledger import locked_user, post_entry
from lib.models.database import after_commit
from lib.events import emit_event
from lib.models import Order, Payment, User
from lib import tasks
from lib.tasks import enqueue

PAID, DUPLICATE, CREDITED, UNKNOWN_ORDER = "paid", "duplicate", "credited_to_balance", "unknown_order"


def register_user(redis, user_id: int, *, username=None, first_name="", language_code=None) -> User:
    """The user, created on first contact (emitting user.registered); profile fields kept fresh."""
    user = User.get(id=user_id)
    if user is None:
        language = "ru" if (language_code or "").lower().startswith(("ru", "uk", "be", "kk")) else "en"
        user = User(id=user_id, username=username, first_name=(first_name or "")[:128],
                    language=language, created_at=clock.now())
        emit_event(redis, "user.registered", {"telegram_id": user_id, "username": username})
    else:
        if user.blocked_bot:  # they write to the bot again: broadcasts may reach them again
            user.blocked_bot = False
        if username != user.username:
            user.username = username
        if first_name and first_name[:128] != user.first_name:
            user.first_name = first_name[:128]
    return user


def create_order(user: User, plan, provider: str, renew_peer=None, renew_server=None) -> Order:
    """A pending order for one period of `plan`, priced in RUB."""
    return Order(user=user, product=plan.product, plan_id=plan.id, provider=provider, amount=plan.price_rub,
                 renew_peer=renew_peer, renew_server=renew_server, created_at=clock.now())


def queue_fulfilment(redis, order_id: int) -> None:
    enqueue(redis, tasks.FULFIL_ORDER, order_id)


def _charge_for_order(redis, order: Order, user: User) -> None:
    post_entry(user, -order.amount, "purchase", f"order:{order.id}", f"order #{order.id}")
    states.move(order, states.PAID)
    after_commit(queue_fulfilment, redis, order.id)


def apply_payment(redis, *, provider: str, provider_payment_id: str, order_id: int,
                  paid_amount: str, paid_currency: str) -> str:
    """Record money received for an order exactly once; it buys the order or lands on the balance."""
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
                     {"amount": order_amount_text(order.amount), "order_id": order.id})
        return CREDITED
    _charge_for_order(redis, order, user)
    return PAID


def pay_from_balance(redis, order: Order) -> None:
    """Pay a pending order from the balance; raises InsufficientBalance when it does not cover it."""
    _charge_for_order(redis, order, locked_user(order.user.id))


def fail_order(redis, order: Order, error: str) -> bool:
    """End a paid order that could not be fulfilled: money back to the balance, event, message."""
    if order.status != states.PAID:
        return False
    user = locked_user(order.user.id)
    post_entry(user, order.amount, "refund", f"order:{order.id}", f"order #{order.id} failed")
    states.move(order, states.FAILED, error=error)
    emit_event(redis, "provisioning.failed", {"telegram_id": user.id, "order_id": order.id,
                                              "product": order.product, "error": error[:500]})
    after_commit(enqueue, redis, tasks.NOTIFY_USER, user.id, "order_failed",
                 {"order_id": order.id, "amount": order_amount_text(order.amount)})
    after_commit(enqueue, redis, tasks.NOTIFY_ADMINS, "admin_order_failed",
                 {"order_id": order.id, "product": order.product, "amount": order_amount_text(order.amount),
                  "user_id": user.id, "error": error[:300]})
    return True


def mark_fulfilled(order: Order) -> None:
    states.move(order, states.FULFILLED)


def order_amount_text(amount: Decimal) -> str:
    """199.00 → '199', 12.50 → '12.50' for messages."""
    return str(amount.quantize(Decimal(1))) if amount == amount.to_integral() else f"{amount:.2f}"


def owned_order(order_id: int, user_id: int) -> dict | None:
    """The order as a dict if it is this user's, else None (another's id looks like a missing one)."""
    order = Order.get(id=order_id)
    if order is None or order.user.id != user_id:
        return None
    return {"id": order.id, "status": order.status, "provider": order.provider}
