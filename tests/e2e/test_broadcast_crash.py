"""A broadcast whose process is killed (SIGKILL) midway is continued by the next run, and nobody gets it twice."""
import os
import signal
import subprocess
import sys

from pony.orm import db_session

from lib.broadcast.actions import start as start_broadcast
from lib.broadcast.broadcasts import snapshot
from lib.exclusive import is_held
from lib.models import BroadcastDelivery
from tests.support.broadcasts import ADMIN, ROOT, TEXT, add_users, got, report
from tests.support.processes import wait_until


def test_a_killed_run_is_continued_without_doubles(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN), JOB_LOCK_TTL="1s")
    fake = shop.telegram
    add_users(range(1, 101))
    fake.set_rate_limit(per_second=30)
    broadcast_id = start_broadcast(shop.rt, ADMIN, TEXT, None, None, "all")
    code = "import sys; from jobs.broadcast import run; run(int(sys.argv[1]))"
    first = subprocess.Popen([sys.executable, "-c", code, str(broadcast_id)], cwd=ROOT, env={**os.environ, **shop.env},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: first.poll() is not None or sum(1 for u in range(1, 101) if got(fake, u)) >= 30, 30,
                   "the first run never got going", every=0.02)
        assert first.poll() is None, "the first run ended before it was killed"
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    assert snapshot(broadcast_id)["status"] == "sending"
    wait_until(lambda: not is_held(f"broadcast:{broadcast_id}", shop.redis), 5, "the dead run's lock never lapsed")
    shop.run_jobs()  # the queued run picks up where the killed one stopped
    counts = {u: len(got(fake, u)) for u in range(1, 101)}
    assert max(counts.values()) == 1
    with db_session:
        unsure = {d.user_id for d in BroadcastDelivery.select(lambda d: d.status == "sending")}
    # at most the one user the killed run had claimed and not yet heard back about
    assert {u for u, n in counts.items() if n == 0} <= unsure and len(unsure) <= 1
    assert report(fake)[1]["sent"] == 100
