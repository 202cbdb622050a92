"""A Redis lock a job holds while it works, kept alive by a heartbeat.

The TTL is short (JOB_LOCK_TTL), so when a worker dies mid-job (SIGKILL, OOM, a lost machine)
its lock lapses within seconds and the re-queued job can carry on; while the job is alive, a
heartbeat thread keeps extending it, however long Proxmox takes.
"""
import threading
from contextlib import contextmanager

from redis.exceptions import LockError, RedisError


@contextmanager
def job_lock(redis, name: str, ttl_seconds: float, wait_seconds: float = 0):
    """Yield True while holding the lock, False when another live job holds it."""
    # thread_local=False: the heartbeat thread must see the token the job thread acquired with.
    lock = redis.lock(f"shop:lock:{name}", timeout=ttl_seconds, thread_local=False)
    if not lock.acquire(blocking=wait_seconds > 0, blocking_timeout=wait_seconds or None):
        yield False
        return
    stop = threading.Event()

    def heartbeat():
        while not stop.wait(ttl_seconds / 3):
            try:
                lock.reacquire()
            except (LockError, RedisError):
                return  # lost it (Redis flushed or down): the job's own database checks still hold

    thread = threading.Thread(target=heartbeat, name=f"lock-{name}", daemon=True)
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
