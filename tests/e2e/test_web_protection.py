"""Protection through real gunicorn processes: the per-user limit shared by two instances, and bodies
over the limit refused by a real server, with or without a Content-Length."""
import pytest
import requests

from functions.http import MAX_BODY_BYTES
from tests.support.flood import BANNED, BLOCKED_EN, CALM, FLOODER, WARNING_EN, ban, end_window, message, post, routes
from tests.support.processes import free_port, procfile_command, start, stop, wait_for


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
        for path, headers in routes(shop):
            url = f"http://127.0.0.1:{port}{path}"
            assert requests.post(url, data=big, headers=headers, timeout=10).status_code == 413, path
            if path in ("/telegram_webhook", "/cryptobot_webhook", "/yukassa_webhook", "/miniapp_api/api/orders"):
                chunks = (big[i:i + 65536] for i in range(0, len(big), 65536))  # chunked: no Content-Length
                answer = requests.post(url, data=chunks, headers=headers, timeout=10)
                assert answer.status_code == 413, (path, answer.status_code, answer.text)
    finally:
        stop(server)
    assert shop.redis.llen("rq:queue:high") == 0  # no update was queued
