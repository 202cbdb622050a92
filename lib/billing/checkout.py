"""Turning a plan choice into an order and a way to pay for it (a link, or the balance at once)."""
from dataclasses import dataclass

from lib.billing.ledger import InsufficientBalance
from lib.billing.orders import create_order, pay_from_balance
from lib.errors import UserError
from lib.models import Order, User, VpnPeer, VpsServer
from lib.models import order_states as states
from lib.models.database import run_transaction
from lib.payments import PaymentProviderError, ProviderOff, get_provider
from lib.payments.base import OrderToPay


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


def _open_order(rt, user_id, plan, provider, renew_id):
    order = create_order(User[user_id], plan, provider, **_renewed(rt.settings.catalog, plan, renew_id, user_id))
    order.flush()
    if provider.settles_now:
        try:
            pay_from_balance(rt.redis, order)
        except InsufficientBalance:
            raise UserError("insufficient_balance") from None
    return order.id, order.status, order.created_at


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
    order_id, status, created_at = run_transaction(_open_order, rt, user_id, plan, gateway, renew_id)
    try:
        link = gateway.create_payment(OrderToPay(order_id, plan.price_rub, plan.price_usdt, created_at,
                                                 description, return_url))
    except PaymentProviderError as exc:
        run_transaction(_give_up, order_id, str(exc))
        raise UserError("provider_unavailable") from None
    if link.payment_id or link.pay_url:
        run_transaction(_store_link, order_id, link.payment_id, link.pay_url)
    return Checkout(order_id, status, link.pay_url)
