"""The fake Crypto Pay: its token, invoices in every encoding, validation, signed webhooks, expiry on its clock."""
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import requests

from tests.fakes.clock import FakeClock
from tests.fakes.cryptopay import FakeCryptoPay
from tests.support.fake_checks import START, fixture


@pytest.fixture
def cp():
    fake = FakeCryptoPay("1234:AAcryptoToken", clock=FakeClock(start=START))
    fake.start()
    yield fake
    fake.stop()


def cp_call(fake, method, token=None, how="json", **params):
    headers = {"Crypto-Pay-API-Token": fake.token if token is None else token}
    url = fake.api_url + "/" + method
    if how == "get":
        return requests.get(url, params=params, headers=headers, timeout=5)
    kwargs = {"json": params} if how == "json" else {"data": params}
    return requests.post(url, headers=headers, timeout=5, **kwargs)


def test_cryptopay_requires_token(cp):
    for token in ("", "wrong"):
        r = cp_call(cp, "getMe", token=token)
        assert r.status_code == 401
        assert r.json() == {"ok": False, "error": {"code": 401, "name": "UNAUTHORIZED"}}
    assert cp_call(cp, "getMe", how="get").json()["result"]["name"]
    assert cp_call(cp, "nope").json()["error"]["name"] == "METHOD_NOT_FOUND"


@pytest.mark.parametrize("how", ["json", "form", "get"])
def test_create_invoice_any_encoding(cp, how):
    r = cp_call(cp, "createInvoice", how=how, currency_type="crypto", asset="USDT",
                amount="1.5", description="VPN", payload="order:42", expires_in=3600)
    inv = r.json()["result"]
    assert inv["status"] == "active" and inv["amount"] == "1.5" and inv["payload"] == "order:42"
    assert inv["bot_invoice_url"] == "https://t.me/CryptoBot?start=" + inv["hash"]
    assert inv["mini_app_invoice_url"] and inv["web_app_invoice_url"] and inv["expiration_date"]
    assert isinstance(inv["invoice_id"], int) and inv["allow_comments"] is True


@pytest.mark.parametrize("params,name", [
    ({"asset": "DOGE", "amount": "1"}, "ASSET_INVALID"),
    ({"currency_type": "fiat", "fiat": "XXX", "amount": "1"}, "FIAT_INVALID"),
    ({"currency_type": "fiat", "fiat": "RUB", "accepted_assets": "USDT,DOGE", "amount": "1"},
     "ACCEPTED_ASSETS_INVALID"),
    ({"currency_type": "gold", "amount": "1"}, "CURRENCY_TYPE_INVALID"),
    ({"asset": "USDT", "amount": "0"}, "AMOUNT_INVALID"),
    ({"asset": "USDT", "amount": "-1"}, "AMOUNT_INVALID"),
    ({"asset": "USDT", "amount": "abc"}, "AMOUNT_INVALID"),
    ({"asset": "USDT"}, "AMOUNT_INVALID"),
    ({"asset": "USDT", "amount": "1", "description": "d" * 1025}, "DESCRIPTION_TOO_LONG"),
    ({"asset": "USDT", "amount": "1", "payload": "я" * 2049}, "PAYLOAD_TOO_LONG"),
    ({"asset": "USDT", "amount": "1", "expires_in": 0}, "EXPIRES_IN_INVALID"),
    ({"asset": "USDT", "amount": "1", "expires_in": 2678401}, "EXPIRES_IN_INVALID"),
])
def test_create_invoice_validation(cp, params, name):
    r = cp_call(cp, "createInvoice", **params)
    assert r.status_code == 400
    assert r.json() == {"ok": False, "error": {"code": 400, "name": name}}


def test_pay_builds_signed_webhook(cp):
    inv = cp_call(cp, "createInvoice", asset="USDT", amount="1.5", description="VPN",
                  payload="order:42").json()["result"]
    raw, headers = cp.pay(inv["invoice_id"])
    secret = hashlib.sha256(cp.token.encode()).digest()
    assert headers["crypto-pay-api-signature"] == hmac.new(secret, raw, hashlib.sha256).hexdigest()
    update = json.loads(raw)
    assert update["update_type"] == "invoice_paid" and isinstance(update["update_id"], int)
    paid = update["payload"]
    assert paid["status"] == "paid" and paid["paid_asset"] == "USDT" and paid["payload"] == "order:42"
    real = fixture("cryptopay_invoice_paid.json")
    assert set(real) == set(update)
    assert set(real["payload"]) <= set(paid)
    with pytest.raises(ValueError):
        cp.pay(inv["invoice_id"])
    got = cp_call(cp, "getInvoices", how="get", invoice_ids=str(inv["invoice_id"])).json()
    assert got["result"]["items"][0]["status"] == "paid"


def test_fiat_invoice_accepted_assets(cp):
    inv = cp_call(cp, "createInvoice", currency_type="fiat", fiat="RUB", amount="180",
                  accepted_assets="USDT,TON").json()["result"]
    assert inv["accepted_assets"] == ["USDT", "TON"] and "asset" not in inv
    with pytest.raises(ValueError):
        cp.pay(inv["invoice_id"], asset="BTC")
    paid = json.loads(cp.pay(inv["invoice_id"], asset="USDT")[0])["payload"]
    assert paid["paid_amount"] == "2" and paid["paid_fiat_rate"] == "90"


def test_get_invoices_filters_expire_and_delete(cp):
    ids = [cp_call(cp, "createInvoice", asset="TON", amount=str(n)).json()["result"]["invoice_id"]
           for n in (1, 2, 3)]
    cp.pay(ids[0], asset="TON")
    cp.expire(ids[1])
    result = cp_call(cp, "getInvoices", invoice_ids="%d,%d" % (ids[0], ids[1])).json()["result"]
    assert [i["status"] for i in result["items"]] == ["paid", "expired"]
    active = cp_call(cp, "getInvoices", status="active").json()["result"]["items"]
    assert [i["invoice_id"] for i in active] == [ids[2]]
    with pytest.raises(ValueError):
        cp.pay(ids[1], asset="TON")
    assert cp_call(cp, "deleteInvoice", invoice_id=ids[2]).json() == {"ok": True, "result": True}
    assert cp_call(cp, "deleteInvoice", invoice_id=ids[2]).json()["error"]["name"] == \
        "INVOICE_NOT_FOUND"
    assert len(cp.invoices) == 2
    asked = [p.get("invoice_ids") for p in cp.calls("getInvoices")]
    assert asked == ["%d,%d" % (ids[0], ids[1]), None]  # what the client sent, in order
    assert [p["invoice_id"] for p in cp.calls("deleteInvoice")] == [ids[2]] * 2


def test_invoice_expires_by_itself(cp):
    inv = cp_call(cp, "createInvoice", asset="USDT", amount="1", expires_in=1).json()["result"]
    assert inv["created_at"] == "2025-06-15T15:06:40.000Z"
    assert inv["expiration_date"] == "2025-06-15T15:06:41.000Z"
    cp.clock.advance(0.9)
    assert cp.invoice(inv["invoice_id"])["status"] == "active"
    cp.clock.advance(0.2)
    got = cp_call(cp, "getInvoices", invoice_ids=str(inv["invoice_id"])).json()["result"]
    assert got["items"][0]["status"] == "expired"
    with pytest.raises(ValueError):
        cp.pay(inv["invoice_id"])


def test_a_fake_can_share_the_shops_clock():
    from lib import clock  # reset around every test by tests/conftest.py
    with FakeCryptoPay(clock=clock.epoch) as fake:
        inv = cp_call(fake, "createInvoice", asset="USDT", amount="1",
                      expires_in=3600).json()["result"]
        clock.advance(timedelta(minutes=59))
        assert fake.invoice(inv["invoice_id"])["status"] == "active"
        clock.advance(timedelta(minutes=2))
        assert fake.invoice(inv["invoice_id"])["status"] == "expired"


