"""Protection through real gunicorn processes: the per-user limit shared by two instances, and bodies
over the limit refused by a real server, with or without a Content-Length."""
import itertools
from datetime import datetime

import pytest
import requests
from pony.orm import db_session

from functions.http import MAX_BODY_BYTES
from lib.models import User
from lib.texts import t
from tests.fakes.telegram import make_message_update
from tests.support.initdata import auth
from tests.support.processes import free_port, procfile_command, start, stop, wait_for

_ids = itertools.count(7_500_000)


FLOODER, CALM, BANNED = 610001, 610002, 610003


WARNING_EN = t("en", "rate_limited")


BLOCKED_EN = t("en", "banned")


def post(shop, update, base=None):
    headers = {"X-Telegram-Bot-Api-Secret-Token": shop.settings.telegram_webhook_secret}
    if base is None:
        return shop.post_update(update)
    return requests.post(f"{base}/telegram_webhook", json=update, headers=headers, timeout=10)


def message(user_id, text="hi", **user):
    return make_message_update(next(_ids), user_id, text, **user)


def ban(user_id, language="en"):
    with db_session:
        User(id=user_id, first_name="Bo", language=language, banned=True, created_at=datetime(2026, 1, 1))


def end_window(shop, user_id):
    """What a minute of waiting does to the user's window, without the minute."""
    shop.redis.delete(f"shop:rate:{user_id}", f"shop:banned-told:{user_id}")


def _routes(shop):
    tg = {"X-Telegram-Bot-Api-Secret-Token": shop.settings.telegram_webhook_secret}
    cron = {"Authorization": f"Bearer {shop.settings.cron_secret}"}
    app = auth(shop.settings.bot_token, FLOODER)
    return [("/telegram_webhook", tg), ("/cryptobot_webhook", {}), ("/yukassa_webhook", {}), ("/cron_tick", cron),
            ("/miniapp_api/api/orders", app), ("/miniapp_api/api/me", app), ("/miniapp_api/", {}),
            ("/healthz", {}), ("/no/such/route", {})]


@pytest.fixture
def two_instances(shop, process_env):
    """Two separate gunicorn processes of the Procfile web line, sharing the test Redis and database."""
    ports = [free_port(), free_port()]
    servers = [start(procfile_command("web", port), process_env, port) for port in ports]
    try:
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/readyz")
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        logs = [stop(server) for server in servers]
    for log in logs:
        assert "Traceback" not in log, log


def test_thirty_a_minute_then_one_warning_across_two_instances(shop, two_instances):
    ban(BANNED)
    for i in range(40):
        assert post(shop, message(FLOODER), two_instances[i % 2]).status_code == 200
        if i % 8 == 0:
            assert post(shop, message(CALM), two_instances[(i + 1) % 2]).status_code == 200
        if i % 7 == 0:
            assert post(shop, message(BANNED), two_instances[i % 2]).status_code == 200
    shop.run_jobs()

    flooder = shop.texts(FLOODER)
    assert len(flooder) == 31, flooder
    assert flooder.count(WARNING_EN) == 1 and flooder[-1] == WARNING_EN
    calm = shop.texts(CALM)
    assert len(calm) == 5 and WARNING_EN not in calm
    assert shop.texts(BANNED) == [BLOCKED_EN]

    # the window is over: the same user is answered again, and the banned one told once more
    end_window(shop, FLOODER)
    end_window(shop, BANNED)
    for base in two_instances:
        post(shop, message(FLOODER), base)
        post(shop, message(BANNED), base)
    shop.run_jobs()
    assert len(shop.texts(FLOODER)) == 33 and shop.texts(FLOODER).count(WARNING_EN) == 1
    assert shop.texts(BANNED) == [BLOCKED_EN, BLOCKED_EN]


def test_oversized_bodies_are_refused_by_a_real_server_with_or_without_a_length(shop, process_env):
    port = free_port()
    server = start(procfile_command("web", port), process_env, port)
    try:
        wait_for(f"http://127.0.0.1:{port}/readyz")
        big = b"{" + b" " * MAX_BODY_BYTES + b"}"
        for path, headers in _routes(shop):
            url = f"http://127.0.0.1:{port}{path}"
            assert requests.post(url, data=big, headers=headers, timeout=10).status_code == 413, path
            if path in ("/telegram_webhook", "/cryptobot_webhook", "/yukassa_webhook", "/miniapp_api/api/orders"):
                chunks = (big[i:i + 65536] for i in range(0, len(big), 65536))  # chunked: no Content-Length
                answer = requests.post(url, data=chunks, headers=headers, timeout=10)
                assert answer.status_code == 413, (path, answer.status_code, answer.text)
    finally:
        stop(server)
    assert shop.redis.llen("shop:tg:inbox") == 0
