"""One run: a fresh FakeTelegram with its rate limit, a broadcast to all, the production worker, the checks."""
import os
import re
import subprocess
import sys
import time
from collections import Counter, deque

from benchlib import RESULTS, ROOT

from .common import ADMIN, BOT_TOKEN, PLAIN, TEXT


def instrument(fake):
    """Record (monotonic time, chat_id, http status) of every request the fake's rate gate let through."""
    from tests.fakes.tg_rules import TgError
    stamps, check = [], fake._gate.check  # the fake calls it with its lock held, for every request but getUpdates

    def timed_check(chat_id, now):
        try:
            check(chat_id, now)
        except TgError as exc:
            if exc.code != 429:  # blocked users: through the limiter, then refused
                stamps.append((time.monotonic(), chat_id, exc.code))
            raise
        stamps.append((time.monotonic(), chat_id, 200))
    fake._gate.check = timed_check
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

