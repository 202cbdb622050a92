"""The payment provider interface and the facts it returns; no provider SDK is imported here."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

PAID, PENDING, CANCELED = "paid", "pending", "canceled"  # canceled: nobody paid and nobody can any more


class PaymentProviderError(RuntimeError):
    """The provider refused or could not be reached; safe to show as 'try again later'."""


class BadNotification(ValueError):
    """A notification that is not the provider's (bad signature: 401) or not one at all (400)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class RefundUnsupported(PaymentProviderError):
    """The provider has no way to pay money back (Crypto Pay): refund to the balance instead."""


@dataclass(frozen=True)
class OrderToPay:
    """What a provider is told about an order it should take the money for."""
    id: int
    amount_rub: Decimal
    amount_usdt: Decimal
    created_at: datetime
    description: str
    return_url: str


@dataclass(frozen=True)
class PaymentLink:
    payment_id: str | None  # the provider's id for the payment, to re-read it later
    pay_url: str | None  # where the customer pays; None: nothing to open (balance, sandbox)


@dataclass(frozen=True)
class PaymentFact:
    """One payment as the provider itself reports it, verified (signature checked or re-read)."""
    provider: str
    payment_id: str
    order_id: int | None  # the order the payment names exactly (Crypto Pay `order:<id>`, YooKassa metadata)
    amount: str  # what the customer paid, as the provider writes it
    currency: str
    status: str  # PAID, PENDING or CANCELED


@dataclass(frozen=True)
class RefundFact:
    """A refund the provider reports as made (YooKassa's refund.succeeded, re-read from its API)."""
    provider: str
    refund_id: str
    payment_id: str
    status: str


class PaymentProvider:
    """One way to pay. `settles_now`: the order is paid as it is created (the balance)."""
    name = ""
    settles_now = False
    batch_size = 25  # payments re-read per reconcile run

    def charge_for(self, amount_rub: Decimal, amount_usdt: Decimal) -> tuple:
        """(amount, currency) this provider collects for an order of that price."""
        return amount_rub, "RUB"

    def create_payment(self, order: OrderToPay) -> PaymentLink:
        return PaymentLink(None, None)

    def fetch_payments(self, payment_ids):
        """Each payment as the provider reports it now (an iterable of PaymentFact)."""
        return []

    def read_notification(self, raw_body: bytes, headers) -> PaymentFact | RefundFact | None:
        """The verified fact behind a webhook, None when it is not about money; BadNotification if forged."""
        raise BadNotification(404, f"{self.name} sends no notifications")

    def refund(self, payment_id: str, order_id: int, amount: Decimal, currency: str) -> str:
        raise RefundUnsupported(f"{self.name} cannot pay money back")
