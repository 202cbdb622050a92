"""Orders: created pending, paid by a payment or the balance, then fulfilled, failed or expired.

Every function here runs inside the caller's transaction (lib.models.database.transaction or
run_transaction) and queues follow-up jobs only once that transaction commits.
"""
from datetime import timedelta

from lib import clock, tasks
from lib.billing.ledger import locked_user, post_entry
from lib.events import emit_event
from lib.models import Order, User
from lib.models import order_states as states
from lib.models.database import after_commit
from lib.tasks import enqueue
from lib.texts.formats import money

UNPAID_ORDER_TTL = timedelta(hours=2)  # invoices live 1 h; a late payment still lands on the balance


def create_order(user: User, plan, gateway, renew_peer=None, renew_server=None) -> Order:
    """A pending order for one period of `plan`, priced in RUB, with what `gateway` will collect for it."""
    charge_amount, charge_currency = gateway.charge_for(plan.price_rub, plan.price_usdt)
    return Order(user=user, product=plan.product, plan_id=plan.id, provider=gateway.name, amount=plan.price_rub,
                 charge_amount=charge_amount, charge_currency=charge_currency,
                 renew_peer=renew_peer, renew_server=renew_server, created_at=clock.now())


def queue_fulfilment(redis, order_id: int) -> None:
    enqueue(redis, tasks.FULFIL_ORDER, order_id)


def charge_for_order(redis, order: Order, user: User) -> None:
    """Take the order's price from the balance and mark it paid; fulfilment is queued after commit."""
    post_entry(user, -order.amount, "purchase", f"order:{order.id}", f"order #{order.id}")
    states.move(order, states.PAID)
    after_commit(queue_fulfilment, redis, order.id)


def pay_from_balance(redis, order: Order) -> None:
    """Pay a pending order from the balance; raises InsufficientBalance when it does not cover it."""
    charge_for_order(redis, order, locked_user(order.user.id))


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
                 {"order_id": order.id, "amount": money(order.amount)})
    after_commit(enqueue, redis, tasks.NOTIFY_ADMINS, "admin_order_failed",
                 {"order_id": order.id, "product": order.product, "amount": money(order.amount),
                  "user_id": user.id, "error": error[:300]})
    return True


def owned_order(order_id: int, user_id: int) -> dict | None:
    """The order as a dict if it is this user's, else None (another's id looks like a missing one)."""
    order = Order.get(id=order_id)
    if order is None or order.user.id != user_id:
        return None
    return {"id": order.id, "status": order.status, "provider": order.provider, "provider_ref": order.provider_ref,
            "amount": order.amount}


def order_facts(order_id: int) -> dict | None:
    """What a fulfilment job needs to know about an order."""
    order = Order.get(id=order_id)
    if order is None:
        return None
    return {"status": order.status, "product": order.product, "user_id": order.user.id,
            "attempts": order.attempts, "error": order.error,
            "renew": order.renew_peer is not None or order.renew_server is not None}
