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


def enqueue_batch(redis, jobs) -> int:
    """Queue many jobs in one pipeline per queue: jobs are (func_path, args, queue_name, retries, timeout)."""
    by_queue = {}
    for func_path, args, queue_name, retries, timeout in jobs:
        retry = Retry(max=retries, interval=list(RETRY_INTERVALS[:retries])) if retries else None
        by_queue.setdefault(queue_name, []).append(Queue.prepare_data(
            func_path, tuple(args), timeout=timeout, result_ttl=3600, failure_ttl=7 * 86400, retry=retry))
    for queue_name, datas in by_queue.items():
        with redis.pipeline() as pipe:
            queue(redis, queue_name).enqueue_many(datas, pipeline=pipe)
            pipe.execute()
    return sum(len(d) for d in by_queue.values())
