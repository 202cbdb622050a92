"""YooKassa through its SDK: payments keyed by our order, and re-reading a payment to trust it."""
from decimal import Decimal

from lib.payments import PaymentProviderError


def idempotence_key(order_id: int, created_at) -> str:
    """Derived from our order, so a retried create returns the first payment instead of a second."""
    return f"shop-order-{order_id}-{int(created_at.timestamp())}"


def _configure(settings):
    from yookassa import Configuration  # imported here: only jobs and checkouts need the SDK
    Configuration.configure(settings.yookassa_shop_id, settings.yookassa_secret_key,
                            api_url=settings.yookassa_api_url)


def create_payment(settings, *, order_id: int, created_at, amount_rub: Decimal, description: str,
                   return_url: str) -> dict:
    """Create (or, on a retry, get back) the payment for an order: {'id', 'confirmation_url'}."""
    from yookassa import Payment
    _configure(settings)
    params = {
        "amount": {"value": f"{amount_rub:.2f}", "currency": "RUB"},
        "capture": True,
        "confirmation": {"type": "redirect", "return_url": return_url},
        "description": description[:128],
        "metadata": {"order_id": str(order_id)},
    }
    try:
        payment = Payment.create(params, idempotence_key(order_id, created_at))
    except Exception as exc:  # the SDK raises its own error classes and requests' ones
        raise PaymentProviderError(f"YooKassa payment create failed: {type(exc).__name__}") from None
    return {"id": payment.id, "confirmation_url": payment.confirmation.confirmation_url}


def _find_one(settings, resource, object_id: str, what: str):
    """resource.find_one(object_id) as YooKassa answers it, None when it knows no such object."""
    from yookassa.domain.exceptions.not_found_error import NotFoundError
    _configure(settings)
    try:
        return resource.find_one(object_id)
    except NotFoundError:
        return None
    except Exception as exc:
        raise PaymentProviderError(f"YooKassa {what} lookup failed: {type(exc).__name__}") from None


def fetch_payment(settings, payment_id: str) -> dict | None:
    """The payment as YooKassa itself reports it (the only version we trust), or None if unknown."""
    from yookassa import Payment
    payment = _find_one(settings, Payment, payment_id, "payment")
    if payment is None:
        return None
    return {"id": payment.id, "status": payment.status, "paid": bool(payment.paid),
            "amount": str(payment.amount.value), "currency": payment.amount.currency,
            "metadata": dict(payment.metadata or {})}


def refund_payment(settings, *, payment_id: str, order_id: int, amount: str, currency: str) -> str:
    """Return a payment's money through YooKassa, once per order (the key is derived from it)."""
    from yookassa import Refund
    _configure(settings)
    try:
        refund = Refund.create({"payment_id": payment_id, "amount": {"value": amount, "currency": currency},
                                "description": f"Refund of order {order_id}"}, f"shop-refund-{order_id}")
    except Exception as exc:
        raise PaymentProviderError(f"YooKassa refund failed: {type(exc).__name__}") from None
    return refund.status


def fetch_refund(settings, refund_id: str) -> dict | None:
    """A refund as YooKassa reports it (for refund.succeeded notifications), or None if unknown."""
    from yookassa import Refund
    refund = _find_one(settings, Refund, refund_id, "refund")
    if refund is None:
        return None
    return {"id": refund.id, "payment_id": refund.payment_id, "status": refund.status}
