"""The mini app's order routes: buy or renew, an order's status, the sandbox's pay button."""
from lib.billing import actions as billing
from lib.miniapp.errors import ApiError, bad_request


def _object(body) -> dict:
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return body


def _renew_id(body) -> int | None:
    renew = body.get("renew")
    if renew is None:
        return None
    if isinstance(renew, bool) or not isinstance(renew, (int, str)) or not str(renew).isdigit() \
            or len(str(renew)) > 18:
        raise bad_request("renew must be the id of one of your keys or servers")
    return int(renew)


def create_order(rt, customer, body):
    body = _object(body)
    product = body.get("product")
    if product not in ("vpn", "vps"):
        raise ApiError(400, "unknown_plan", "product and plan must name a plan of the plans file")
    checkout = billing.buy(rt, customer["id"], body.get("plan"), str(body.get("provider")), product=product,
                           renew_id=_renew_id(body), language=customer["lang"])
    return 201, {"order_id": checkout.order_id, "status": checkout.status, "pay_url": checkout.pay_url}


def get_order(rt, customer, body, order_id):
    """What the page polls after the payment page: a pending order is re-read from its provider now and then."""
    order = billing.check_payment(rt, customer["id"], order_id)
    return 200, {"order_id": order["id"], "status": order["status"]}


def sandbox_pay(rt, customer, body, order_id):
    order = billing.pay_in_sandbox(rt, customer["id"], order_id)
    return 200, {"order_id": order["id"], "status": order["status"]}
