"""Payments whose webhook never came: re-read pending ones from the provider, apply or expire them."""
import logging
from datetime import timedelta

from lib import clock
from lib.models import order_states as states
from lib.billing.orders import CREDITED, PAID
from lib.models.database import run_transaction
from lib.models import Order
from lib.payments import PaymentProviderError
from lib.payments.confirm import apply_paid_invoice, apply_yookassa_payment

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=1)  # cron expires unpaid orders long before this; older ones are not asked about
CRYPTOBOT_BATCH = 100  # one getInvoices call; 100 is the API's default page size
YOOKASSA_BATCH = 25  # one Payment.find_one each, so fewer per run


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


def _applied(counts, outcome, provider, ref, order_id):
    if outcome in (PAID, CREDITED):  # DUPLICATE: the webhook won the race, nothing was missing
        counts["applied"] += 1
        log.warning("reconcile: %s payment %s for order %s was paid but never notified; applied (%s)",
                    provider, ref, order_id, outcome)


def _expired(counts, provider, ref, order_id, status):
    if run_transaction(_expire, order_id):
        counts["expired"] += 1
        log.info("reconcile: order %s expired: %s payment %s is %s", order_id, provider, ref, status)


def _check_cryptobot(rt, counts) -> None:
    refs = run_transaction(_pending, "cryptobot", CRYPTOBOT_BATCH)
    if not refs:
        return
    if not rt.settings.cryptobot_enabled:
        raise PaymentProviderError(f"Crypto Pay is off while {len(refs)} orders wait for it")
    from lib.payments.cryptobot import CryptoPayClient
    client = CryptoPayClient(rt.settings.cryptobot_token, rt.settings.cryptobot_api_url)
    invoices = client.get_invoices(list(refs))  # the whole batch in one call
    counts["checked"] += len(refs)
    for invoice in invoices:
        ref = str(invoice.get("invoice_id"))
        if ref not in refs:
            continue
        if invoice.get("status") == "paid":
            _applied(counts, apply_paid_invoice(rt, invoice), "Crypto Pay", ref, refs[ref])
        elif invoice.get("status") == "expired":
            _expired(counts, "Crypto Pay", ref, refs[ref], "expired")


def _check_yookassa(rt, counts) -> None:
    refs = run_transaction(_pending, "yookassa", YOOKASSA_BATCH)
    if not refs:
        return
    if not rt.settings.yookassa_enabled:
        raise PaymentProviderError(f"YooKassa is off while {len(refs)} orders wait for it")
    for ref, order_id in refs.items():
        outcome = apply_yookassa_payment(rt, ref)  # re-reads the payment; unreachable raises and stops
        counts["checked"] += 1
        if outcome == "not_paid:canceled":
            _expired(counts, "YooKassa", ref, order_id, "canceled")
        else:
            _applied(counts, outcome, "YooKassa", ref, order_id)


def reconcile_payments(rt) -> dict:
    """Ask each provider about its pending orders; a provider that is off or down is skipped."""
    counts = {"checked": 0, "applied": 0, "expired": 0, "errors": 0}
    for name, check in (("Crypto Pay", _check_cryptobot), ("YooKassa", _check_yookassa)):
        try:
            check(rt, counts)
        except PaymentProviderError as exc:
            counts["errors"] += 1
            log.warning("reconcile: %s skipped: %s", name, exc)
    return counts
