"""The command line: options, the seeded users, the runs, the table, the verdict and the results file."""
import argparse
import json
import os
import signal
import statistics
import sys

from benchlib import RESULTS, Services

import broadcast

from .common import ADMIN, BOT_TOKEN, TARGET, log, loopback_only
from .run import one_run


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
    ap = argparse.ArgumentParser(description=broadcast.__doc__.split("\n")[0])
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
    from pony.orm import db_session

    from lib import clock
    from lib.config import load_settings
    from lib.models import User
    from lib.runtime import init_runtime

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "broadcast.worker.log").write_text("")
    loopback_only(args.pg_admin_url)
    services = Services(args.pg_admin_url, args.redis_url, "shop_bench_bc")
    redis = services.redis
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        services.setup()
        env_base = {"DATABASE_URL": services.database_url, "REDIS_URL": args.redis_url, "BOT_TOKEN": BOT_TOKEN,
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
        services.cleanup()
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
