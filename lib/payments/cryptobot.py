"""Crypto Pay (CryptoBot): invoices over its HTTP API, and verification of its webhooks."""
import hashlib
import hmac
import json
from decimal import Decimal

import requests

from lib.payments.base import (
    CANCELED,
    PAID,
    PENDING,
    BadNotification,
    OrderToPay,
    PaymentFact,
    PaymentLink,
    PaymentProvider,
    PaymentProviderError,
)

INVOICE_TTL_SECONDS = 3600
STATUSES = {"paid": PAID, "active": PENDING, "expired": CANCELED}


def signature_is_valid(token: str, raw_body: bytes, signature: str | None) -> bool:
    """Crypto Pay signs the raw body with HMAC-SHA256 keyed by SHA-256 of the API token."""
    if not token or not signature:
        return False
    expected = hmac.new(hashlib.sha256(token.encode()).digest(), raw_body, hashlib.sha256).hexdigest()
    # Bytes: a header with non-ASCII characters is simply a wrong signature.
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode("utf-8", "replace"))


class CryptoPayClient:
    def __init__(self, token: str, api_url: str, timeout: float = 10.0):
        self.token, self.api_url, self.timeout = token, api_url.rstrip("/"), timeout

    def call(self, method: str, **params):
        try:
            response = requests.post(f"{self.api_url}/{method}", json=params, timeout=self.timeout,
                                     headers={"Crypto-Pay-API-Token": self.token})
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise PaymentProviderError(f"Crypto Pay {method} unreachable: {type(exc).__name__}") from None
        if not body.get("ok"):
            error = body.get("error") or {}
            raise PaymentProviderError(f"Crypto Pay {method} refused: {error.get('name') or response.status_code}")
        return body["result"]

    def get_invoices(self, invoice_ids) -> list:
        result = self.call("getInvoices", invoice_ids=",".join(str(i) for i in invoice_ids))
        return result.get("items", []) if isinstance(result, dict) else list(result)


def order_payload(order_id: int) -> str:
    """What an invoice carries to name our order."""
    return f"order:{order_id}"


def order_id_of(invoice: dict) -> int | None:
    """Our order id from an invoice's payload: exactly `order:<id>` as create_payment wrote it, else None."""
    text = invoice.get("payload")
    digits = text.removeprefix("order:") if isinstance(text, str) and text.startswith("order:") else ""
    return int(digits) if digits.isdigit() and len(digits) < 19 and str(int(digits)) == digits else None


def paid_amount(invoice: dict) -> tuple:
    """(amount, currency) the invoice was paid in: a fiat invoice's own fiat amount (Crypto Pay marks it paid
    only when the asset paid covers it), a crypto invoice's asset actually paid."""
    if invoice.get("currency_type") == "fiat":
        return str(invoice.get("amount")), str(invoice.get("fiat"))
    if invoice.get("paid_amount") and invoice.get("paid_asset"):
        return str(invoice["paid_amount"]), str(invoice["paid_asset"])
    return str(invoice.get("amount")), str(invoice.get("asset"))


def fact_of(invoice: dict) -> PaymentFact:
    amount, currency = paid_amount(invoice)
    return PaymentFact(provider="cryptobot", payment_id=str(invoice["invoice_id"]), order_id=order_id_of(invoice),
                       amount=amount, currency=currency, status=STATUSES.get(invoice.get("status"), PENDING))


class CryptoPayProvider(PaymentProvider):
    name = "cryptobot"
    batch_size = 100  # one getInvoices call; 100 is the API's default page size

    def __init__(self, settings):
        self.token, self.currency = settings.cryptobot_token, settings.cryptobot_currency
        self.client = CryptoPayClient(settings.cryptobot_token, settings.cryptobot_api_url)

    def charge_for(self, amount_rub: Decimal, amount_usdt: Decimal) -> tuple:
        return (amount_usdt, "USDT") if self.currency == "USDT" else (amount_rub, "RUB")

    def create_payment(self, order: OrderToPay) -> PaymentLink:
        """An invoice carrying our order id in `payload`, in RUB (any asset) or in USDT."""
        params = {"description": order.description[:1024], "payload": order_payload(order.id),
                  "expires_in": INVOICE_TTL_SECONDS, "allow_comments": False}
        amount, currency = self.charge_for(order.amount_rub, order.amount_usdt)
        if currency == "USDT":
            params.update(currency_type="crypto", asset="USDT", amount=f"{amount:.2f}")
        else:
            params.update(currency_type="fiat", fiat="RUB", amount=f"{amount:.2f}")
        invoice = self.client.call("createInvoice", **params)
        return PaymentLink(str(invoice["invoice_id"]), invoice.get("bot_invoice_url") or invoice.get("pay_url"))

    def fetch_payments(self, payment_ids):
        """The whole batch in one getInvoices call."""
        return [fact_of(invoice) for invoice in self.client.get_invoices(payment_ids) if "invoice_id" in invoice]

    def read_notification(self, raw_body: bytes, headers) -> PaymentFact | None:
        """The paid invoice of a signed `invoice_paid` update; anything else signed is None."""
        if not signature_is_valid(self.token, raw_body, headers.get("crypto-pay-api-signature")):
            raise BadNotification(401, "bad signature")
        try:
            update = json.loads(raw_body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BadNotification(400, "body is not valid JSON") from None
        if not isinstance(update, dict) or update.get("update_type") != "invoice_paid":
            return None
        invoice = update.get("payload")
        if not isinstance(invoice, dict) or invoice.get("status") != "paid" or "invoice_id" not in invoice:
            return None
        return fact_of(invoice)
