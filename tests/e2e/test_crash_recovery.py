"""A worker killed mid-job (SIGKILL) and a new one: the order still ends with exactly one VM."""
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from pony.orm import db_session

from lib import clock
from lib.models import Order
from tests.support.buying import pay_vps
from tests.support.invariants import check_invariants
from tests.support.processes import wait_until

ROOT = Path(__file__).resolve().parents[2]


def descendants(pid: int) -> list:
    """Every process below `pid`, read from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def worker(env, burst):
    return subprocess.Popen([sys.executable, "-m", "jobs.worker", *(["--burst"] if burst else [])], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def test_sigkill_mid_clone_then_a_new_worker_finishes_with_one_vm(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox, JOB_LOCK_TTL="3s", STUCK_ORDER_AFTER="2s")
    fake_proxmox.set_durations(clone=4.0)
    order_id = pay_vps(shop)
    env = {**os.environ, **shop.env}
    first = worker(env, burst=False)
    try:
        wait_until(lambda: first.poll() is not None or fake_proxmox.calls_to("POST", "/clone"), 30,
                   "the worker never started the clone", every=0.1)
        assert first.poll() is None, "the worker ended before it was killed"
    finally:
        for pid in [*descendants(first.pid), first.pid]:  # RQ's work horse runs in a session of its own
            os.kill(pid, signal.SIGKILL)
        first.wait(10)
    with db_session:
        assert Order[order_id].status == "paid"
    lock = f"shop:lock:order:{order_id}"
    assert 0 < shop.redis.pttl(lock) <= 3000  # the dead job's lock lapses within JOB_LOCK_TTL…
    shop.redis.pexpire(lock, 1)  # …and those seconds pass at once
    clock.advance(timedelta(seconds=3))  # STUCK_ORDER_AFTER passes: the order counts as stuck
    assert shop.cron_tick().get_json()["stuck_orders"] == 1
    second = worker(env, burst=True)
    assert second.wait(120) == 0
    with db_session:
        assert Order[order_id].status == "fulfilled"
    assert len(fake_proxmox.vms()) == 1 and len(fake_proxmox.calls_to("POST", "/clone")) == 1
    assert fake_proxmox.vms()[0]["status"] == "running"
    check_invariants(proxmox=fake_proxmox)
