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
