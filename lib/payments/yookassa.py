"""YooKassa through its SDK: payments keyed by our order, and notifications trusted only once re-read.

The SDK sends without a timeout (its `timeout` setting is a retry back-off); every session it opens
here gets connect and read timeouts, so a stalled YooKassa never holds a worker.
"""
from decimal import Decimal

import requests
from requests.adapters import HTTPAdapter
from urllib3 import Retry

from lib.payments.base import (
    CANCELED,
    PAID,
    PENDING,
    OrderToPay,
    PaymentFact,
    PaymentLink,
    PaymentProvider,
    PaymentProviderError,
    RefundFact,
)
from lib.payments.yookassa_notices import notice_of

TIMEOUTS = (5, 15)  # seconds to connect, seconds to wait for an answer


class _TimedAdapter(HTTPAdapter):
    timeouts = TIMEOUTS

    def send(self, request, **kwargs):
        kwargs["timeout"] = kwargs.get("timeout") or self.timeouts
        return super().send(request, **kwargs)


def _timed_session(client, timeouts=TIMEOUTS):
    """The SDK's session (its retries on 202), with timeouts on every request."""
    session = requests.Session()
    adapter = _TimedAdapter(max_retries=Retry(total=client.max_attempts, backoff_factor=client.timeout / 1000,
                                              allowed_methods=["POST"], status_forcelist=[202]))
    adapter.timeouts = timeouts
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def idempotence_key(order_id: int, created_at) -> str:
    """Derived from our order, so a retried create returns the first payment instead of a second."""
    return f"shop-order-{order_id}-{int(created_at.timestamp())}"


def _order_id(metadata: dict) -> int | None:
    """The order id create_payment wrote into metadata, exactly; anything else is None."""
    text = (metadata or {}).get("order_id")
    if not isinstance(text, str) or not text.isdigit() or len(text) > 18 or str(int(text)) != text:
        return None
    return int(text)


def fact_of(payment) -> PaymentFact:
    status = payment.status
    paid = status == "succeeded" and bool(payment.paid)
    return PaymentFact(provider="yookassa", payment_id=payment.id, order_id=_order_id(dict(payment.metadata or {})),
                       amount=str(payment.amount.value), currency=payment.amount.currency,
                       status=PAID if paid else CANCELED if status == "canceled" else PENDING)


class YooKassaProvider(PaymentProvider):
    name = "yookassa"
    batch_size = 25  # one Payment.find_one each, so fewer per run

    def __init__(self, settings, timeouts: tuple = TIMEOUTS):
        from yookassa import Configuration  # imported here: only jobs and checkouts need the SDK
        from yookassa.client import ApiClient
        Configuration.configure(settings.yookassa_shop_id, settings.yookassa_secret_key,
                                api_url=settings.yookassa_api_url)
        ApiClient.get_session = lambda client: _timed_session(client, timeouts)

    def create_payment(self, order: OrderToPay) -> PaymentLink:
        """Create (or, on a retry, get back) the payment for an order."""
        from yookassa import Payment
        params = {"amount": {"value": f"{order.amount_rub:.2f}", "currency": "RUB"}, "capture": True,
                  "confirmation": {"type": "redirect", "return_url": order.return_url},
                  "description": order.description[:128], "metadata": {"order_id": str(order.id)}}
        try:
            payment = Payment.create(params, idempotence_key(order.id, order.created_at))
        except Exception as exc:  # the SDK raises its own error classes and requests' ones
            raise PaymentProviderError(f"YooKassa payment create failed: {type(exc).__name__}") from None
        return PaymentLink(payment.id, payment.confirmation.confirmation_url)

    def _find_one(self, resource, object_id: str, what: str):
        """resource.find_one(object_id) as YooKassa answers it, None when it knows no such object."""
        from yookassa.domain.exceptions.not_found_error import NotFoundError
        try:
            return resource.find_one(object_id)
        except NotFoundError:
            return None
        except Exception as exc:
            raise PaymentProviderError(f"YooKassa {what} lookup failed: {type(exc).__name__}") from None

    def fetch_payments(self, payment_ids):
        """Each payment re-read from YooKassa (the only version trusted), one at a time."""
        from yookassa import Payment
        for payment_id in payment_ids:
            payment = self._find_one(Payment, payment_id, "payment")
            if payment is not None:
                yield fact_of(payment)

    def fetch_refund(self, refund_id: str) -> RefundFact | None:
        from yookassa import Refund
        refund = self._find_one(Refund, refund_id, "refund")
        return None if refund is None else RefundFact(self.name, refund.id, refund.payment_id, refund.status)

    def read_notification(self, raw_body: bytes, headers):
        """The object a notification names, re-read from YooKassa (only that answer counts); None when it
        is no payment or refund, or YooKassa does not know it. Jobs call this; the webhook only queues."""
        notice = notice_of(raw_body)
        return None if notice is None else self.fact_for(*notice)

    def fact_for(self, kind: str, object_id: str):
        if kind == "refund":
            return self.fetch_refund(object_id)
        return next(iter(self.fetch_payments([object_id])), None)

    def refund(self, payment_id: str, order_id: int, amount: Decimal, currency: str) -> str:
        """Pay the money back through YooKassa, once per order (the key is derived from it)."""
        from yookassa import Refund
        try:
            refund = Refund.create({"payment_id": payment_id,
                                    "amount": {"value": f"{Decimal(amount):.2f}", "currency": currency},
                                    "description": f"Refund of order {order_id}"}, f"shop-refund-{order_id}")
        except Exception as exc:
            raise PaymentProviderError(f"YooKassa refund failed: {type(exc).__name__}") from None
        return refund.status
