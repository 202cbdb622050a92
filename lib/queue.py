"""RQ queues and enqueueing by dotted path, so webhooks never import what only jobs need."""
from rq import Queue, Retry

QUEUES = ("high", "default", "low")  # Telegram updates, provisioning, event delivery
# Back-off between retries of a failing job, in seconds.
RETRY_INTERVALS = (10, 30, 90, 300)


def queue(redis, name: str = "default") -> Queue:
    return Queue(name, connection=redis)


def enqueue(redis, func_path: str, *args, queue_name: str = "default", retries: int = 0,
            job_timeout: int = 300):
    """Queue `func_path(*args)`; with retries, RQ runs it again after the back-off intervals."""
    retry = Retry(max=retries, interval=list(RETRY_INTERVALS[:retries])) if retries else None
    return queue(redis, queue_name).enqueue(func_path, *args, retry=retry, job_timeout=job_timeout,
                                            result_ttl=3600, failure_ttl=7 * 86400)


def queue_depths(redis) -> dict:
    """Jobs waiting per queue (for summaries and metrics)."""
    return {name: queue(redis, name).count for name in QUEUES}
