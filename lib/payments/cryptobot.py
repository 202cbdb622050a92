"""Crypto Pay (CryptoBot): invoices over its HTTP API, and verification of its webhooks."""
import hashlib
import hmac
from decimal import Decimal

import requests

from lib.payments import PaymentProviderError

INVOICE_TTL_SECONDS = 3600


def signature_is_valid(token: str, raw_body: bytes, signature: str | None) -> bool:
    """Crypto Pay signs the raw body with HMAC-SHA256 keyed by SHA-256 of the API token."""
    if not token or not signature:
        return False
    expected = hmac.new(hashlib.sha256(token.encode()).digest(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


class CryptoPayClient:
    def __init__(self, token: str, api_url: str, timeout: float = 10.0):
        self.token, self.api_url, self.timeout = token, api_url.rstrip("/"), timeout

    def _call(self, method: str, **params):
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

    def create_invoice(self, *, order_id: int, currency: str, price_rub: Decimal, price_usdt: Decimal,
                       description: str) -> dict:
        """An invoice carrying our order id in `payload`, in RUB (any asset) or in USDT."""
        params = {"description": description[:1024], "payload": order_payload(order_id),
                  "expires_in": INVOICE_TTL_SECONDS, "allow_comments": False}
        if currency == "USDT":
            params.update(currency_type="crypto", asset="USDT", amount=f"{price_usdt:.2f}")
        else:
            params.update(currency_type="fiat", fiat="RUB", amount=f"{price_rub:.2f}")
        return self._call("createInvoice", **params)

    def get_invoices(self, invoice_ids) -> list:
        result = self._call("getInvoices", invoice_ids=",".join(str(i) for i in invoice_ids))
        return result.get("items", []) if isinstance(result, dict) else list(result)


def order_payload(order_id: int) -> str:
    """What an invoice carries to name our order."""
    return f"order:{order_id}"


def order_id_of(invoice: dict) -> int | None:
    """Our order id from an invoice's payload (`order:123`, or a bare `123`)."""
    text = str(invoice.get("payload") or "").strip().removeprefix("order:")
    return int(text) if text.isdigit() and len(text) < 19 else None


def paid_invoice_from_webhook(body: dict) -> dict | None:
    """The paid invoice inside a webhook update, or None for anything else."""
    if not isinstance(body, dict) or body.get("update_type") != "invoice_paid":
        return None
    invoice = body.get("payload")
    if not isinstance(invoice, dict) or invoice.get("status") != "paid" or "invoice_id" not in invoice:
        return None
    return invoice


def paid_amount(invoice: dict) -> tuple:
    """(amount, currency) the customer paid: the asset actually paid, else the invoiced amount."""
    if invoice.get("paid_amount") and invoice.get("paid_asset"):
        return str(invoice["paid_amount"]), str(invoice["paid_asset"])
    currency = invoice.get("fiat") if invoice.get("currency_type") == "fiat" else invoice.get("asset")
    return str(invoice.get("amount")), str(currency)
