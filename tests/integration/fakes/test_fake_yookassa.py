"""The fake YooKassa driven by the real SDK: payments, idempotence, credentials, validation, notifications, refunds."""
import pytest
import requests
from yookassa import Configuration, Payment, Refund
from yookassa.domain.exceptions import BadRequestError, NotFoundError, UnauthorizedError
from yookassa.domain.notification import WebhookNotificationFactory

from tests.fakes.clock import FakeClock
from tests.fakes.yookassa import FakeYooKassa
from tests.support.fake_checks import START, fixture


@pytest.fixture
def yk():
    fake = FakeYooKassa("100500", "test_secret", clock=FakeClock(start=START))
    fake.start()
    names = ("account_id", "secret_key", "auth_token", "api_url", "timeout", "max_attempts",
             "verify", "logger")
    saved = {n: getattr(Configuration, n) for n in names}
    Configuration.configure("100500", "test_secret", api_url=fake.api_url)
    yield fake
    for name, value in saved.items():
        setattr(Configuration, name, value)
    fake.stop()


def payment_params(**overrides):
    params = {"amount": {"value": "199.00", "currency": "RUB"}, "capture": True,
              "confirmation": {"type": "redirect", "return_url": "https://t.me/fake_shop_bot"},
              "description": "VPN, 1 month", "metadata": {"order_id": "42"}}
    params.update(overrides)
    return params


def yk_post(fake, path, body, key="k-1", auth=("100500", "test_secret")):
    headers = {"Idempotence-Key": key} if key else {}
    return requests.post(fake.api_url + path, json=body, auth=auth, headers=headers, timeout=5)


def test_yookassa_create_payment_with_sdk(yk):
    payment = Payment.create(payment_params(), "order-42")
    assert payment.status == "pending" and payment.paid is False and payment.test is True
    assert payment.confirmation.confirmation_url.endswith(payment.id)
    assert payment.amount.value == 199 and payment.recipient.account_id == "100500"
    assert payment.metadata["order_id"] == "42" and payment.refundable is False
    assert set(fixture("yookassa_payment_pending.json")) <= set(yk.payments[payment.id])
    assert Payment.find_one(payment.id).id == payment.id


def test_yookassa_idempotence(yk):
    first = Payment.create(payment_params(), "order-42")
    assert Payment.create(payment_params(), "order-42").id == first.id
    with pytest.raises(BadRequestError) as info:
        Payment.create(payment_params(description="changed"), "order-42")
    assert info.value.content["code"] == "invalid_request"
    assert yk.idempotence_keys == ["order-42"] * 3 and len(yk.payments) == 1
    r = yk_post(yk, "/payments", payment_params(), key=None)
    assert r.status_code == 400 and r.json()["parameter"] == "Idempotence-Key"


def test_yookassa_credentials(yk):
    Configuration.configure("100500", "wrong", api_url=yk.api_url)
    with pytest.raises(UnauthorizedError) as info:
        Payment.find_one("x")
    assert info.value.content["code"] == "invalid_credentials"
    assert info.value.content["type"] == "error" and info.value.content["id"]


@pytest.mark.parametrize("overrides,parameter", [
    ({"amount": {"value": "199.001", "currency": "RUB"}}, "amount.value"),
    ({"amount": {"value": "-5.00", "currency": "RUB"}}, "amount.value"),
    ({"amount": {"value": "5.00", "currency": "rub"}}, "amount.currency"),
    ({"confirmation": {"type": "redirect"}}, "confirmation.return_url"),
    ({"confirmation": {"type": "teleport"}}, "confirmation.type"),
    ({"description": "d" * 129}, "description"),
    ({"metadata": {"k%d" % i: "v" for i in range(17)}}, "metadata"),
    ({"metadata": {"nested": {"a": 1}}}, "metadata"),
    ({"capture": "yes"}, "capture"),
])
def test_yookassa_payment_validation(yk, overrides, parameter):
    r = yk_post(yk, "/payments", payment_params(**overrides))
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_request" and r.json()["parameter"] == parameter


def test_yookassa_unknown_payment(yk):
    with pytest.raises(NotFoundError) as info:
        Payment.find_one("2f3b588d-000f-5000-8000-1d6e87c7fbde")
    assert info.value.content["code"] == "not_found"


def test_yookassa_succeed_notification_and_forgery(yk):
    payment = Payment.create(payment_params(), "order-1")
    forged = yk.forged_notification(payment.id)
    assert forged["object"]["status"] == "succeeded"
    assert Payment.find_one(payment.id).status == "pending"  # the re-read exposes it
    with pytest.raises(ValueError):
        yk.notification(payment.id)  # not succeeded yet
    yk.clock.advance(300)  # the buyer takes five minutes to pay
    yk.succeed(payment.id)
    found = Payment.find_one(payment.id)
    assert found.status == "succeeded" and found.paid
    assert (found.created_at, found.captured_at) == ("2025-06-15T15:06:40.000Z",
                                                     "2025-06-15T15:11:40.000Z")
    assert found.payment_method.type == "bank_card" and found.income_amount.value < 199
    body = yk.notification(payment.id)
    real = fixture("yookassa_payment_succeeded.json")
    assert set(real) == set(body) and set(real["object"]) <= set(body["object"])
    for notice in (real, body, forged):
        assert WebhookNotificationFactory().create(notice).object.status == "succeeded"


def test_yookassa_cancel_and_refunds(yk):
    canceled = Payment.create(payment_params(), "order-c")
    yk.cancel(canceled.id)
    found = Payment.find_one(canceled.id)
    assert found.status == "canceled" and found.cancellation_details.reason
    assert yk.notification(canceled.id, "payment.canceled")["event"] == "payment.canceled"
    refund = {"payment_id": canceled.id, "amount": {"value": "199.00", "currency": "RUB"}}
    with pytest.raises(BadRequestError):
        Refund.create(refund, "refund-c")
    paid = Payment.create(payment_params(), "order-p")
    yk.succeed(paid.id)
    assert yk_post(yk, "/refunds", dict(refund, payment_id=paid.id), key=None).status_code == 400
    partial = Refund.create(dict(refund, payment_id=paid.id,
                                 amount={"value": "100.00", "currency": "RUB"}), "refund-1")
    assert partial.status == "succeeded" and partial.payment_id == paid.id
    with pytest.raises(BadRequestError):
        Refund.create(dict(refund, payment_id=paid.id), "refund-2")  # only 99.00 left
    assert Payment.find_one(paid.id).refunded_amount.value == 100
    assert yk.notification(paid.id, "refund.succeeded")["object"]["id"] == partial.id
