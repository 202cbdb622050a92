"""The sandbox way to pay (SANDBOX_PAYMENTS=true): the order's owner presses pay, no money moves."""
from lib.payments.base import PAID, PaymentFact, PaymentProvider


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def confirm(self, order_id: int) -> PaymentFact:
        """The owner pressed "pay in sandbox": a payment as if a provider had reported it."""
        return PaymentFact(provider=self.name, payment_id=f"order-{order_id}", order_id=order_id, amount="0",
                           currency="SANDBOX", status=PAID)
