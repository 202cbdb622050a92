"""Accepting an update from Telegram (webhook or long polling) in one Redis round trip.

A Lua script drops a repeated update_id (a 24-hour seen-set: update_id restarts after a quiet
week, so a TTL and not "greater than last"), appends the raw update to an inbox list, and says
whether a drain job must be queued. Only the first update of a burst pays for an RQ enqueue;
jobs.drain_updates turns the inbox into one handle_update job per update.
"""
from lib import tasks
from lib.tasks import enqueue

SEEN_TTL_SECONDS = 24 * 3600
INBOX = "shop:tg:inbox"
DRAIN_PENDING = "shop:tg:drain-pending"
DRAIN_PENDING_TTL = 60  # if a drain job is lost, the next update (or cron_tick) queues another
_ACCEPT = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
if redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[3]) then return 2 end
return 1
"""
_script = None


def accept_update(redis, update_id: int, raw_update: bytes | str) -> bool:
    """Queue the update unless this update_id was seen lately; True if it was new."""
    global _script
    if _script is None:
        _script = redis.register_script(_ACCEPT)
    outcome = _script(keys=[f"shop:tg:seen:{update_id}", INBOX, DRAIN_PENDING],
                      args=[raw_update, SEEN_TTL_SECONDS, DRAIN_PENDING_TTL], client=redis)
    if outcome == 2:
        queue_drain(redis)
    return outcome > 0


def queue_drain(redis) -> None:
    enqueue(redis, tasks.DRAIN_UPDATES)


def rescue_inbox(redis) -> None:
    """Updates waiting while no drain job is queued (one was lost): queue one (cron_tick calls this)."""
    if redis.llen(INBOX):
        queue_drain(redis)
