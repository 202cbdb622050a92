"""Accepting an update from Telegram (webhook or long polling) in one Redis round trip.

A repeated update_id is dropped (a 24-hour seen-set: update_id restarts after a quiet week, so a
TTL and not "greater than last"); a new one becomes its handle_update job in the same Lua call
(lib.tasks.enqueue_if_first), so a worker picks it up at once, with no hop in between.

Updates accepted by an older version sit in an inbox list; cron_tick queues jobs.drain_updates
for them (rescue_inbox), so none is lost across an upgrade.
"""
from lib import tasks
from lib.tasks import enqueue, enqueue_if_first

SEEN_TTL_SECONDS = 24 * 3600
INBOX = "shop:tg:inbox"


def accept_update(redis, update_id: int, update: dict) -> bool:
    """Queue the update unless this update_id was seen lately; True if it was new."""
    return enqueue_if_first(redis, f"shop:tg:seen:{update_id}", SEEN_TTL_SECONDS, tasks.HANDLE_UPDATE, update)


def rescue_inbox(redis) -> None:
    """Updates left in the inbox (accepted by an older version): queue a drain job (cron_tick calls this)."""
    if redis.llen(INBOX):
        enqueue(redis, tasks.DRAIN_UPDATES)
