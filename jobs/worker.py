"""`python -m jobs.worker`: the production RQ worker for every queue, with the scheduler on."""
import sys

from rq import Worker

from lib.config import ConfigError, load_settings, logging_settings
from lib.models import db
from lib.observability.logs import setup_logging
from lib.runtime import init_runtime
from lib.tasks import QUEUES, queue

SCHEDULER_CHECK_SECONDS = 30


def main(burst: bool = False) -> int:
    try:
        setup_logging(*logging_settings()[:2])
        rt = init_runtime(load_settings())  # migrates the schema before the first job
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    db.disconnect()  # each forked work horse opens its own connection
    # RQ looks for a free scheduler lock only at maintenance runs (600 s by default): after a crash the
    # dead worker's lock lapses in about a minute, and this worker takes the scheduler soon after.
    worker = Worker([queue(rt.redis, name) for name in QUEUES], connection=rt.redis,
                    maintenance_interval=SCHEDULER_CHECK_SECONDS)
    worker.work(with_scheduler=True, burst=burst)
    return 0


if __name__ == "__main__":
    sys.exit(main(burst="--burst" in sys.argv))
