"""`make run`'s process: no configuration, SQLite under ./data, in-process Redis, long polling."""
import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.telegram import make_message_update
from tests.support.processes import free_port, wait_for, wait_until

ROOT = Path(__file__).resolve().parents[2]
BOT_TOKEN = "123456:TEST-fake-token-for-the-shop-tests"


def runner_env(**extra):
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return {**keep, **extra}


def test_runs_with_nothing_configured_and_long_polls_the_bot(tmp_path, fake_telegram):
    port = free_port()
    env = runner_env(PORT=str(port), BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_URL=fake_telegram.url)
    runner = subprocess.Popen([sys.executable, str(ROOT / "local_runner.py")], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/readyz")
        fake_telegram.queue_update(make_message_update(1, 4242, "/start"))
        wait_until(lambda: fake_telegram.last_message(4242) is not None, 30, "no answer to /start", every=0.2)
        assert fake_telegram.last_message(4242)["text"].startswith("Hi, Ann!")
    finally:
        runner.terminate()
        log = runner.communicate(timeout=20)[0].decode()
    assert (tmp_path / "data" / "shop.db").exists()
    for line in ("redis: in-process (set REDIS_URL", "Telegram bot: on", "VPN sales: off (set WG_ENDPOINT",
                 "Crypto Pay: off (set CRYPTOBOT_TOKEN", "long polling"):
        assert line in log, log[-3000:]
    assert BOT_TOKEN.split(":")[1] not in log, "the bot token must never be logged"


def test_set_webhook_registers_url_secret_commands_and_menu_button(tmp_path, fake_telegram):
    env = runner_env(BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_URL=fake_telegram.url, PUBLIC_URL="https://shop.example.test",
                     TELEGRAM_WEBHOOK_SECRET="the-secret")
    done = subprocess.run([sys.executable, str(ROOT / "local_runner.py"), "set-webhook"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert fake_telegram.webhook["url"] == "https://shop.example.test/telegram_webhook"
    assert fake_telegram.webhook["secret_token"] == "the-secret"
    commands = {key: [c["command"] for c in value] for key, value in fake_telegram.commands.items()}
    assert all(names == ["start", "buy", "app", "help"] for names in commands.values()) and len(commands) == 3
    button = next(iter(fake_telegram.menu_buttons.values()))
    assert button["type"] == "web_app" and button["web_app"]["url"] == "https://shop.example.test/miniapp_api/"


def test_set_webhook_without_https_says_why(tmp_path, fake_telegram):
    env = runner_env(BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_URL=fake_telegram.url, PUBLIC_URL="http://localhost:8080")
    done = subprocess.run([sys.executable, str(ROOT / "local_runner.py"), "set-webhook"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "PUBLIC_URL must be an https:// address" in done.stderr
