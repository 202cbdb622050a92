"""Job locks: one holder at a time, kept alive while the job works, lapsing when the worker dies.

Redis keeps the lock's time to live on its own clock; a test lets that time pass at once by
shortening the TTL (PEXPIRE), instead of sleeping through it.
"""
import time

from lib.exclusive import exclusive, is_held
from tests.support.processes import wait_until

KEY = "shop:lock:{}"


def test_heartbeat_keeps_a_long_job_locked(redis_conn):
    with exclusive("long-job", 3, redis=redis_conn) as held:
        assert held and is_held("long-job", redis_conn)
        redis_conn.pexpire(KEY.format("long-job"), 1500)  # half the TTL has gone by in the job
        wait_until(lambda: redis_conn.pttl(KEY.format("long-job")) > 2000, 5,  # the heartbeat gave it a full TTL again
                   "the heartbeat never renewed the lock", every=0.02)
        with exclusive("long-job", 3, redis=redis_conn) as second:
            assert not second
    assert not is_held("long-job", redis_conn)


def test_a_dead_holders_lock_lapses_with_its_ttl(redis_conn):
    dead = redis_conn.lock(KEY.format("dead-job"), timeout=30)  # taken by a worker that then died
    assert dead.acquire(blocking=False)
    with exclusive("dead-job", 1, redis=redis_conn) as held:
        assert not held  # while its TTL runs, the dead holder still counts
    redis_conn.pexpire(KEY.format("dead-job"), 1)  # its TTL runs out: nobody renews it
    time.sleep(0.01)  # the one millisecond Redis was just told
    with exclusive("dead-job", 1, redis=redis_conn) as held:
        assert held


def _held_by_job(redis_conn, key, status):
    """A lock taken inside an RQ job, and that job left in `status` (None: RQ no longer has it)."""
    from rq import Queue
    job = Queue("default", connection=redis_conn).enqueue("math.floor", 1.5)
    assert redis_conn.set(KEY.format(key), f"{job.id}|abc", px=30_000)
    if status is None:
        job.delete()
    else:
        job.set_status(status)


def test_a_lock_whose_job_rq_records_as_ended_is_taken_over_at_once(redis_conn):
    from rq.job import JobStatus
    for key, status in (("failed-job", JobStatus.FAILED), ("gone-job", None), ("stopped-job", JobStatus.STOPPED)):
        _held_by_job(redis_conn, key, status)
        with exclusive(key, 5, redis=redis_conn) as held:
            assert held, f"a lock of a {status} job was not taken over"


def test_a_lock_of_a_running_job_is_respected_and_says_how_long_to_wait(redis_conn):
    from rq.job import JobStatus

    from lib.exclusive import busy_for
    _held_by_job(redis_conn, "running-job", JobStatus.STARTED)
    with exclusive("running-job", 5, redis=redis_conn) as held:
        assert not held
    assert 25 < busy_for("running-job", redis_conn) <= 30
    assert busy_for("free-job", redis_conn) == 0
