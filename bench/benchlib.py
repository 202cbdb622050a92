"""What the benchmarks share: paths, log lines, signals, machine CPU time, a throwaway database and Redis.

Imported by every bench script, and by use_cases.py's children on another tree: it must not touch
sys.path (the children put the measured tree first) nor import the shop at module level.
"""
import json
import os
import re
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def shop_on_path() -> None:
    """Let the bench import the shop (lib, jobs, functions, tests.fakes) of this tree."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def log(msg: str, who: str = "bench") -> None:
    print(f"[{who} {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def on_loopback(url: str) -> bool:
    return urlparse(url).hostname in LOOPBACK


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_json(path, data, **dumps) -> None:
    """`data` as indented JSON plus a newline at `path`, making its directory."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, indent=2, **dumps) + "\n")


class Stop(BaseException):
    """SIGTERM: unwind through the cleanups like Ctrl-C (a BaseException: `except Exception` lets it by)."""


def trap_signals() -> None:
    """SIGTERM raises Stop, SIGINT KeyboardInterrupt (also when started in the background)."""
    def on_term(signum, frame):
        raise Stop()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def ignore_signals() -> None:
    """On the way out: a second Ctrl-C or SIGTERM must not skip the cleanup."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


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
        self.created = True  # before CREATE: an interrupted CREATE is dropped too
        self._admin(f'CREATE DATABASE "{self.db_name}"')

    def cleanup(self):
        models = sys.modules.get("lib.models")  # this process bound the shop's database: let go of it
        if models is not None and models.db.provider is not None:
            models.db.disconnect()
        if self.created:
            try:
                self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
                self.created = False
            except Exception as exc:
                log(f"could not drop database {self.db_name}: {exc}")
        try:  # last: a child that outlived the bench (an RQ work horse) writes to Redis until its database goes
            self.redis.flushdb()
        except Exception as exc:
            log(f"could not flush Redis: {exc}")
