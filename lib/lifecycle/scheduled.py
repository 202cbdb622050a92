"""Scheduled jobs that RQ's scheduler did not move in time (after a worker crash), queued by cron_tick."""
import time

from lib.tasks import QUEUES, queue

SCHEDULER_GRACE = 5  # seconds a scheduled job may be overdue before cron_tick queues it itself


def queue_overdue_scheduled(redis, overdue: float = SCHEDULER_GRACE) -> int:
    """Queue scheduled jobs (retries, delayed tries) overdue by more than `overdue` seconds.

    RQ's scheduler moves them within a second while a worker holds its lock; after a crash that
    lock outlives the dead worker for a minute, and a new worker looks for it only at its next
    maintenance run. cron_tick calls this so that retry intervals keep moving meanwhile. ZREM
    first: of this and a scheduler waking at the same moment, only one queues a job."""
    moved, latest = 0, time.time() - overdue
    for name in QUEUES:
        q = queue(redis, name)
        key = q.scheduled_job_registry.key
        for job_id in redis.zrangebyscore(key, 0, latest, start=0, num=500):
            if not redis.zrem(key, job_id):
                continue
            job = q.fetch_job(job_id.decode())
            if job is not None:
                q.enqueue_job(job)
                moved += 1
    return moved
