"""Turn updates left in the old Telegram inbox list (lib.telegram.intake) into one handle_update job each.

An entry that is not a JSON object is logged and skipped: it must not cost the rest of its batch."""
import json
import logging

from lib import tasks
from lib.runtime import current
from lib.telegram.intake import INBOX

log = logging.getLogger(__name__)
BATCH = 200


def _decoded(raw: bytes):
    """The update in an inbox entry, or None (logged by its size only: the body may hold anything)."""
    try:
        update = json.loads(raw)
    except ValueError:  # JSONDecodeError, and UnicodeDecodeError for bytes that are not UTF-8
        update = None
    if not isinstance(update, dict):
        log.warning("skipped a Telegram inbox entry that is not a JSON object (%d bytes)", len(raw))
        return None
    return update


def run() -> int:
    rt = current()
    moved = 0
    while True:
        raw_updates = rt.redis.lpop(INBOX, BATCH)
        if not raw_updates:
            return moved
        updates = [update for update in map(_decoded, raw_updates) if update is not None]
        moved += tasks.enqueue_many(rt.redis, [(tasks.HANDLE_UPDATE, (update,)) for update in updates])
