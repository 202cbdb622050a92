"""Protection: the per-user limit and bans (shared through Redis by every app instance), bounded
bodies on every route, and the security headers and request id on every answer."""
import os

import pytest

from functions.http import MAX_BODY_BYTES
from lib.texts import t
from tests.fakes.telegram import make_callback_update
from tests.support.flood import BANNED, CALM, FLOODER, WARNING_EN, ban, message, post, routes

SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "Strict-Transport-Security",
                    "Content-Security-Policy")


def test_button_presses_count_too_and_the_warning_speaks_the_users_language(make_shop):
    shop = make_shop(RATE_LIMIT_PER_MINUTE=3)
    shop.send(FLOODER, "привет", language_code="ru")  # 1
    menu = shop.telegram.last_message(FLOODER)
    data = shop.telegram.buttons(menu)[0]["callback_data"]
    for _ in range(4):  # 2, 3, then the warning, then silence
        post(shop, make_callback_update(shop.next_update_id(), FLOODER, data, menu, language_code="ru"))
    shop.run_jobs()
    assert len(shop.telegram.callback_answers) == 2
    russian = t("ru", "rate_limited")
    assert shop.texts(FLOODER).count(russian) == 1 and shop.texts(FLOODER)[-1] == russian
    assert russian != WARNING_EN


def test_admins_are_not_limited(make_shop):
    shop = make_shop(RATE_LIMIT_PER_MINUTE=2, ADMIN_IDS=str(FLOODER))
    for _ in range(4):
        post(shop, message(FLOODER))
    shop.run_jobs()
    assert len(shop.texts(FLOODER)) == 4 and WARNING_EN not in shop.texts(FLOODER)


def test_zero_turns_the_limit_off(make_shop):
    shop = make_shop(RATE_LIMIT_PER_MINUTE=0)
    for _ in range(35):
        post(shop, message(FLOODER))
    shop.run_jobs()
    assert len(shop.texts(FLOODER)) == 35


def test_a_banned_user_hears_blocked_once_per_window_and_nothing_else(shop):
    ban(BANNED, language="ru")
    for text in ("/start", "hi", "/buy", "/app", "/help"):
        post(shop, message(BANNED, text))
    shop.run_jobs()
    assert shop.texts(BANNED) == [t("ru", "banned")]
    assert shop.telegram.callback_answers == []


# ---- bodies, headers, request ids ----------------------------------------------------------

def test_every_route_refuses_an_oversized_body_with_413(shop):
    big = b"{" + b" " * MAX_BODY_BYTES + b"}"
    for path, headers in routes(shop):
        answer = shop.client.post(path, data=big, headers={**headers, "Content-Type": "application/json"})
        assert answer.status_code == 413, path
        assert answer.get_json()["error"] == "body too large"
        assert all(h in answer.headers for h in SECURITY_HEADERS), path
    assert shop.redis.llen("rq:queue:high") == 0  # no update was queued


def test_security_headers_and_a_request_id_on_every_answer(shop):
    tg = {"X-Telegram-Bot-Api-Secret-Token": shop.settings.telegram_webhook_secret}
    answers = {
        "fast path 200": shop.client.post("/telegram_webhook", json=message(CALM), headers=tg),
        "fast path 401": shop.client.post("/telegram_webhook", json=message(CALM)),
        "404": shop.client.get("/nothing-here"),
        "405": shop.client.put("/healthz"),
        "healthz": shop.client.get("/healthz"),
        "readyz": shop.client.get("/readyz"),
        "metrics": shop.client.get("/metrics"),
        "mini app page": shop.client.get("/miniapp_api/"),
        "mini app 401": shop.client.get("/miniapp_api/api/me"),
        "cron 401": shop.client.post("/cron_tick"),
    }
    assert answers["fast path 200"].status_code == 200 and answers["fast path 401"].status_code == 401
    for name, answer in answers.items():
        missing = [h for h in SECURITY_HEADERS if h not in answer.headers]
        assert not missing, (name, missing)
        assert len(answer.headers["X-Request-Id"]) == 16, name
    assert len({a.headers["X-Request-Id"] for a in answers.values()}) == len(answers)

    given = shop.client.get("/healthz", headers={"X-Request-Id": "lb-7f3a.42"})
    assert given.headers["X-Request-Id"] == "lb-7f3a.42"
    wild = shop.client.get("/healthz", headers={"X-Request-Id": "x" * 300})
    assert wild.headers["X-Request-Id"] != "x" * 300 and len(wild.headers["X-Request-Id"]) == 16


def test_the_limit_is_a_setting():
    from lib.config import ConfigError, load_settings
    base = {"DATABASE_URL": "sqlite:///x.db", "REDIS_URL": "redis://127.0.0.1:1/0", "CRON_SECRET": "c" * 20,
            "SECRET_KEY": "k" * 20}
    assert load_settings(base, dotenv_path=os.devnull).rate_limit_per_minute == 30
    assert load_settings({**base, "RATE_LIMIT_PER_MINUTE": "5"}, dotenv_path=os.devnull).rate_limit_per_minute == 5
    with pytest.raises(ConfigError, match="RATE_LIMIT_PER_MINUTE"):
        load_settings({**base, "RATE_LIMIT_PER_MINUTE": "lots"}, dotenv_path=os.devnull)
