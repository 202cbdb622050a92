"""Crypto Pay's webhook: only a body signed with our token counts, and a paid invoice names order and money."""
import hashlib
import hmac
import json
import os

import pytest
from werkzeug.datastructures import Headers

from lib.config import load_settings
from lib.payments import PAID, BadNotification, PaymentFact
from lib.payments.cryptobot import CryptoPayProvider, signature_is_valid

TOKEN = "12345:AAtestCryptoPayToken"
BASE = {"DATABASE_URL": "postgresql://shop@db/shop", "REDIS_URL": "redis://redis:6379/0",
        "CRON_SECRET": "cron-secret", "SECRET_KEY": "0123456789abcdef0123", "CRYPTOBOT_TOKEN": TOKEN}


def signed_by(token: str, body: bytes) -> str:
    """The rule of PROVIDERS.md: HMAC-SHA256 of the raw body, keyed by SHA-256 of the API token."""
    return hmac.new(hashlib.sha256(token.encode()).digest(), body, hashlib.sha256).hexdigest()


def invoice(**fields):
    return {"invoice_id": 528890, "hash": "IVDoTcNBYEfk", "currency_type": "fiat", "fiat": "RUB", "amount": "199.00",
            "status": "paid", "payload": "order:42", "paid_asset": "USDT", "paid_amount": "2.15", **fields}


def update(update_type="invoice_paid", payload=None) -> bytes:
    return json.dumps({"update_id": 1, "update_type": update_type, "request_date": "2030-01-01T00:00:00.000Z",
                       "payload": invoice() if payload is None else payload}).encode()


def read(body: bytes, signature: str | None = "sign it"):
    provider = CryptoPayProvider(load_settings(BASE, dotenv_path=os.devnull))
    headers = Headers()  # what the webhook hands over: request.headers, names in any case
    if signature is not None:
        headers["Crypto-Pay-API-Signature"] = signed_by(TOKEN, body) if signature == "sign it" else signature
    return provider.read_notification(body, headers)


def test_the_signature_is_hmac_of_the_raw_body_keyed_by_the_tokens_sha256():
    body = update()
    assert signature_is_valid(TOKEN, body, signed_by(TOKEN, body))
    assert signature_is_valid(TOKEN, body, " " + signed_by(TOKEN, body).upper() + "\n")


@pytest.mark.parametrize("token, body, signature", [
    (TOKEN, update() + b" ", signed_by(TOKEN, update())),  # one byte more than what was signed
    (TOKEN, json.dumps(json.loads(update()), indent=1).encode(), signed_by(TOKEN, update())),  # same JSON, re-spaced
    (TOKEN, update(), signed_by("99999:another-app", update())),
    (TOKEN, update(), hmac.new(TOKEN.encode(), update(), hashlib.sha256).hexdigest()),  # keyed by the raw token
    (TOKEN, update(), ""), (TOKEN, update(), None), ("", update(), signed_by("", update())),
])
def test_a_signature_that_does_not_follow_the_rule_is_invalid(token, body, signature):
    assert not signature_is_valid(token, body, signature)


def test_a_paid_fiat_invoice_is_a_payment_of_its_fiat_amount_whatever_asset_paid_it():
    assert read(update()) == PaymentFact(provider="cryptobot", payment_id="528890", order_id=42, amount="199.00",
                                         currency="RUB", status=PAID)


@pytest.mark.parametrize("fields, amount, currency", [
    ({"currency_type": "crypto", "asset": "USDT", "amount": "2.50", "paid_asset": "USDT", "paid_amount": "2.60"},
     "2.60", "USDT"),  # a crypto invoice: the asset actually paid
    ({"paid_asset": None, "paid_amount": None, "currency_type": "crypto", "asset": "USDT", "amount": "2.50"},
     "2.50", "USDT"),
])
def test_a_crypto_invoice_is_a_payment_of_the_asset_paid(fields, amount, currency):
    fact = read(update(payload=invoice(**fields)))
    assert (fact.amount, fact.currency, fact.order_id) == (amount, currency, 42)


@pytest.mark.parametrize("payload, order_id", [
    ("order:42", 42), ("42", None), ("order:x", None), ("", None), ("order:" + "9" * 19, None), (" order:42", None),
    ("order:042", None), ("order:42 ", None), ("ORDER:42", None), ("order:-4", None), ("order:４２", None)])
def test_the_order_is_read_from_the_invoice_payload_and_nothing_else(payload, order_id):
    assert read(update(payload=invoice(payload=payload))).order_id == order_id


@pytest.mark.parametrize("signature", [None, "", "0" * 64, signed_by("99999:another-app", update())])
def test_a_forged_or_unsigned_notification_is_refused_with_401(signature):
    with pytest.raises(BadNotification) as refused:
        read(update(), signature=signature)
    assert refused.value.status == 401


@pytest.mark.parametrize("body", [b"not json", b"{\"update_type\": ", b"\xff\xfe{}"])
def test_a_signed_body_that_is_not_json_is_refused_with_400(body):
    with pytest.raises(BadNotification) as refused:
        read(body)
    assert refused.value.status == 400


@pytest.mark.parametrize("body", [
    update("invoice_expired"), update("something_new"), b"[]", b"null", b"{}",
    update(payload=invoice(status="active")), update(payload="order:42"),
    update(payload={k: v for k, v in invoice().items() if k != "invoice_id"}),
])
def test_a_signed_update_that_pays_nothing_is_ignored(body):
    assert read(body) is None
