"""What the benchmarks share: log lines, machine CPU time, a throwaway database and Redis."""
import os
import re
import sys
import time
from pathlib import Path


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (user+nice+system+irq+softirq+steal)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Services:
    """A throwaway PostgreSQL database and a flushed Redis database, removed again by cleanup()."""

    def __init__(self, pg_admin_url: str, redis_url: str, db_prefix: str):
        import psycopg2
        import redis

        self.psycopg2 = psycopg2
        self.pg_admin_url = pg_admin_url
        self.db_name = f"{db_prefix}_{os.getpid()}"
        self.database_url = re.sub(r"/[^/]*$", f"/{self.db_name}", pg_admin_url)
        self.redis_url = redis_url
        self.redis = redis.Redis.from_url(redis_url)
        self.created = False

    def _admin(self, sql):
        conn = self.psycopg2.connect(self.pg_admin_url, connect_timeout=10)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def setup(self):
        had = self.redis.dbsize()
        if had:
            log(f"Redis {self.redis_url} held {had} keys; flushing it for the bench")
        self.redis.flushdb()
        self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}"')
        self._admin(f'CREATE DATABASE "{self.db_name}"')
        self.created = True

    def cleanup(self):
        models = sys.modules.get("lib.models")  # this process bound the shop's database: let go of it
        if models is not None and models.db.provider is not None:
            models.db.disconnect()
        try:
            self.redis.flushdb()
        except Exception as exc:
            log(f"could not flush Redis: {exc}")
        if self.created:
            try:
                self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
                self.created = False
            except Exception as exc:
                log(f"could not drop database {self.db_name}: {exc}")
