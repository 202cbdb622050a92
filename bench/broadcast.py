#!/usr/bin/env python3
"""Broadcast throughput against the fake Telegram with its 30 msg/s limit on, and nothing lost or doubled.

    .venv/bin/python bench/broadcast.py [--users 600] [--blocked 6] [--inject-429 0] [--runs 3]

Per run: a fresh FakeTelegram on loopback (sliding-window limit of --limit requests/s over all
chats, every request counted, --blocked users having blocked the bot), a broadcast to "all" made
with lib.broadcast.start_broadcast, and the real production worker (`python -m jobs.worker
--burst`, a forking RQ worker) in a child process running it to the end. The fake's rate gate is
instrumented to time-stamp every request it lets through, so the rate is what Telegram would see.

Measured: recipients/s between the first and the last recipient request (blocked users' requests
included: they count against the limit too) against the limit (target >= 95 %); all requests/s
(the admin's progress edits and report included); the busiest sliding second; 429s (injected and
natural); lost (a reachable user without the message) and doubled (a user with more than one);
the deliveries table against the fake's log; the admin's final report against the truth.
Writes bench/results/broadcast.json. Uses a throwaway PostgreSQL database (dropped at the end)
and Redis database 13 (flushed before and after). Only loopback services are accepted.
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
BOT_TOKEN = "424242:BENCH-broadcast-token"
ADMIN = 10_000_000  # not one of the recipients
TEXT = "<b>Bench</b> broadcast: hello &amp; thanks"
PLAIN = "Bench broadcast: hello & thanks"
TARGET = 0.95


def log(msg):
    print(f"[broadcast-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def loopback_only(url):
    host = urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"bench: {url} is not on loopback")


class Database:
    """A throwaway PostgreSQL database, dropped on exit."""

    def __init__(self, admin_url):
        import psycopg2
        loopback_only(admin_url)
        self.name = f"shop_bench_bc_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.admin = psycopg2.connect(admin_url)
        self.admin.autocommit = True
        self.admin.cursor().execute(f'CREATE DATABASE "{self.name}"')
        self.url = admin_url.rsplit("/", 1)[0] + "/" + self.name

    def drop(self):
        if self.admin is not None:
            self.admin.cursor().execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.admin.close()
            self.admin = None


def instrument(fake):
    """Record (monotonic time, chat_id, http status) of every request the fake's rate gate let through."""
    from tests.fakes.tg_rules import TgError
    stamps, gate = [], fake._gate

    def timed_gate(chat_id):
        try:
            gate(chat_id)
        except TgError as exc:
            if exc.code != 429:  # blocked users: through the limiter, then refused
                stamps.append((time.monotonic(), chat_id, exc.code))
            raise
        stamps.append((time.monotonic(), chat_id, 200))
    fake._gate = timed_gate
    return stamps


def busiest_second(times):
    window, best = deque(), 0
    for moment in times:
        window.append(moment)
        while moment - window[0] >= 1.0:
            window.popleft()
        best = max(best, len(window))
    return best


def one_run(number, args, redis, env_base):
    from pony.orm import db_session, select

    from lib.broadcast.actions import start as start_broadcast
    from lib.config import load_settings
    from lib.models import Broadcast, BroadcastDelivery, User
    from lib.runtime import init_runtime, reset_runtime
    from tests.fakes.telegram import FakeTelegram

    redis.flushdb()
    with db_session:  # every run starts from the same users
        BroadcastDelivery.select().delete(bulk=True)
        Broadcast.select().delete(bulk=True)
        for user in select(u for u in User if u.blocked_bot):
            user.blocked_bot = False
    users = list(range(1, args.users + 1))
    step = max(1, args.users // max(1, args.blocked)) if args.blocked else 0
    blocked = set(users[step // 2::step][:args.blocked]) if args.blocked else set()
    with FakeTelegram(BOT_TOKEN) as fake:
        stamps = instrument(fake)
        fake.set_rate_limit(per_second=args.limit)
        for user_id in blocked:
            fake.block(user_id)
        if args.inject_429:
            fake.fail_next(args.inject_429, retry_after=1)
        env = {**env_base, "TELEGRAM_API_URL": fake.url}
        reset_runtime()
        rt = init_runtime(load_settings(env, dotenv_path=os.devnull), redis=redis)
        broadcast_id = start_broadcast(rt, ADMIN, TEXT, "Open", "https://example.com/bench", "all")
        started = time.monotonic()
        with open(RESULTS / "broadcast.worker.log", "a") as worker_log:
            worker = subprocess.run([sys.executable, "-m", "jobs.worker", "--burst"], cwd=ROOT,
                                    env={**os.environ, **env}, stdout=worker_log, stderr=worker_log,
                                    timeout=args.users / 20 + 180)
        wall = time.monotonic() - started
        counts = Counter(m["chat"]["id"] for m in fake.messages() if m.get("text") == PLAIN and not m.get("edit_date"))
        admin_texts = [m["text"] for m in fake.messages(ADMIN) if not m.get("edit_date")]
        too_many = sum(1 for f in fake.failed if f["error"]["error_code"] == 429)
    with db_session:
        b = Broadcast[broadcast_id]
        row = {"status": b.status, "total": b.total, "sent": b.sent, "blocked": b.blocked, "failed": b.failed,
               "seconds": (b.finished_at - b.started_at).total_seconds() if b.finished_at else None}
        deliveries = {d.user_id: d.status for d in BroadcastDelivery.select()}
        marked = {u.id for u in User.select(lambda u: u.blocked_bot)}
    reachable = [u for u in users if u not in blocked]
    recipient_stamps = [moment for moment, chat, _ in stamps if chat != ADMIN]
    first, last = min(recipient_stamps), max(recipient_stamps)
    span = last - first
    all_in_span = [moment for moment, _, _ in stamps if first <= moment <= last]
    recipients_rate = (len(recipient_stamps) - 1) / span if span > 0 else 0.0
    report = admin_texts[-1] if admin_texts else ""
    reported = {k: int(m.group(1)) if (m := re.search(p, report)) else None for k, p in
                (("sent", r"Delivered: (\d+)"), ("blocked", r"Blocked the bot: (\d+)"), ("failed", r"Failed: (\d+)"))}
    return {
        "run": number, "users": args.users, "blocked_users": len(blocked), "worker_exit": worker.returncode,
        "recipient_requests": len(recipient_stamps), "all_requests": len(stamps),
        "span_s": round(span, 3), "recipients_per_s": round(recipients_rate, 2),
        "all_requests_per_s": round((len(all_in_span) - 1) / span, 2) if span > 0 else 0.0,
        "pct_of_limit": round(100 * recipients_rate / args.limit, 1),
        "busiest_second": busiest_second(sorted(moment for moment, _, _ in stamps)),
        "http_429": too_many, "injected_429": args.inject_429, "natural_429": max(0, too_many - args.inject_429),
        "lost": sum(1 for u in reachable if counts.get(u, 0) == 0),
        "doubled": sum(1 for n in counts.values() if n > 1),
        "to_blocked": sum(counts.get(u, 0) for u in blocked),
        "deliveries_mismatch": sum(1 for u in users if deliveries.get(u) != ("blocked" if u in blocked else "sent")),
        "blocked_marked_ok": marked == blocked,
        "report_ok": reported == {"sent": len(reachable), "blocked": len(blocked), "failed": 0},
        "broadcast": row, "job_wall_s": round(wall, 2),
    }


def table(runs, limit):
    keys = ("recipients_per_s", "pct_of_limit", "all_requests_per_s", "busiest_second", "span_s", "job_wall_s",
            "http_429", "natural_429", "lost", "doubled", "to_blocked", "deliveries_mismatch", "blocked_marked_ok",
            "report_ok")
    lines = [f"broadcast to {runs[0]['users']} users ({runs[0]['blocked_users']} blocked), fake Telegram limit "
             f"{limit}/s, production worker (jobs.worker --burst)",
             f"{'':<24}" + "".join(f"{'run ' + str(r['run']):>12}" for r in runs)]
    for key in keys:
        lines.append(f"{key:<24}" + "".join(f"{str(r[key]):>12}" for r in runs))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=600)
    ap.add_argument("--blocked", type=int, default=6, help="users who blocked the bot")
    ap.add_argument("--inject-429", type=int, default=0, help="429s (retry_after=1) the fake answers first")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=int, default=30, help="the fake's messages/s over all chats")
    ap.add_argument("--pg-admin-url", default=os.environ.get("BENCH_PG_ADMIN_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--redis-url", default=os.environ.get("BENCH_BROADCAST_REDIS_URL", "redis://127.0.0.1:6379/13"),
                    help="FLUSHED before and after")
    args = ap.parse_args(argv)
    loopback_only(args.redis_url)
    import redis as redis_lib
    from pony.orm import db_session

    from lib import clock
    from lib.config import load_settings
    from lib.models import User
    from lib.runtime import init_runtime

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "broadcast.worker.log").write_text("")
    redis = redis_lib.Redis.from_url(args.redis_url)
    database = Database(args.pg_admin_url)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        env_base = {"DATABASE_URL": database.url, "REDIS_URL": args.redis_url, "BOT_TOKEN": BOT_TOKEN,
                    "TELEGRAM_WEBHOOK_SECRET": "bench-webhook-secret-0123456789", "ADMIN_IDS": str(ADMIN),
                    "SECRET_KEY": "bench-secret-key-0123456789abcdef", "CRON_SECRET": "bench-cron-secret-0123456789",
                    "PUBLIC_URL": "https://shop.example.test", "TELEGRAM_API_URL": "http://127.0.0.1:9"}
        init_runtime(load_settings(env_base, dotenv_path=os.devnull), redis=redis)  # migrates the schema
        with db_session:
            for user_id in range(1, args.users + 1):
                User(id=user_id, first_name=f"U{user_id}", language="en", created_at=clock.now())
        runs = []
        for number in range(1, args.runs + 1):
            log(f"run {number}/{args.runs}: {args.users} users")
            runs.append(one_run(number, args, redis, env_base))
            log(f"run {number}: {runs[-1]['recipients_per_s']}/s, lost {runs[-1]['lost']}, "
                f"doubled {runs[-1]['doubled']}, 429s {runs[-1]['http_429']}")
    finally:
        from lib.models import db
        db.disconnect()
        database.drop()
        redis.flushdb()
    median = statistics.median(r["recipients_per_s"] for r in runs)
    worst = min(r["recipients_per_s"] for r in runs)
    clean = all(r["lost"] == 0 and r["doubled"] == 0 and r["to_blocked"] == 0 and r["deliveries_mismatch"] == 0
                and r["blocked_marked_ok"] and r["report_ok"] and r["worker_exit"] == 0 for r in runs)
    verdict = {"median_recipients_per_s": median, "worst_recipients_per_s": worst,
               "median_pct_of_limit": round(100 * median / args.limit, 1),
               "target_pct": TARGET * 100, "throughput_pass": worst >= TARGET * args.limit, "integrity_pass": clean}
    print(table(runs, args.limit))
    print(f"throughput: median {median}/s = {verdict['median_pct_of_limit']} % of {args.limit}/s, worst {worst}/s "
          f"(target >= {TARGET * 100:.0f} % in every run) -> {'PASS' if verdict['throughput_pass'] else 'FAIL'}")
    print(f"integrity: lost/doubled/report/deliveries/blocked marks -> {'PASS' if clean else 'FAIL'}")
    (RESULTS / "broadcast.json").write_text(json.dumps({"args": vars(args), "runs": runs, "verdict": verdict},
                                                        indent=2, default=str))
    return 0 if verdict["throughput_pass"] and clean else 1


if __name__ == "__main__":
    sys.exit(main())
