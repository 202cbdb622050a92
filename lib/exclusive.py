"""exclusive(key, ttl): the Redis lock a job holds while it works, kept alive by a heartbeat.

The TTL is short (JOB_LOCK_TTL), so when a worker dies mid-job (SIGKILL, OOM, a lost machine)
its lock lapses within seconds; while the job is alive, a heartbeat thread keeps extending it,
however long Proxmox takes. The lock's value names the RQ job holding it, so a lock whose job
RQ already records as ended (failed, stopped, gone) is taken over at once instead of waited out.
A job that finds a live holder does not give up: it asks busy_for() how long to wait and
queues itself again for then (lib.tasks.enqueue_in).
"""
import secrets
import threading
from contextlib import contextmanager

from redis.exceptions import LockError, RedisError

PREFIX = "shop:lock:"
_TAKE_OVER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_LIVE = ("queued", "started", "scheduled", "deferred")


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


def busy_for(key: str, redis=None) -> float:
    """Seconds until the present holder's lock lapses unless its heartbeat renews it (0: free)."""
    redis, _ = _defaults(redis, 1)
    left = redis.pttl(PREFIX + key)
    return max(0.0, left / 1000) if left and left > 0 else 0.0


def _current_job_id() -> str:
    from rq import get_current_job
    job = get_current_job()
    return job.id if job is not None else "-"


def _holder_ended(redis, token: bytes | None) -> bool:
    """Whether RQ records the lock's holder as a job that is no longer running."""
    job_id, mark, _ = (token or b"").decode(errors="replace").partition("|")
    if not mark or job_id in ("", "-"):
        return False  # held outside a job (a script, an old release): only its TTL ends it
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    try:
        status = Job.fetch(job_id, connection=redis).get_status(refresh=False)
    except NoSuchJobError:
        return True
    return str(getattr(status, "value", status)) not in _LIVE


def _acquire(redis, lock, key: str, wait: float) -> bool:
    token = f"{_current_job_id()}|{secrets.token_hex(8)}"
    if lock.acquire(blocking=wait > 0, blocking_timeout=wait or None, token=token):
        return True
    holder = redis.get(PREFIX + key)
    if holder is not None and _holder_ended(redis, holder) and redis.eval(_TAKE_OVER, 1, PREFIX + key, holder):
        return lock.acquire(blocking=False, token=token)
    return False


@contextmanager
def exclusive(key: str, ttl: float | None = None, *, wait: float = 0, redis=None):
    """Yield True while holding `key`, False when another live job holds it (after `wait` seconds).

    `ttl` defaults to JOB_LOCK_TTL and `redis` to the process's runtime.
    """
    redis, ttl_seconds = _defaults(redis, ttl)
    # thread_local=False: the heartbeat thread must see the token the job thread acquired with.
    lock = redis.lock(PREFIX + key, timeout=ttl_seconds, thread_local=False)
    if not _acquire(redis, lock, key, wait):
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
