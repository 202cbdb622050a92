"""Configuration: one validated object; a wrong combination stops start-up with one clear sentence."""
import os
import subprocess
import sys

import pytest

from lib.config import ConfigError, load_settings

BASE = {"DATABASE_URL": "postgresql://shop@db/shop", "REDIS_URL": "redis://redis:6379/0",
        "CRON_SECRET": "cron-secret", "SECRET_KEY": "0123456789abcdef0123"}


def settings(**env):
    return load_settings({**BASE, **env}, dotenv_path=os.devnull)


def test_defaults_follow_the_contract():
    s = settings()
    assert s.public_url == "http://localhost:8080" and s.telegram_api_url == "https://api.telegram.org"
    assert s.cryptobot_api_url == "https://pay.crypt.bot/api" and s.yookassa_api_url == "https://api.yookassa.ru/v3"
    assert s.wg_interface == "wg0" and s.wg_command == ("wg",) and str(s.wg_subnet) == "10.8.0.0/24"
    assert s.wg_dns == "1.1.1.1" and [d.days for d in s.reminder_offsets] == [3, 1]
    assert s.vps_grace.days == 3 and s.stuck_order_after.seconds == 180 and s.reconcile_every.seconds == 300
    assert s.miniapp_auth_ttl.total_seconds() == 86400
    assert not s.telegram_enabled and not s.vpn_enabled and not s.sandbox_payments
    assert s.payment_providers() == ["balance"]
    assert [p.id for p in s.catalog.for_product("vpn")] == ["vpn-1m", "vpn-3m", "vpn-6m", "vpn-12m"]


@pytest.mark.parametrize("env, names", [
    ({"DATABASE_URL": ""}, "DATABASE_URL"),
    ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ({"SECRET_KEY": ""}, "SECRET_KEY"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ({"CRON_SECRET": ""}, "CRON_SECRET"),
    ({"BOT_TOKEN": "nonsense"}, "BOT_TOKEN"),
    ({"BOT_TOKEN": "123456:AAbcdefghijklmnopqrstuvwxyz"}, "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_WEBHOOK_SECRET": "has spaces!"}, "TELEGRAM_WEBHOOK_SECRET"),
    ({"YOOKASSA_SHOP_ID": "1"}, "YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY"),
    ({"WG_ENDPOINT": "vpn.example.com"}, "WG_ENDPOINT"),
    ({"WG_SUBNET": "10.8.0.0/33"}, "WG_SUBNET"),
    ({"WG_SUBNET": "10.8.0.1/24"}, "WG_SUBNET"),
    ({"REMINDER_OFFSETS": "3 days"}, "REMINDER_OFFSETS"),
    ({"VPS_GRACE": "3w"}, "VPS_GRACE"),
    ({"ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
    ({"PUBLIC_URL": "shop.example.com"}, "PUBLIC_URL"),
    ({"SANDBOX_PAYMENTS": "maybe"}, "SANDBOX_PAYMENTS"),
    ({"PROXMOX_HOST": "pve:8006"}, "PROXMOX_USER"),
    ({"TARIFFS_FILE": "/nonexistent.yaml"}, "TARIFFS_FILE"),
    ({"CRYPTOBOT_CURRENCY": "BTC"}, "CRYPTOBOT_CURRENCY"),
])
def test_wrong_settings_name_the_variable(env, names):
    with pytest.raises(ConfigError) as error:
        settings(**env)
    message = str(error.value)
    assert message.startswith(names) or names in message
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence


@pytest.mark.parametrize("yaml_text, problem", [
    ("vpn: [{id: Bad Id, title: x, duration: 30d, price_rub: 1, price_usdt: 1}]", "id"),
    ("vpn: [{id: a, title: x, duration: month, price_rub: 1, price_usdt: 1}]", "duration"),
    ("vpn: [{id: a, title: x, duration: 30d, price_rub: -5, price_usdt: 1}]", "price_rub"),
    ("vpn: [{id: a, title: x, duration: 30d, price_rub: 1.234, price_usdt: 1}]", "price_rub"),
    ("vpn: [{id: a, title: x, duration: 30d, price_rub: 1, price_usdt: 1}, "
     "{id: a, title: y, duration: 30d, price_rub: 1, price_usdt: 1}]", "used twice"),
    ("vpn: {id: a}", "list"),
    ("[1, 2", "YAML"),
])
def test_a_broken_plans_file_is_refused_with_the_reason(tmp_path, yaml_text, problem):
    path = tmp_path / "plans.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError, match=problem):
        settings(TARIFFS_FILE=str(path))


def test_env_file_is_read_and_real_environment_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("WG_DNS=9.9.9.9\nWG_INTERFACE=wg-from-file\n")
    monkeypatch.setenv("WG_INTERFACE", "wg-from-env")
    for name, value in BASE.items():
        monkeypatch.setenv(name, value)
    s = load_settings(dotenv_path=tmp_path / ".env")
    assert s.wg_dns == "9.9.9.9" and s.wg_interface == "wg-from-env"


def test_local_mode_needs_nothing_and_keeps_its_secret_key(tmp_path):
    first = load_settings({}, local=True, dotenv_path=os.devnull, data_dir=tmp_path)
    second = load_settings({}, local=True, dotenv_path=os.devnull, data_dir=tmp_path)
    assert first.database_url.startswith("sqlite:///") and first.redis_url == ""
    assert first.secret_key == second.secret_key


def test_worker_stops_with_one_clear_sentence_on_bad_config(tmp_path):
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": "postgresql://x@127.0.0.1/x", "REDIS_URL": "redis://x",
           "CRON_SECRET": "c", "SECRET_KEY": "0123456789abcdef", "BOT_TOKEN": "oops"}
    done = subprocess.run([sys.executable, "-m", "jobs.worker"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "BOT_TOKEN does not look like a Telegram bot token" in done.stderr
    assert "Traceback" not in done.stderr


def test_sandbox_payments_are_refused_for_a_production_shop():
    production = {"SECRET_KEY": "0123456789abcdef0123", "PUBLIC_URL": "https://shop.example.com", "SANDBOX_PAYMENTS": "true"}
    with pytest.raises(ConfigError, match="SANDBOX_PAYMENTS=true would let anyone mark orders paid"):
        settings(**production)
    assert settings(**{**production, "PUBLIC_URL": "http://localhost:8080"}).sandbox_payments
    assert settings(**{**production, "PUBLIC_URL": "https://127.0.0.1:8443"}).sandbox_payments


def test_mini_app_limits_are_settings():
    assert (settings().miniapp_rate_limit, settings().max_pending_orders) == (120, 5)
    assert settings(MINIAPP_RATE_LIMIT="0", MAX_PENDING_ORDERS="2").miniapp_rate_limit == 0
    for name, value in (("MINIAPP_RATE_LIMIT", "many"), ("MAX_PENDING_ORDERS", "0")):
        with pytest.raises(ConfigError, match=name):
            settings(**{name: value})
