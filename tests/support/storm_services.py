"""The storm's own PostgreSQL database (created, then dropped) and Redis database (taken alone, flushed)."""
import fcntl
import re
import uuid

import psycopg2
import redis as redis_lib

from tests.support.processes import wait_until


class StormServices:
    def __init__(self, pg_admin_url: str, redis_url: str):
        self.pg_admin_url, self.redis_url = pg_admin_url, redis_url
        self.redis = redis_lib.Redis.from_url(redis_url)
        self.db_name = self.database_url = None
        self._lock = None

    def take(self) -> None:
        """One storm at a time on the Redis database (a file lock), flushed; then a fresh database."""
        db = self.redis.connection_pool.connection_kwargs.get("db", 0)
        lock = open(f"/tmp/shop-storm-redis-{db}.lock", "w")
        wait_until(lambda: _try_lock(lock), 600, f"another storm holds Redis database {db}", every=0.5)
        self._lock = lock
        self.redis.flushdb()
        name = f"shop_storm_{uuid.uuid4().hex[:10]}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.db_name, self.database_url = name, re.sub(r"/[^/]*$", f"/{name}", self.pg_admin_url)

    def release(self) -> None:
        if self.db_name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            self.db_name = self.database_url = None
        if self._lock is not None:
            self.redis.flushdb()
            self._lock.close()  # lets the lock go
            self._lock = None

    def _admin(self, statement: str) -> None:
        conn = psycopg2.connect(self.pg_admin_url, connect_timeout=10)
        try:
            conn.autocommit = True
            conn.cursor().execute(statement)
        finally:
            conn.close()


def _try_lock(lock) -> bool:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
