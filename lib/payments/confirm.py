"""Applying a payment once the provider itself confirms it: webhooks and 'check payment' both land here."""
import logging

from lib.billing.orders import UNKNOWN_ORDER, apply_payment
from lib.models.database import run_transaction
from lib.models import Order, Payment
from lib.payments import cryptobot

log = logging.getLogger(__name__)


def apply_paid_invoice(rt, invoice: dict) -> str:
    """A Crypto Pay invoice with status paid → the order is paid (or the money goes to the balance)."""
    order_id = cryptobot.order_id_of(invoice)
    if order_id is None:
        log.error("paid Crypto Pay invoice %s names no order of ours", invoice.get("invoice_id"))
        return UNKNOWN_ORDER
    amount, currency = cryptobot.paid_amount(invoice)
    outcome = run_transaction(apply_payment, rt.redis, provider="cryptobot",
                              provider_payment_id=str(invoice["invoice_id"]), order_id=order_id,
                              paid_amount=amount, paid_currency=currency)
    if outcome == UNKNOWN_ORDER:
        log.error("paid Crypto Pay invoice %s names unknown order %s", invoice.get("invoice_id"), order_id)
    return outcome


def apply_yookassa_payment(rt, payment_id: str) -> str:
    """Re-read the payment from YooKassa and apply it only if YooKassa says it succeeded."""
    from lib.payments.yookassa_gateway import fetch_payment
    payment = fetch_payment(rt.settings, payment_id)
    if payment is None:
        return "not_found"
    if payment["status"] != "succeeded" or not payment["paid"]:
        return f"not_paid:{payment['status']}"
    try:
        order_id = int(payment["metadata"].get("order_id", ""))
    except ValueError:
        log.error("succeeded YooKassa payment %s names no order of ours", payment["id"])
        return UNKNOWN_ORDER
    return run_transaction(apply_payment, rt.redis, provider="yookassa", provider_payment_id=payment["id"],
                           order_id=order_id, paid_amount=payment["amount"], paid_currency=payment["currency"])


def _order_ref(order_id):
    order = Order.get(id=order_id)
    return (order.provider, order.provider_ref, order.status) if order else (None, None, None)


def recheck_order(rt, order_id: int) -> str:
    """Ask the provider about a pending order and apply the payment if it was made; the order's status."""
    provider, ref, status = run_transaction(_order_ref, order_id)
    if status == "pending" and ref:
        if provider == "cryptobot" and rt.settings.cryptobot_enabled:
            client = cryptobot.CryptoPayClient(rt.settings.cryptobot_token, rt.settings.cryptobot_api_url)
            for invoice in client.get_invoices([ref]):
                if invoice.get("status") == "paid":
                    apply_paid_invoice(rt, invoice)
        elif provider == "yookassa" and rt.settings.yookassa_enabled:
            apply_yookassa_payment(rt, ref)
    return run_transaction(_order_ref, order_id)[2]


def _order_of_payment(provider, payment_id):
    payment = Payment.get(provider=provider, provider_payment_id=payment_id)
    return payment.order.id if payment and payment.order else None


def apply_yookassa_refund(rt, refund_id: str) -> str:
    """A refund.succeeded notification: re-read the refund, then unwind its order (by a job)."""
    from lib.payments.yookassa_gateway import fetch_refund
    from lib import tasks
    from lib.tasks import enqueue
    refund = fetch_refund(rt.settings, refund_id)
    if refund is None:
        return "not_found"
    if refund["status"] != "succeeded":
        return f"not_refunded:{refund['status']}"
    order_id = run_transaction(_order_of_payment, "yookassa", refund["payment_id"])
    if order_id is None:
        return UNKNOWN_ORDER
    enqueue(rt.redis, tasks.REFUND_ORDER, order_id, "notified", "refunded at YooKassa")
    return "refund_queued"
