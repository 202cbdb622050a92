"""The processes of the Procfile, for real: gunicorn serving the functions, an RQ worker running jobs."""
import re
import subprocess
import sys
import time

import requests

from tests.fakes.telegram import make_message_update
from tests.support.processes import ROOT, free_port, procfile_command, start, stop, wait_for


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
