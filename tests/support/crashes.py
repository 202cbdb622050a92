"""Killing the production worker mid-job and watching the shop heal (tests/e2e/test_kill_points.py and
bench/kill_recovery.py): a real `python -m jobs.worker`, SIGKILLed with every process it started, a
new one started at once, and cron_tick posted every TICK seconds as the operator's scheduler does."""
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from pony.orm import db_session

from lib.models import Order
from tests.support.processes import wait_until

ROOT = Path(__file__).resolve().parents[2]
TICK = 1.0  # seconds between two cron ticks
RECOVERY_ENV = {"STUCK_ORDER_AFTER": "4s", "JOB_LOCK_TTL": "2s", "WORKER_PROCESSES": "1"}


def start_worker(shop) -> subprocess.Popen:
    """The Procfile's worker, in a session of its own so that one signal reaches all it started."""
    return subprocess.Popen([sys.executable, "-m", "jobs.worker"], cwd=ROOT, env={**os.environ, **shop.env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def kill(worker: subprocess.Popen) -> float:
    """SIGKILL the worker and everything it started; the moment it happened (time.monotonic())."""
    os.killpg(worker.pid, signal.SIGKILL)
    moment = time.monotonic()
    worker.wait(10)
    return moment


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)


@contextmanager
def cron_ticking(shop, every: float = TICK):
    """cron_tick posted every `every` seconds from a thread, as a scheduler would, until the block ends."""
    from functions.main import app
    client, done = app.test_client(), threading.Event()
    headers = {"Authorization": f"Bearer {shop.settings.cron_secret}"}

    def tick():
        while not done.wait(every):
            client.post("/cron_tick", headers=headers)
    thread = threading.Thread(target=tick, name="cron", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(10)


def status_of(order_id) -> str:
    with db_session:
        return Order[order_id].status


def recovered_within(shop, order_id, killed_at: float, wanted: str, limit: float) -> float:
    """Seconds from the kill until the order reached `wanted`, with a new worker and cron ticking."""
    worker = start_worker(shop)
    try:
        with cron_ticking(shop):
            wait_until(lambda: status_of(order_id) == wanted, limit + 30,
                       f"order {order_id} never became {wanted}", every=0.1)
            elapsed = time.monotonic() - killed_at
            print(f"recovered to {wanted} {elapsed:.2f} s after the kill")
            wait_until(lambda: not shop.redis.llen("rq:queue:default"), 20, "jobs left queued", every=0.1)
    finally:
        stop(worker)
    return elapsed


def bound(shop, work: float) -> float:
    """STUCK_ORDER_AFTER + two cron ticks + the work itself: how long recovery may take (issue 10)."""
    return shop.settings.stuck_order_after.total_seconds() + 2 * TICK + work
