"""Turn the Telegram inbox (filled by lib.telegram.intake) into one handle_update job per update."""
import json

from lib import tasks
from lib.runtime import current
from lib.telegram.intake import DRAIN_PENDING, INBOX

BATCH = 200


def run() -> int:
    rt = current()
    # Cleared before draining: an update pushed from now on queues a new drain job itself.
    rt.redis.delete(DRAIN_PENDING)
    moved = 0
    while True:
        raw_updates = rt.redis.lpop(INBOX, BATCH)
        if not raw_updates:
            return moved
        moved += tasks.enqueue_many(rt.redis, [(tasks.HANDLE_UPDATE, (json.loads(raw),)) for raw in raw_updates])
