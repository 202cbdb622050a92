"""exclusive(key, ttl): the Redis lock a job holds while it works, kept alive by a heartbeat.

The TTL is short (JOB_LOCK_TTL), so when a worker dies mid-job (SIGKILL, OOM, a lost machine)
its lock lapses within seconds and the re-queued job can carry on; while the job is alive, a
heartbeat thread keeps extending it, however long Proxmox takes.
"""
import threading
from contextlib import contextmanager

from redis.exceptions import LockError, RedisError

PREFIX = "shop:lock:"


def _defaults(redis, ttl):
    if redis is None or ttl is None:
        from lib.runtime import current
        rt = current()
        return redis or rt.redis, ttl or rt.settings.job_lock_ttl.total_seconds()
    return redis, ttl


def is_held(key: str, redis=None) -> bool:
    """Whether some job holds `key` right now (e.g. an action runs on that server)."""
    redis, _ = _defaults(redis, 1)
    return bool(redis.exists(PREFIX + key))


@contextmanager
def exclusive(key: str, ttl: float | None = None, *, wait: float = 0, redis=None):
    """Yield True while holding `key`, False when another live job holds it (after `wait` seconds).

    `ttl` defaults to JOB_LOCK_TTL and `redis` to the process's runtime.
    """
    redis, ttl_seconds = _defaults(redis, ttl)
    # thread_local=False: the heartbeat thread must see the token the job thread acquired with.
    lock = redis.lock(PREFIX + key, timeout=ttl_seconds, thread_local=False)
    if not lock.acquire(blocking=wait > 0, blocking_timeout=wait or None):
        yield False
        return
    stop = threading.Event()

    def heartbeat():
        while not stop.wait(ttl_seconds / 3):
            try:
                lock.reacquire()
            except (LockError, RedisError):
                return  # lost it (Redis flushed or down): the job's own database checks still hold

    thread = threading.Thread(target=heartbeat, name=f"lock-{key}", daemon=True)
    thread.start()
    try:
        yield True
    finally:
        stop.set()
        thread.join(5)
        try:
            lock.release()
        except LockError:
            pass
