"""Payments whose webhook never came: re-read pending ones from the provider, apply or expire them."""
import logging
from datetime import timedelta

from lib import clock
from lib.billing.settlement import CREDITED, MISMATCHED, PAID, settle
from lib.models import Order
from lib.models import order_states as states
from lib.models.database import run_transaction
from lib.payments import CANCELED, PaymentProviderError, ProviderOff, get_provider
from lib.payments import PAID as FACT_PAID

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=1)  # cron expires unpaid orders long before this; older ones are not asked about
PROVIDERS = (("cryptobot", "Crypto Pay"), ("yookassa", "YooKassa"))  # the ones whose payments can go unnoticed


def _pending(provider: str, limit: int) -> dict:
    """provider_ref → order id of the oldest pending orders paid through `provider`."""
    since = clock.now() - LOOKBACK
    orders = Order.select(lambda o: o.status == states.PENDING and o.provider == provider
                          and o.provider_ref is not None and o.created_at >= since)
    return {o.provider_ref: o.id for o in orders.order_by(Order.created_at)[:limit]}


def _expire(order_id: int) -> bool:
    """The provider says nobody paid and nobody can: the order is closed as expired, once."""
    order = Order.get_for_update(id=order_id)
    if order is None or order.status != states.PENDING:
        return False
    states.move(order, states.EXPIRED)
    return True


def _check(rt, name: str, title: str, counts: dict) -> None:
    try:
        provider = get_provider(rt.settings, name)
    except ProviderOff:
        provider = None
    refs = run_transaction(_pending, name, provider.batch_size if provider else 1)
    if not refs:
        return
    if provider is None:
        raise PaymentProviderError(f"{title} is off while orders wait for it")
    for fact in provider.fetch_payments(list(refs)):  # an unreachable provider raises and stops here
        order_id = refs.get(fact.payment_id)
        if order_id is None:
            continue
        counts["checked"] += 1
        if fact.status == FACT_PAID and settle(rt, fact) in (PAID, CREDITED, MISMATCHED):  # else a webhook won
            counts["applied"] += 1
            log.warning("reconcile: %s payment %s for order %s was paid but never notified; applied",
                        title, fact.payment_id, order_id)
        elif fact.status == CANCELED and run_transaction(_expire, order_id):
            counts["expired"] += 1
            log.info("reconcile: order %s expired: %s payment %s is %s", order_id, title, fact.payment_id,
                     fact.status)


def reconcile_payments(rt) -> dict:
    """Ask each provider about its pending orders; a provider that is off or down is skipped."""
    counts = {"checked": 0, "applied": 0, "expired": 0, "errors": 0}
    for name, title in PROVIDERS:
        try:
            _check(rt, name, title, counts)
        except PaymentProviderError as exc:
            counts["errors"] += 1
            log.warning("reconcile: %s skipped: %s", title, exc)
    return counts
