"""The processes of the Procfile, for real: gunicorn serving the functions, an RQ worker running jobs."""
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.fakes.telegram import make_message_update

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def procfile_command(name: str, port: int) -> str:
    line = next(l for l in (ROOT / "Procfile").read_text().splitlines() if l.startswith(f"{name}:"))
    return line.split(":", 1)[1].strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered 200")


@pytest.fixture
def process_env(shop):
    env = {**os.environ, **shop.env, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def start(command, env, port):
    return subprocess.Popen(["sh", "-c", command], cwd=ROOT, env={**env, "PORT": str(port)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
    return process.stdout.read().decode(errors="replace")


def test_procfile_web_and_worker_sell_through_real_processes(shop, process_env):
    port = free_port()
    web = start(procfile_command("web", port), process_env, port)
    try:
        wait_for(f"http://127.0.0.1:{port}/readyz")
        update = make_message_update(777, 500001, "/start")
        headers = {"X-Telegram-Bot-Api-Secret-Token": shop.settings.telegram_webhook_secret}
        answer = requests.post(f"http://127.0.0.1:{port}/telegram_webhook", json=update, headers=headers, timeout=5)
        assert answer.status_code == 200
        metrics = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert 'shop_queue_depth{queue="high"} 1' in metrics
    finally:
        log = stop(web)
    assert "Traceback" not in log, log
    worker = subprocess.run(procfile_command("worker", port) + " --burst", shell=True, cwd=ROOT,
                            env=process_env, capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert shop.last_text(500001).startswith("Hi, Ann!")


def test_each_function_runs_alone_under_functions_framework(shop, process_env):
    port = free_port()
    command = f"functions-framework --source functions/main.py --target cron_tick --port {port} --host 127.0.0.1"
    server = start(command, process_env, port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.post(f"http://127.0.0.1:{port}/",
                                       headers={"Authorization": f"Bearer {shop.settings.cron_secret}"}, timeout=2)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline, "functions-framework never answered"
                time.sleep(0.2)
        assert answer.status_code == 200 and "stuck_orders" in answer.json()
        assert requests.post(f"http://127.0.0.1:{port}/", timeout=2).status_code == 401
    finally:
        stop(server)


def test_webhook_hot_path_loads_no_provider_sdk_or_bot_handlers():
    code = ("import sys, functions.main; print(sorted(m for m in ('telebot', 'yookassa', 'proxmoxer', "
            "'lib.telegram.handlers') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
    assert re.search(r"^web: gunicorn .*functions\.main:app", (ROOT / "Procfile").read_text(), re.M)
