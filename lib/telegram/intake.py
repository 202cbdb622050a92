"""Accepting an update from Telegram (webhook or long polling): drop repeats, queue the rest."""
from lib.queue import enqueue

SEEN_TTL_SECONDS = 24 * 3600  # update_id restarts after a quiet week: a TTL, not "greater than last"


def accept_update(redis, update: dict) -> bool:
    """Queue the update for jobs.handle_update unless this update_id was seen lately; True if queued."""
    key = f"shop:tg:seen:{update['update_id']}"
    if not redis.set(key, 1, nx=True, ex=SEEN_TTL_SECONDS):
        return False
    try:
        enqueue(redis, "jobs.handle_update.run", update, queue_name="high")
    except Exception:
        redis.delete(key)  # not queued: let Telegram's retry through
        raise
    return True
