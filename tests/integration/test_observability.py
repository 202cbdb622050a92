"""Observability: /healthz, /readyz against a database or Redis that stops, /metrics with the named
series (summed over gunicorn workers), and JSON log lines with a request or job id and no secret."""
import io
import json
import logging
import os
import re
from datetime import datetime
from decimal import Decimal

import pytest
from pony.orm import db_session

from lib.events import emit_event
from lib.models import Order, User
from lib.models.database import transaction
from lib.observability.logs import ContextFilter, JsonFormatter
from lib.tasks import queue
from tests.fakes.telegram import make_message_update
from tests.support.fixtures import BOT_TOKEN, proxmox_env
from tests.support.scrape import samples


@pytest.fixture
def log_lines():
    """Every log record of the test, formatted as the processes format them (JSON lines)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    level, root.level = root.level, logging.INFO
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_healthz_and_readyz_answer_200_when_everything_is_up(shop):
    assert shop.client.get("/healthz").get_json() == {"ok": True}
    ready = shop.client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json() == {"ready": True, "database": "ok", "redis": "ok"}


def _seed_orders_and_events(shop):
    with transaction():
        user = User(id=620001, first_name="Ann", created_at=datetime(2026, 1, 1))
        now = datetime(2026, 1, 2)
        for product, status in [("vpn", "pending"), ("vpn", "pending"), ("vps", "pending"), ("vpn", "fulfilled"),
                                ("vpn", "fulfilled"), ("vps", "fulfilled"), ("vps", "failed"), ("vpn", "refunded")]:
            Order(user=user, product=product, plan_id="vpn-1m", provider="sandbox", amount=Decimal("199"),
                  status=status, created_at=now, fulfilled_at=now if status in ("fulfilled", "refunded") else None)
        for _ in range(3):
            emit_event(shop.redis, "user.registered", {"telegram_id": 620001})


def test_metrics_expose_the_named_series_with_plausible_values(shop):
    queue(shop.redis, "low").enqueue("math.sqrt", -1)  # a job that fails for good: ValueError
    shop.run_jobs()
    _seed_orders_and_events(shop)  # three events, three delivery jobs waiting in "low"
    tg = {"X-Telegram-Bot-Api-Secret-Token": shop.settings.telegram_webhook_secret}
    before = samples(shop.client.get("/metrics").get_data(as_text=True))
    for i in range(3):
        assert shop.client.post("/telegram_webhook", json=make_message_update(880000 + i, 620002, "hi"),
                                headers=tg).status_code == 200
    shop.client.post("/telegram_webhook", json=make_message_update(880009, 620002, "hi"))  # 401
    shop.client.get("/miniapp_api/api/me")  # 401
    shop.client.get("/no-such-page")
    answer = shop.client.get("/metrics")
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
    now = samples(answer.get_data(as_text=True))

    def grew(series):
        return now.get(series, 0) - before.get(series, 0)
    assert grew('shop_requests_total{function="telegram_webhook",status="200"}') == 3
    assert grew('shop_requests_total{function="telegram_webhook",status="401"}') == 1
    assert grew('shop_requests_total{function="miniapp_api",status="401"}') == 1
    assert grew('shop_requests_total{function="other",status="404"}') == 1
    assert grew('shop_request_duration_seconds_count{function="telegram_webhook"}') == 4  # every status
    assert grew('shop_request_duration_seconds_bucket{function="telegram_webhook",le="+Inf"}') == 4
    assert 0 < grew('shop_request_duration_seconds_sum{function="telegram_webhook"}') < 3
    assert now['shop_queue_depth{queue="high"}'] == 3  # a handle_update job per update
    assert now['shop_queue_depth{queue="default"}'] == 0
    assert now['shop_queue_depth{queue="low"}'] == 3 == queue(shop.redis, "low").count
    assert now['shop_queue_failed_jobs{queue="low"}'] == 1 and now['shop_queue_failed_jobs{queue="high"}'] == 0
    assert now["shop_pending_payments"] == 3
    assert now['shop_provisioning_total{outcome="success",product="vpn"}'] == 3  # the refunded one was made first
    assert now['shop_provisioning_total{outcome="success",product="vps"}'] == 1
    assert now['shop_provisioning_total{outcome="failure",product="vps"}'] == 1
    assert now['shop_provisioning_total{outcome="failure",product="vpn"}'] == 0
    assert now["shop_events_waiting"] == 3
    assert now['shop_source_up{source="database"}'] == 1 and now['shop_source_up{source="redis"}'] == 1


def test_log_lines_mask_every_secret(make_shop, fake_proxmox, log_lines):
    shop = make_shop(N8N_WEBHOOK_URL="http://127.0.0.1:9/n8n", N8N_API_KEY="n8n-key-0123456789abcdef",
                     **proxmox_env(fake_proxmox))
    s = shop.settings
    secrets = [BOT_TOKEN, s.telegram_webhook_secret, s.cron_secret, s.secret_key, s.cryptobot_token,
               s.yookassa_secret_key, s.n8n_api_key, s.proxmox.token_value]
    log = logging.getLogger("shop.test")
    log.warning("calling https://api.telegram.org/bot%s/sendMessage", BOT_TOKEN)
    log.warning("a stranger's token https://api.telegram.org/bot987654321:AAHx_strangerSecret-123/getMe")
    log.warning("settings: %s", " ".join(secrets))
    try:
        raise RuntimeError(f"Proxmox said no to {s.proxmox.token_value}")
    except RuntimeError:
        log.exception("provisioning failed")
    text = "\n".join(json.dumps(entry) for entry in log_lines())
    for secret in secrets + ["AAHx_strangerSecret-123"]:
        assert secret not in text
    entries = log_lines()
    assert "/bot***/sendMessage" in entries[0]["message"]
    assert "bot987654321:***/getMe" in entries[1]["message"]
    assert "Proxmox said no to ***" in entries[3]["exception"]


def test_a_job_logs_its_job_id(shop, log_lines):
    shop.telegram.block(620003)  # the bot cannot tell this banned user anything: the job logs a warning
    with db_session:
        User(id=620003, first_name="Bo", banned=True, created_at=datetime(2026, 1, 1))
    answer = shop.client.post("/telegram_webhook", json=make_message_update(881000, 620003, "hi"),
                              headers={"X-Telegram-Bot-Api-Secret-Token": shop.settings.telegram_webhook_secret,
                                       "X-Request-Id": "req-abc-1"})
    assert answer.headers["X-Request-Id"] == "req-abc-1"
    shop.run_jobs()
    job_lines = [e for e in log_lines() if "could not send banned" in e["message"]]
    assert len(job_lines) == 1 and re.fullmatch(r"[0-9a-f-]{36}", job_lines[0]["job_id"])
    assert "request_id" not in job_lines[0]


def test_log_format_and_level_are_settings():
    from lib.config import ConfigError, logging_settings
    assert logging_settings({}, dotenv_path=os.devnull) == ("json", "INFO", "")
    assert logging_settings({"LOG_FORMAT": "text", "LOG_LEVEL": "debug", "METRICS_DIR": "/run/m"},
                            dotenv_path=os.devnull) == ("text", "DEBUG", "/run/m")
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        logging_settings({"LOG_FORMAT": "xml"}, dotenv_path=os.devnull)
    from lib.observability.logs import TextFormatter
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "GET /bot123456:AAAAsecret-token_x/getMe", None, None)
    assert TextFormatter().format(record).endswith("x: GET /bot123456:***/getMe")
