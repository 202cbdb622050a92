"""Payment providers behind one interface (lib.payments.base): Crypto Pay, YooKassa, the balance, a sandbox.

Each adapter turns an order into a way to pay, and a provider's notification or answer into a
verified PaymentFact; what a fact means for the order is decided once, in lib.billing.settlement.
"""
from lib.payments.base import (
                               CANCELED,
                               PAID,
                               PENDING,
                               BadNotification,
                               PaymentFact,
                               PaymentLink,
                               PaymentProviderError,
                               RefundFact,
                               RefundUnsupported,
)
from lib.payments.registry import ProviderOff, get_provider

__all__ = ["PAID", "PENDING", "CANCELED", "PaymentFact", "PaymentLink", "RefundFact", "PaymentProviderError",
           "BadNotification", "RefundUnsupported", "ProviderOff", "get_provider"]
