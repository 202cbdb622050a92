"""Malformed, oversized or foreign input on every route: a clear 4xx, never a 5xx, nothing recorded."""
import pytest
from pony.orm import count, db_session

from lib.models import Order, Payment, User

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
