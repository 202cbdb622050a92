"""What fulfilment jobs share: an error meaning "retrying will not help", and the order's facts."""
from lib.models import Order


class CannotFulfil(RuntimeError):
    """Retrying will not help (product off, subnet or pool exhausted): fail the order now."""


def order_facts(order_id: int) -> dict | None:
    order = Order.get(id=order_id)
    if order is None:
        return None
    return {"status": order.status, "product": order.product, "user_id": order.user.id,
            "attempts": order.attempts, "error": order.error,
            "renew": order.renew_peer is not None or order.renew_server is not None}
