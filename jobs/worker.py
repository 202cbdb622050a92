"""`python -m jobs.worker [--burst]`: the production RQ workers for every queue, with the scheduler on.

The parent reads the settings and migrates the schema once, then forks WORKER_PROCESSES workers.
Each runs jobs in its own process (RQ's SimpleWorker: no fork per job, so the imports, the
database connection and the HTTP sessions of one job serve the next) and the parent starts a
new one when one dies. A job that kills its process (OOM, SIGKILL) is recovered like any crash:
its lock lapses within JOB_LOCK_TTL and cron_tick queues its order again.
"""
import os
import signal
import sys
import time

from rq import SimpleWorker

from lib.config import ConfigError, load_settings, logging_settings
from lib.models import db
from lib.observability.logs import setup_logging
from lib.runtime import init_runtime
from lib.tasks import QUEUES, queue

SCHEDULER_CHECK_SECONDS = 30
RESPAWN_PAUSE = 1.0  # seconds between two starts of a worker that keeps dying


def _work(rt, burst: bool) -> int:
    """One worker process: the queues in priority order until stopped (or empty, with burst)."""
    # RQ looks for a free scheduler lock only at maintenance runs (600 s by default): after a crash the
    # dead worker's lock lapses in about a minute, and a live worker takes the scheduler soon after.
    worker = SimpleWorker([queue(rt.redis, name) for name in QUEUES], connection=rt.redis,
                          maintenance_interval=SCHEDULER_CHECK_SECONDS)
    worker.work(with_scheduler=True, burst=burst)
    return 0


def _spawn(rt, burst: bool) -> int:
    pid = os.fork()
    if pid == 0:  # the child: fresh connections, default signals (RQ installs its own)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        rt.redis.connection_pool.reset()
        code = 1
        try:
            code = _work(rt, burst)
        finally:
            os._exit(code)
    return pid


def _supervise(rt, count: int, burst: bool) -> int:
    """Keep `count` workers alive (with burst: wait until all are done); SIGTERM stops them warmly."""
    children, stopping = {_spawn(rt, burst) for _ in range(count)}, []

    def stop(signum, frame):
        stopping.append(signum)
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)  # RQ's warm shutdown: the job at hand ends first
            except ProcessLookupError:
                pass
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    failed = 0
    while children:
        pid, status = os.wait()
        children.discard(pid)
        failed |= os.waitstatus_to_exitcode(status) != 0
        if not burst and not stopping:
            time.sleep(RESPAWN_PAUSE)
            children.add(_spawn(rt, burst))
    return 1 if failed and burst else 0


def main(burst: bool = False) -> int:
    try:
        setup_logging(*logging_settings()[:2])
        rt = init_runtime(load_settings())  # migrates the schema before the first job
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    db.disconnect()  # each worker process opens its own connection
    return _supervise(rt, rt.settings.worker_processes, burst)


if __name__ == "__main__":
    sys.exit(main(burst="--burst" in sys.argv))
