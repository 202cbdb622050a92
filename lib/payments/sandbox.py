"""The sandbox way to pay (SANDBOX_PAYMENTS=true): the order's owner presses pay, no money moves."""
from decimal import Decimal

from lib.payments.base import PAID, OrderToPay, PaymentFact, PaymentLink, PaymentProvider


def _payment_id(order_id: int) -> str:
    return f"order-{order_id}"


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def create_payment(self, order: OrderToPay) -> PaymentLink:
        return PaymentLink(_payment_id(order.id), None)

    def confirm(self, order_id: int, amount_rub: Decimal) -> PaymentFact:
        """The owner pressed "pay in sandbox": the order's own payment, as if a provider had reported it."""
        return PaymentFact(provider=self.name, payment_id=_payment_id(order_id), order_id=order_id,
                           amount=f"{amount_rub:.2f}", currency="RUB", status=PAID)
