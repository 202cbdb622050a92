"""The mini app's order routes: buy or renew, an order's status, the sandbox's pay button."""
from lib.billing import actions as billing
from lib.miniapp.errors import ApiError
from lib.miniapp.inputs import body_object, id_field, text_field


def create_order(rt, customer, body):
    body = body_object(body)
    product = text_field(body, "product", 16, required=False)
    plan = text_field(body, "plan", 64)
    provider = text_field(body, "provider", 32)
    renew_id = id_field(body, "renew")
    if product not in ("vpn", "vps"):
        raise ApiError(400, "unknown_plan", "product and plan must name a plan of the plans file")
    checkout = billing.buy(rt, customer["id"], plan, provider, product=product, renew_id=renew_id,
                           language=customer["lang"])
    return 201, {"order_id": checkout.order_id, "status": checkout.status, "pay_url": checkout.pay_url}


def get_order(rt, customer, body, order_id):
    """What the page polls after the payment page: a pending order is re-read from its provider now and then."""
    order = billing.check_payment(rt, customer["id"], order_id)
    return 200, {"order_id": order["id"], "status": order["status"]}


def sandbox_pay(rt, customer, body, order_id):
    order = billing.pay_in_sandbox(rt, customer["id"], order_id)
    return 200, {"order_id": order["id"], "status": order["status"]}
