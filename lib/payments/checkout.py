"""Turning a plan choice into an order and a way to pay for it (a link, or the balance)."""
from dataclasses import dataclass

from lib.models import order_states as states
from lib.billing.ledger import InsufficientBalance
from lib.billing.orders import create_order, pay_from_balance
from lib.models.database import run_transaction
from lib.models import Order, User, VpnPeer, VpsServer
from lib.payments import PaymentProviderError


class CheckoutRefused(ValueError):
    """The request cannot become an order; `reason` is a texts key for the customer."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
        raise CheckoutRefused("not_found")
    if plan.product == "vps" and not same_size(catalog.get(thing.plan_id), plan):
        raise CheckoutRefused("plan_mismatch")  # a renewal does not resize the VM
    return {"renew_peer": thing} if plan.product == "vpn" else {"renew_server": thing}


def _open_order(rt, user_id, plan, provider, renew_id):
    user = User[user_id]
    order = create_order(user, plan, provider, **_renewed(rt.settings.catalog, plan, renew_id, user_id))
    if provider == "balance":
        order.flush()
        try:
            pay_from_balance(rt.redis, order)
        except InsufficientBalance:
            raise CheckoutRefused("insufficient_balance") from None
    else:
        order.flush()
    return order.id, order.status, order.created_at


def _store_link(order_id, provider_ref, pay_url):
    order = Order[order_id]
    order.provider_ref, order.pay_url = provider_ref, pay_url


def _give_up(order_id, error):
    order = Order[order_id]
    if order.status == states.PENDING:
        states.move(order, states.FAILED, error=error)


def start_checkout(rt, *, user_id: int, plan, provider: str, renew_id=None,
                   description: str, return_url: str) -> Checkout:
    """Create the order, then the payment at the provider; the order is committed first."""
    settings = rt.settings
    if provider not in settings.payment_providers():
        raise CheckoutRefused("provider_off")
    if not getattr(settings, f"{plan.product}_enabled"):
        raise CheckoutRefused("product_off")
    order_id, status, created_at = run_transaction(_open_order, rt, user_id, plan, provider, renew_id)
    if provider in ("balance", "sandbox"):
        return Checkout(order_id, status, None)
    try:
        if provider == "cryptobot":
            from lib.payments.cryptobot import CryptoPayClient
            invoice = CryptoPayClient(settings.cryptobot_token, settings.cryptobot_api_url).create_invoice(
                order_id=order_id, currency=settings.cryptobot_currency, price_rub=plan.price_rub,
                price_usdt=plan.price_usdt, description=description)
            ref, url = str(invoice["invoice_id"]), invoice.get("bot_invoice_url") or invoice.get("pay_url")
        else:
            from lib.payments.yookassa_gateway import create_payment
            payment = create_payment(settings, order_id=order_id, created_at=created_at,
                                     amount_rub=plan.price_rub, description=description,
                                     return_url=return_url)
            ref, url = payment["id"], payment["confirmation_url"]
    except PaymentProviderError as exc:
        run_transaction(_give_up, order_id, str(exc))
        raise CheckoutRefused("provider_unavailable") from None
    run_transaction(_store_link, order_id, ref, url)
    return Checkout(order_id, status, url)
