"""Turn the Telegram inbox (filled by lib.telegram.intake) into one handle_update job per update."""
import json

from rq import Queue

from lib.queue import queue
from lib.runtime import current
from lib.telegram.intake import DRAIN_PENDING, INBOX

BATCH = 200


def run() -> int:
    rt = current()
    # Cleared before draining: an update pushed from now on queues a new drain job itself.
    rt.redis.delete(DRAIN_PENDING)
    high, moved = queue(rt.redis, "high"), 0
    while True:
        raw_updates = rt.redis.lpop(INBOX, BATCH)
        if not raw_updates:
            return moved
        jobs = [Queue.prepare_data("jobs.handle_update.run", (json.loads(raw),), result_ttl=3600,
                                   failure_ttl=7 * 86400) for raw in raw_updates]
        high.enqueue_many(jobs)
        moved += len(jobs)
