"""Which ways to pay are on, the adapter for one, and YooKassa's malformed notifications (no network call)."""
import json
import os
from types import SimpleNamespace

import pytest

from lib.config import Settings, load_settings
from lib.payments import BadNotification, ProviderOff, get_provider
from lib.payments.cryptobot import CryptoPayProvider
from lib.payments.sandbox import SandboxProvider
from lib.payments.yookassa import YooKassaProvider

BASE = {"DATABASE_URL": "postgresql://shop@db/shop", "REDIS_URL": "redis://redis:6379/0",
        "CRON_SECRET": "cron-secret", "SECRET_KEY": "0123456789abcdef0123"}
ALL_ON = {"CRYPTOBOT_TOKEN": "12345:AAtoken", "YOOKASSA_SHOP_ID": "100500", "YOOKASSA_SECRET_KEY": "test_secret",
          "SANDBOX_PAYMENTS": "true",
          "YOOKASSA_API_URL": "http://127.0.0.1:9/v3"}  # a call that slips through fails at once (conftest)


def settings(**env):
    return load_settings({**BASE, **env}, dotenv_path=os.devnull)


def test_providers_in_menu_order():
    settings = SimpleNamespace(cryptobot_enabled=True, yookassa_enabled=False, sandbox_payments=True)
    assert Settings.payment_providers(settings) == ["cryptobot", "sandbox", "balance"]


@pytest.mark.parametrize("name", ["cryptobot", "yookassa", "sandbox", "paypal", ""])
def test_a_provider_that_is_off_or_unknown_is_refused(name):
    with pytest.raises(ProviderOff, match="is off"):
        get_provider(settings(), name)


def test_the_balance_is_always_a_way_to_pay_and_settles_at_once():
    provider = get_provider(settings(), "balance")
    assert provider.name == "balance" and provider.settles_now


def test_each_provider_that_is_on_gets_its_own_adapter():
    on = settings(**ALL_ON)
    assert on.payment_providers() == ["cryptobot", "yookassa", "sandbox", "balance"]
    assert isinstance(get_provider(on, "cryptobot"), CryptoPayProvider)
    assert isinstance(get_provider(on, "yookassa"), YooKassaProvider)
    assert isinstance(get_provider(on, "sandbox"), SandboxProvider)
    with pytest.raises(ProviderOff):
        get_provider(on, "paypal")


def test_only_the_configured_one_is_on():
    assert settings(CRYPTOBOT_TOKEN="12345:AAtoken").payment_providers() == ["cryptobot", "balance"]
    with pytest.raises(ProviderOff):
        get_provider(settings(CRYPTOBOT_TOKEN="12345:AAtoken"), "yookassa")


def yookassa():
    return get_provider(settings(**ALL_ON), "yookassa")


def note(event="payment.succeeded", **obj):
    return json.dumps({"type": "notification", "event": event, "object": obj}).encode()


@pytest.mark.parametrize("body", [
    b"", b"not json", b"\xff\xfe", b"[]", b"null", b"\"payment.succeeded\"",
    json.dumps({"type": "notification", "event": "payment.succeeded"}).encode(),  # no object
    json.dumps({"event": "payment.succeeded", "object": "2d0f6b7b"}).encode(),  # object is no object
    note(), note(id=""), note(id="../../refunds/1"), note(id="a" * 65), note(id="2d0f 6b7b"),
    note(event=7, id="2d0f6b7b-000f-5000-9000-1b68e7b15f3f"),
])
def test_a_malformed_yookassa_notification_is_refused_with_400(body):
    with pytest.raises(BadNotification) as refused:
        yookassa().read_notification(body, {})
    assert refused.value.status == 400


@pytest.mark.parametrize("event", ["payout.succeeded", "deal.closed", ""])
def test_a_well_formed_notification_about_no_payment_or_refund_is_ignored(event):
    assert yookassa().read_notification(note(event, id="2d0f6b7b-000f-5000-9000-1b68e7b15f3f"), {}) is None



@pytest.mark.parametrize("object_id", [None, True])
def test_a_notification_whose_object_id_is_no_string_is_refused_with_400(object_id):
    with pytest.raises(BadNotification) as refused:
        yookassa().read_notification(note(id=object_id), {})
    assert refused.value.status == 400
