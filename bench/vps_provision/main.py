"""The command line: options, the scenarios, the results file, the cleanup on the way out."""
import argparse
import os
import sys

from benchlib import RESULTS, Services, Stop, ignore_signals, log, now_iso, on_loopback, trap_signals, write_json

import vps_provision

from .common import MAX_ORDERS, TARGET_OVERHEAD_S
from .fakes import Fakes
from .probe import instrument
from .report import report, verdict
from .scenario import run_scenario


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=vps_provision.__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--clone", default="2,5", help="clone task durations to try, seconds, comma-separated")
    ap.add_argument("--start", type=float, default=1.0, help="start task duration, seconds")
    ap.add_argument("--resize", type=float, default=0.1, help="resize task duration, seconds (PVE 8 resizes in a task)")
    ap.add_argument("--runs", type=int, default=5, help="measured provisionings per scenario (sequential)")
    ap.add_argument("--telegram", default="off,on",
                    help="progress messages: off (no BOT_TOKEN) and/or on (FakeTelegram), comma-separated")
    ap.add_argument("--via", choices=("direct", "rq"), default="direct",
                    help="call jobs.fulfil_order.run directly, or let an RQ SimpleWorker (burst) run the queued job")
    ap.add_argument("--plan", default="vps-start", help="VPS plan id from plans.yaml")
    ap.add_argument("--no-warmup", dest="warmup", action="store_false",
                    help="do not run an uncounted short provisioning before each scenario")
    ap.add_argument("--poll-first", type=float, default=None, metavar="S",
                    help="what-if: override lib.vps.proxmox.POLL_FIRST in this process (lib/ is not changed)")
    ap.add_argument("--poll-max", type=float, default=None, metavar="S",
                    help="what-if: override lib.vps.proxmox.POLL_MAX in this process (lib/ is not changed)")
    ap.add_argument("--profile", metavar="PATH", default="",
                    help="cProfile the measured runs into PATH (inflates the overhead; for finding where it goes)")
    ap.add_argument("--pg-url",
                    default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
                    help="an admin URL; the bench creates and drops its own database beside it")
    ap.add_argument("--redis-url", default=os.environ.get("BENCH_VPS_REDIS_URL", "redis://127.0.0.1:6379/11"),
                    help="a spare Redis database, FLUSHED before and after")
    ap.add_argument("--json", default=str(RESULTS / "vps_provision.json"), help="where to write the results")
    ap.add_argument("--check", action="store_true",
                    help="exit 3 when the overhead target is missed or polling is tight")
    args = ap.parse_args(argv)
    for url in (args.pg_url, args.redis_url):
        if not on_loopback(url):
            ap.error(f"{url}: the bench talks to services on this machine's loopback only")
    try:
        args.clone = [float(x) for x in args.clone.split(",") if x.strip()]
    except ValueError:
        ap.error("--clone takes seconds, like 2,5")
    args.telegram = [x.strip() for x in args.telegram.split(",") if x.strip()]
    if not args.clone or any(not 0 < c <= 300 for c in args.clone):
        ap.error("--clone durations must be in (0, 300] seconds")
    if not 0 < args.start <= 120 or not 0 < args.resize <= 120:
        ap.error("--start and --resize must be in (0, 120] seconds")
    if not args.telegram or any(t not in ("off", "on") for t in args.telegram):
        ap.error("--telegram takes off and/or on")
    for name in ("poll_first", "poll_max"):
        value = getattr(args, name)
        if value is not None and not 0.01 <= value <= 30:
            ap.error(f"--{name.replace('_', '-')} must be in [0.01, 30] seconds")
    if not 1 <= args.runs <= 50:
        ap.error("--runs must be between 1 and 50")
    scenarios = len(args.clone) * len(args.telegram)
    if scenarios * (args.runs + 1) > MAX_ORDERS:
        ap.error(f"at most {MAX_ORDERS} provisionings per bench run (the IP pool)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    trap_signals()
    services = Services(args.pg_url, args.redis_url, "shop_bench_vps")
    fakes = None
    profiler = None
    if args.profile:
        import cProfile
        profiler = cProfile.Profile()
    results = {"started_at": now_iso(),
               "config": {"clone_s": args.clone, "start_s": args.start, "resize_s": args.resize, "runs": args.runs,
                          "telegram": args.telegram, "via": args.via, "plan": args.plan, "warmup": args.warmup,
                          "profiled": bool(args.profile), "cores": os.cpu_count(), "python": sys.version.split()[0]},
               "targets": {"overhead_s_max": TARGET_OVERHEAD_S},
               "definitions": {
                   "overhead_s": "wall time of the fulfil job minus the clone, resize and start task durations",
                   "poll_lag_s": "sum over tasks of (moment the shop saw the task stopped - moment it ended)",
                   "submit_s": "sum over tasks of (task start - POST sent)",
                   "between_tasks_s": "wall time outside [POST sent, task seen stopped] windows",
                   "overhead_bound_s": "the overhead had every task ended just after a poll (lag = last poll gap)",
                   "task_polls": "GET /nodes/{node}/tasks/{upid}/status calls",
                   "status_polls": "GET status/current calls made inside wait_until (VM running?)",
                   "api_calls_fake": "every request FakeProxmox received during the job"},
               "scenarios": []}
    try:
        services.setup()
        import redis as redis_lib
        redis = redis_lib.Redis.from_url(args.redis_url)
        fakes = Fakes({"clone": 0.2})
        instrument()
        import lib.vps.proxmox as pxmod
        if args.poll_first is not None:
            pxmod.POLL_FIRST = args.poll_first
        if args.poll_max is not None:
            pxmod.POLL_MAX = args.poll_max
        results["config"]["poll_first_s"], results["config"]["poll_max_s"] = pxmod.POLL_FIRST, pxmod.POLL_MAX
        results["config"]["what_if"] = args.poll_first is not None or args.poll_max is not None
        for telegram in args.telegram:
            for clone_s in args.clone:
                results["scenarios"].append(
                    run_scenario(services, fakes, redis, args, clone_s, telegram == "on", profiler))
        results["verdict"] = verdict(results)
        results["finished_at"] = now_iso()
        write_json(args.json, results)
        print(report(results))
        print(f"results: {args.json}")
        if profiler is not None:
            import pstats
            profiler.dump_stats(args.profile)
            print(f"profile: {args.profile}  (read: .venv/bin/python -m pstats {args.profile})")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        v = results["verdict"]
        return 3 if args.check and not (v["overhead_ok"] and v["polling_ok"]) else 0
    except (KeyboardInterrupt, Stop):
        log("interrupted; cleaning up")
        return 130
    finally:
        ignore_signals()
        try:
            from lib.runtime import reset_runtime
            reset_runtime()
        except Exception:
            pass
        if fakes is not None:
            fakes.stop()
        services.cleanup()

