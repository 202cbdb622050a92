"""The command line: options, the run, the results files, the cleanup on the way out."""
import argparse

from benchlib import RESULTS, Services, Stop, ignore_signals, on_loopback, trap_signals, write_json

import cron_tick

from .common import log
from .report import report
from .run import run


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=cron_tick.__doc__.split("\n")[0])
    add = ap.add_argument
    add("--subscriptions", type=int, default=100_000, help="live subscriptions, one user each")
    add("--vps-share", type=float, default=0.1, help="share of subscriptions (live and ended) that are VPS")
    add("--due", type=int, default=1000, help="subscriptions made due in phase (c)")
    add("--ticks", type=int, default=50, help="nothing-due ticks per path")
    add("--due-rounds", type=int, default=5, help="timed due ticks per path (queue emptied between)")
    add("--stale-updates", type=int, default=1000, help="processed updates past their TTL in phase (b)")
    add("--expired", type=int, help="ended subscriptions kept as history (default subscriptions/2)")
    add("--history", type=float, default=1.0, help="x (2 orders and payments, 4 ledger entries, 1 delivered event, "
        "0.5 processed updates) per subscription")
    add("--seed", type=int, default=1)
    add("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL (create/drop)")
    add("--redis-url", default="redis://127.0.0.1:6379/14", help="FLUSHED before and after")
    add("--flush-redis", action="store_true", help="flush that Redis database even when it is not empty")
    add("--json", default=str(RESULTS / "cron_tick.json"))
    add("--plans", default=str(RESULTS / "cron_tick_plans.txt"))
    args = ap.parse_args(argv)
    args.expired = args.subscriptions // 2 if args.expired is None else args.expired
    args.orders, args.events, args.updates = (int(args.subscriptions * args.history * k) for k in (2, 1, 0.5))
    if not all(on_loopback(u) for u in (args.pg_url, args.redis_url)):
        ap.error("only loopback PostgreSQL and Redis")
    n_vps = int(args.subscriptions * args.vps_share)
    if not (args.subscriptions >= 100 and 0 < n_vps < args.subscriptions and args.ticks > 0 and args.due_rounds > 0
            and 0 < args.due and 0.3 * args.due <= n_vps and 0.7 * args.due <= args.subscriptions - n_vps):
        ap.error("need --subscriptions >= 100, some VPS and some VPN, --ticks/--due-rounds > 0, and --due small "
                 "enough for its mix (70 %% VPN, 30 %% VPS)")
    return args


def main(argv=None):
    args, st = parse_args(argv), {}
    services = Services(args.pg_url, args.redis_url, "shop_bench_cron")
    trap_signals()
    try:
        res = run(args, services, st)
        text = report(res)
        write_json(args.json, res, default=str)
        print(f"{text}\nresults: {args.json}\nplans:   {args.plans}")
        return 0
    except (KeyboardInterrupt, Stop):
        log("interrupted; cleaning up")
        return 130
    finally:
        ignore_signals()
        steps = {"conn": lambda: st["conn"].close(), "services": lambda: st["services"].cleanup()}
        for key, step in steps.items():
            try:
                if key in st:
                    step()
            except Exception as exc:
                log(f"cleanup ({key}): {exc}")
