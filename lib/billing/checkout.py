"""Turning a plan choice into an order and a way to pay for it (a link, or the balance at once)."""
from dataclasses import dataclass
from datetime import timedelta

from lib import clock
from lib.billing.ledger import InsufficientBalance, locked_user
from lib.billing.orders import UNPAID_ORDER_TTL, create_order, pay_from_balance
from lib.errors import UserError
from lib.exclusive import exclusive
from lib.models import Order, VpnPeer, VpsServer
from lib.models import order_states as states
from lib.models.database import run_transaction
from lib.payments import PaymentProviderError, ProviderOff, get_provider
from lib.payments.base import OrderToPay

REUSE_WITHIN = timedelta(minutes=50)  # Crypto Pay invoices live an hour: a link this young still works
MAX_SCANNED = 20  # pending orders looked at for one to reuse (at most MAX_PENDING_ORDERS exist)
CHECKOUT_LOCK_SECONDS = 20  # longer than any provider call (their timeouts are shorter)


@dataclass(frozen=True)
class Checkout:
    order_id: int
    status: str
    pay_url: str | None


def same_size(current, plan) -> bool:
    """A VPS can be renewed only with a plan of its own size (renewal does not resize the VM)."""
    return current is not None and (current.cores, current.memory_mb, current.disk_gb) == \
        (plan.cores, plan.memory_mb, plan.disk_gb)


def _renewed(catalog, plan, renew_id, user_id):
    """The customer's own peer or server that the order renews; refused if it is not theirs."""
    if renew_id is None:
        return {}
    thing = (VpnPeer if plan.product == "vpn" else VpsServer).get(id=renew_id)
    if thing is None or thing.user.id != user_id or thing.status in ("failed", "deleted"):
        raise UserError("not_found")
    if plan.product == "vps" and not same_size(catalog.get(thing.plan_id), plan):
        raise UserError("plan_mismatch")  # a renewal does not resize the VM
    return {"renew_peer": thing} if plan.product == "vpn" else {"renew_server": thing}


def _pending_of(user_id):
    return Order.select(lambda o: o.user.id == user_id and o.status == states.PENDING)


def _same_pending(user_id, plan, provider, renewed) -> Order | None:
    """The user's pending order for the same plan, thing and provider whose payment link still works."""
    since = clock.now() - REUSE_WITHIN
    for order in _pending_of(user_id).order_by(lambda o: -o.id)[:MAX_SCANNED]:
        if (order.plan_id, order.provider) == (plan.id, provider.name) and order.created_at >= since \
                and order.provider_ref and order.renew_peer == renewed.get("renew_peer") \
                and order.renew_server == renewed.get("renew_server"):
            return order
    return None


def _refuse_too_many(rt, user_id) -> None:
    pending = _pending_of(user_id).order_by(lambda o: o.created_at)[:rt.settings.max_pending_orders]
    if len(pending) >= rt.settings.max_pending_orders:
        retry_after = (pending[0].created_at + UNPAID_ORDER_TTL - clock.now()).total_seconds()
        raise UserError("too_many_pending", retry_after=max(1, int(retry_after)),
                        pending=rt.settings.max_pending_orders)


def _open_order(rt, user_id, plan, provider, renew_id):
    """(order id, status, created at, pay url or None for a new order), under the user's row lock."""
    user = locked_user(user_id)  # first: two checkouts of one user never deadlock on the row
    renewed = _renewed(rt.settings.catalog, plan, renew_id, user_id)
    if not provider.settles_now:
        again = _same_pending(user_id, plan, provider, renewed)
        if again is not None:  # "pay" tapped again: the same order and its invoice
            return again.id, again.status, again.created_at, again.pay_url or ""
        _refuse_too_many(rt, user_id)
    order = create_order(user, plan, provider, **renewed)
    order.flush()
    if provider.settles_now:
        try:
            pay_from_balance(rt.redis, order)
        except InsufficientBalance:
            raise UserError("insufficient_balance") from None
    return order.id, order.status, order.created_at, None


def _store_link(order_id, payment_id, pay_url):
    order = Order[order_id]
    order.provider_ref, order.pay_url = payment_id, pay_url


def _give_up(order_id, error):
    order = Order[order_id]
    if order.status == states.PENDING:
        states.move(order, states.FAILED, error=error)


def start_checkout(rt, *, user_id: int, plan, provider: str, renew_id=None,
                   description: str, return_url: str) -> Checkout:
    """Create the order, then the payment at the provider; the order is committed first."""
    try:
        gateway = get_provider(rt.settings, provider)
    except ProviderOff:
        raise UserError("provider_off") from None
    if not getattr(rt.settings, f"{plan.product}_enabled"):
        raise UserError("product_off")
    # One checkout of a user at a time, from the order to its payment link: a second "pay" finds both.
    with exclusive(f"checkout:{user_id}", CHECKOUT_LOCK_SECONDS, wait=CHECKOUT_LOCK_SECONDS) as alone:
        if not alone:
            raise UserError("provider_unavailable")
        return _checkout(rt, gateway, user_id, plan, renew_id, description, return_url)


def _checkout(rt, gateway, user_id, plan, renew_id, description, return_url) -> Checkout:
    order_id, status, created_at, link = run_transaction(_open_order, rt, user_id, plan, gateway, renew_id)
    if link is not None:
        return Checkout(order_id, status, link or None)
    try:
        link = gateway.create_payment(OrderToPay(order_id, plan.price_rub, plan.price_usdt, created_at,
                                                 description, return_url))
    except PaymentProviderError as exc:
        run_transaction(_give_up, order_id, str(exc))
        raise UserError("provider_unavailable") from None
    if link.payment_id or link.pay_url:
        run_transaction(_store_link, order_id, link.payment_id, link.pay_url)
    return Checkout(order_id, status, link.pay_url)
