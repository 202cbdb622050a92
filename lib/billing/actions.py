"""What a customer does with money, from the bot or the mini app: see plans, buy or renew, pay, check, balance."""
from lib import clock
from lib.billing.checkout import Checkout, same_size, start_checkout
from lib.billing.orders import owned_order
from lib.billing.settlement import recheck_order, settle
from lib.errors import UserError
from lib.models import LedgerEntry, VpnPeer, VpsServer
from lib.models import order_states as states
from lib.models.database import run_transaction
from lib.payments import PaymentProviderError, ProviderOff, get_provider

LIVE_SERVER = ("failed", "deleted")  # a server in one of these is gone for its owner
HISTORY = 10  # balance entries shown
RECHECK_EVERY = 15  # seconds between two questions to a provider about one pending order


def plans(rt, product: str) -> list:
    """The plans of a product on sale now ([] when that product's sales are off)."""
    return rt.settings.catalog.for_product(product) if getattr(rt.settings, f"{product}_enabled") else []


def _renewable(product, renew_id, user_id):
    thing = (VpnPeer if product == "vpn" else VpsServer).get(id=renew_id)
    if thing is None or thing.user.id != user_id or (product == "vps" and thing.status in LIVE_SERVER):
        return None
    return thing.plan_id


def renewal_plans(rt, user_id: int, product: str, renew_id: int | None) -> tuple:
    """(plans, renew id) to choose from; a renewal of someone else's thing is a plain purchase.

    A VPS renews only with a plan of its own size."""
    offered = plans(rt, product)
    held_plan = run_transaction(_renewable, product, renew_id, user_id) if renew_id else None
    if held_plan is None:
        return offered, None
    if product == "vps":
        current = rt.settings.catalog.get(held_plan)
        offered = [p for p in offered if same_size(current, p)]
    return offered, renew_id


def plan_for(rt, plan_id, product: str | None = None):
    """The plan a customer picked; UserError unless it is in the plans file (of that product)."""
    plan = rt.settings.catalog.get(str(plan_id or ""))
    if plan is None or (product is not None and plan.product != product):
        raise UserError("unknown_plan", "not_found")
    if not getattr(rt.settings, f"{plan.product}_enabled"):
        raise UserError("product_off")
    return plan


def buy(rt, user_id: int, plan_id: str, provider: str, *, product: str | None = None,
        renew_id: int | None = None, language: str = "en") -> Checkout:
    """A new order (a purchase, or one more period of `renew_id`) and the way to pay it."""
    plan = plan_for(rt, plan_id, product)
    return start_checkout(rt, user_id=user_id, plan=plan, provider=str(provider), renew_id=renew_id,
                          description=plan.title_in(language), return_url=rt.settings.public_url + "/miniapp_api/")


def order_status(rt, user_id: int, order_id: int) -> dict:
    """The customer's own order ({id, status, provider}); anyone else's is not found."""
    order = run_transaction(owned_order, order_id, user_id)
    if order is None:
        raise UserError("not_found")
    return order


def _may_ask_provider(rt, order_id: int) -> bool:
    """At most once per RECHECK_EVERY per order (the mini app polls every few seconds), on the shop's clock."""
    key, now = f"shop:order-checked:{order_id}", clock.epoch()
    last = rt.redis.get(key)
    if last is not None and now - float(last) < RECHECK_EVERY:
        return False
    rt.redis.set(key, now, ex=3600)
    return True


def check_payment(rt, user_id: int, order_id: int) -> dict:
    """The customer's order; a pending one is first re-read from its provider (a payment whose webhook
    was lost is applied), at most once per RECHECK_EVERY seconds."""
    order = order_status(rt, user_id, order_id)
    if order["status"] != states.PENDING or not order["provider_ref"] or not _may_ask_provider(rt, order_id):
        return order
    try:
        order["status"] = recheck_order(rt, order["id"])
    except PaymentProviderError:
        pass  # the provider is down: the status we know is the answer
    return order


def pay_in_sandbox(rt, user_id: int, order_id: int) -> dict:
    """Pay the customer's own sandbox order without money (a repeat changes nothing)."""
    order = order_status(rt, user_id, order_id)
    try:
        sandbox = get_provider(rt.settings, "sandbox")
    except ProviderOff:
        raise UserError("not_found") from None
    if order["provider"] != "sandbox":
        raise UserError("not_found")
    if order["status"] == states.PENDING:
        settle(rt, sandbox.confirm(order["id"], order["amount"]))
    return order_status(rt, user_id, order_id)


def _ledger(user_id):
    entries = LedgerEntry.select(lambda e: e.user.id == user_id).order_by(lambda e: -e.id)[:HISTORY]
    return [{"created_at": e.created_at, "amount": e.amount, "kind": e.kind} for e in entries]


def balance_history(rt, user_id: int) -> list:
    """The customer's latest balance changes, newest first."""
    return run_transaction(_ledger, user_id)
