"""The sandbox way to pay (SANDBOX_PAYMENTS=true): the order's owner presses pay, no money moves."""
from lib.models import order_states as states
from lib.billing.orders import apply_payment
from lib.models.database import run_transaction


def pay_in_sandbox(rt, order: dict) -> bool:
    """Pay an owned sandbox order (a repeat changes nothing); False: not a sandbox order, or it is off."""
    if order["provider"] != "sandbox" or not rt.settings.sandbox_payments:
        return False
    if order["status"] == states.PENDING:
        run_transaction(apply_payment, rt.redis, provider="sandbox", provider_payment_id=f"order-{order['id']}",
                        order_id=order["id"], paid_amount="0", paid_currency="SANDBOX")
    return True
