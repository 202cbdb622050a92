"""Malformed, oversized or foreign input on every route: a clear 4xx, never a 5xx, nothing recorded."""
import json

import pytest
from pony.orm import count, db_session

from lib.models import Order, Payment, User, db
from lib.tasks import QUEUES, queue
from tests.support.initdata import auth

TG = {"X-Telegram-Bot-Api-Secret-Token": "test-webhook-secret"}
CRON = {"Authorization": "Bearer test-cron-secret"}
BIG = b"{" + b'"x": "' + b"a" * (300 * 1024) + b'"}'

CASES = [
    ("post", "/telegram_webhook", b"not json", TG, 400),
    ("post", "/telegram_webhook", b"[1, 2]", TG, 400),
    ("post", "/telegram_webhook", b'{"update_id": "7"}', TG, 400),
    ("post", "/telegram_webhook", b'{"update_id": true}', TG, 400),
    ("post", "/telegram_webhook", BIG, TG, 413),
    ("get", "/telegram_webhook", b"", TG, 405),
    ("post", "/cryptobot_webhook", b"not json", {}, 401),
    ("post", "/cryptobot_webhook", BIG, {}, 413),
    ("post", "/yukassa_webhook", b"not json", {}, 400),
    ("post", "/yukassa_webhook", b"\xff\xfe", {}, 400),
    ("post", "/yukassa_webhook", b'{"event": "payment.succeeded"}', {}, 400),
    ("post", "/yukassa_webhook", b'{"event": 5, "object": {"id": "abc"}}', {}, 400),
    ("post", "/yukassa_webhook", b'{"event": "payment.succeeded", "object": {"id": "../../x"}}', {}, 400),
    ("post", "/yukassa_webhook", BIG, {}, 413),
    ("post", "/cron_tick", b"", {}, 401),
    ("post", "/cron_tick", b"", {"Authorization": "Bearer nope"}, 401),
    ("post", "/cron_tick", b"", {"Authorization": "Basic test-cron-secret"}, 401),
    ("get", "/miniapp_api/api/me", b"", {}, 401),
    ("get", "/miniapp_api/api/me", b"", {"Authorization": "tma "}, 401),
    ("get", "/miniapp_api/api/me", b"", {"Authorization": "tma %%%&&&==="}, 401),
    ("post", "/miniapp_api/api/orders", BIG, {"Authorization": "tma x"}, 413),
    ("get", "/miniapp_api/api/nothing", b"", {}, 404),
    ("delete", "/miniapp_api/api/me", b"", {}, 405),
    ("get", "/miniapp_api/api/orders/99999999999999999999999", b"", {}, 404),
    ("get", "/no/such/route", b"", {}, 404),
]


@pytest.mark.parametrize("method, path, body, headers, status", CASES)
def test_bad_requests_get_a_clear_4xx(shop, method, path, body, headers, status):
    response = getattr(shop.client, method)(path, data=body, headers=headers,
                                            content_type="application/json")
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.is_json and response.get_json()["message"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert shop.run_jobs() == 0
    with db_session:
        assert count(u for u in User) + count(o for o in Order) + count(p for p in Payment) == 0


def test_functions_of_a_provider_that_is_off_say_so(make_shop):
    shop = make_shop(CRYPTOBOT_TOKEN="", YOOKASSA_SHOP_ID="", YOOKASSA_SECRET_KEY="")
    assert shop.client.post("/cryptobot_webhook", data=b"{}").status_code == 404
    assert shop.client.post("/yukassa_webhook", json={}).status_code == 404



# ---- the mini app: first who asks, then what they sent ------------------------------------------

ANN = 900001
ORDER = {"product": "vpn", "plan": "vpn-1m", "provider": "sandbox"}
NOT_AN_ID = "renew must be the id of one of your keys or servers"


def everything(shop) -> dict:
    """Every row of every table and the jobs waiting in every queue, to show that a refused request changed nothing."""
    with db_session:
        rows = {entity._table_: sorted(map(repr, db.select(f'SELECT * FROM "{entity._table_}"')))
                for entity in db.entities.values()}
    return {**rows, "queued": [queue(shop.redis, name).job_ids for name in QUEUES]}


@pytest.fixture
def signed_in(make_shop):
    """A shop where ANN has signed in: from here only the request can change anything."""
    shop = make_shop(SANDBOX_PAYMENTS="true")
    assert shop.api(ANN, "get", "me").status_code == 200
    return shop


@pytest.mark.parametrize("body", [b"not json", b"[" * 30000 + b"]" * 30000, json.dumps({**ORDER, "plan": 5}).encode()],
                         ids=["not-json", "deep", "wrong-type"])
def test_a_stranger_is_refused_before_the_body_is_read(shop, body):
    for stranger in ({}, {"Authorization": "tma forged"}):
        answer = shop.client.post("/miniapp_api/api/orders", data=body, headers=stranger,
                                  content_type="application/json")
        assert answer.status_code == 401, answer.get_json()
    with db_session:
        assert count(u for u in User) == 0


@pytest.mark.parametrize("path, body, message", [
    ("ssh_key", {"ssh_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\x00 me"}, "ssh_key must be text without NUL bytes"),
    ("ssh_key", {"ssh_key": 5}, "ssh_key must be text without NUL bytes"),
    ("ssh_key", {"ssh_key": "\ud800 me"}, "ssh_key must be text without NUL bytes"),
    ("ssh_key", {}, "ssh_key is required"),
    ("ssh_key", ["ssh-ed25519"], "The request body must be a JSON object."),
    ("orders", {**ORDER, "plan": 5}, "plan must be text without NUL bytes"),
    ("orders", {**ORDER, "plan": "vpn-1m\x00"}, "plan must be text without NUL bytes"),
    ("orders", {**ORDER, "plan": "v" * 65}, "plan must be at most 64 characters"),
    ("orders", {**ORDER, "provider": []}, "provider must be text without NUL bytes"),
    ("orders", {"product": "vpn", "plan": "vpn-1m"}, "provider is required"),
    ("orders", {**ORDER, "product": {"vpn": True}}, "product must be text without NUL bytes"),
    ("orders", {**ORDER, "renew": True}, NOT_AN_ID),
    ("orders", {**ORDER, "renew": 2**31}, NOT_AN_ID),
    ("orders", {**ORDER, "renew": 10**30}, NOT_AN_ID),
    ("orders", {**ORDER, "renew": -1}, NOT_AN_ID),
    ("orders", {**ORDER, "renew": 1.5}, NOT_AN_ID),
    ("orders", {**ORDER, "renew": "1e3"}, NOT_AN_ID),
    ("orders", {**ORDER, "renew": "\u0663"}, NOT_AN_ID),  # ARABIC-INDIC DIGIT THREE: a digit, not ours
    ("orders", [ORDER], "The request body must be a JSON object."),
    ("vps/1/reinstall", "yes", "The request body must be a JSON object."),
])
def test_a_field_of_the_wrong_shape_is_a_400_naming_it_and_changes_nothing(signed_in, path, body, message):
    before = everything(signed_in)
    answer = signed_in.api(ANN, "post", path, data=json.dumps(body), content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json() == {"error": "bad_request", "message": message}
    assert everything(signed_in) == before


def test_a_russian_user_hears_which_field_is_wrong_in_russian(shop):
    ru = auth(shop.settings.bot_token, ANN, language="ru")
    answer = shop.api(ANN, "post", "ssh_key", headers=ru, json={"ssh_key": 5})
    assert answer.status_code == 400 and answer.get_json()["message"] == "ssh_key: нужен текст без NUL-символов"


@pytest.mark.parametrize("body, status, message", [
    (b"[" * 17 + b"]" * 17, 400, "body is nested deeper than 16 levels"),
    (b'{"a": ' * 17 + b"1" + b"}" * 17, 400, "body is nested deeper than 16 levels"),
    (b"[" * 30000 + b"]" * 30000, 400, "body is not valid JSON"),  # deeper than the JSON parser's own stack
    (b'{"product": "vpn"', 400, "body is not valid JSON"),
    (b"\xff\xfe{}", 400, "body is not valid JSON"),
    (b'{"ssh_key": "' + b"a" * (64 * 1024) + b'"}', 413, "body too large"),
], ids=["nested-17", "objects-17", "nested-30000", "cut-short", "not-utf8", "over-64kb"])
def test_a_malformed_or_oversized_body_from_a_signed_in_user_is_refused(signed_in, body, status, message):
    before = everything(signed_in)
    answer = signed_in.api(ANN, "post", "ssh_key", data=body, content_type="application/json")
    assert (answer.status_code, answer.get_json()["message"]) == (status, message)
    assert everything(signed_in) == before


@pytest.mark.parametrize("method, path", [
    ("get", "orders/2147483648"), ("get", "orders/9223372036854775808"), ("get", "orders/" + "9" * 30),
    ("get", "orders/0"), ("get", "orders/-1"), ("get", "orders/1e3"), ("get", "orders/%D9%A3"),
    ("get", "orders/2147483647"), ("get", "vpn/2147483648/config"), ("get", "vps/99999999999/password"),
    ("post", "vps/4294967296/reinstall"), ("post", "vpn/18446744073709551616/pause"),
])
def test_an_id_no_row_can_have_is_not_found(signed_in, method, path):
    before = everything(signed_in)
    answer = signed_in.api(ANN, method, path, json={"confirm": True} if method == "post" else None)
    assert answer.status_code == 404 and answer.get_json()["message"]
    assert everything(signed_in) == before


@pytest.mark.parametrize("user_id", [True, False, 0, -7, 4.0, "900001", 2**52, 10**30, None],
                         ids=["true", "false", "zero", "negative", "float", "string", "past-52-bits", "10**30", "null"])
def test_signed_init_data_with_a_user_id_telegram_never_sends_is_401(shop, user_id):
    answer = shop.client.get("/miniapp_api/api/me", headers=auth(shop.settings.bot_token, user_id))
    assert answer.status_code == 401 and "id" in answer.get_json()["message"]
    with db_session:
        assert count(u for u in User) == 0


def test_signed_init_data_with_a_nul_in_the_name_is_401(shop):
    answer = shop.client.get("/miniapp_api/api/me", headers=auth(shop.settings.bot_token, ANN, first_name="A\x00nn"))
    assert answer.status_code == 401 and "first_name" in answer.get_json()["message"]
    with db_session:
        assert count(u for u in User) == 0

