"""Job locks: one holder at a time, kept alive while the job works, lapsing when the worker dies."""
import threading
import time

from lib.exclusive import exclusive


def test_heartbeat_keeps_a_long_job_locked(redis_conn):
    redis_conn.delete("shop:lock:long-job")
    with exclusive("long-job", 0.6, redis=redis_conn) as held:
        assert held
        time.sleep(1.5)  # well past the TTL: only the heartbeat keeps the lock
        assert redis_conn.exists("shop:lock:long-job")
        with exclusive("long-job", 0.6, redis=redis_conn) as second:
            assert not second
    assert not redis_conn.exists("shop:lock:long-job")


def test_a_dead_holders_lock_lapses(redis_conn):
    redis_conn.delete("shop:lock:dead-job")
    lock = redis_conn.lock("shop:lock:dead-job", timeout=0.5)  # taken by a worker that then died
    assert lock.acquire(blocking=False)
    results = []
    waiter = threading.Thread(target=lambda: results.append(_try(redis_conn)))
    time.sleep(0.7)
    waiter.start()
    waiter.join(5)
    assert results == [True]


def _try(redis_conn):
    with exclusive("dead-job", 1, redis=redis_conn) as held:
        return held
