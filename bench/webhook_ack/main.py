"""The command line: options, the run over both apps, the results file, the cleanup on the way out."""
import argparse
import os
import signal
import threading

from benchlib import RESULTS, Services, Stop, ignore_signals, log, now_iso, on_loopback, trap_signals, write_json

import webhook_ack

from .common import BOT_TOKEN, SECRET, TARGET_P99_MS, TARGET_RATIO, VENV_BIN
from .load import ensure_wrk
from .measure import measure
from .report import report, verdict
from .server import Server, procfile_web


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=webhook_ack.__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds of each measured phase")
    ap.add_argument("--rate", type=float, default=200, help="offered updates/s of the latency phase")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)),
                    help="gunicorn workers (WEB_CONCURRENCY) for both apps")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)),
                    help="gunicorn threads per worker (WEB_THREADS) for both apps")
    ap.add_argument("--connections", type=int, default=8, help="wrk connections of the ceiling phase")
    ap.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (each needs a core share), up to 10")
    ap.add_argument("--ceiling-rounds", type=int, default=3,
                    help="wrk rounds of --duration s each, on fresh connections; the best one is the ceiling")
    ap.add_argument("--senders", type=int, default=32, help="open-loop sender threads (max in flight)")
    ap.add_argument("--warmup", type=int, default=2, help="wrk warm-up seconds per app (0: none)")
    ap.add_argument("--pause", type=float, default=1, help="seconds of quiet between phases")
    ap.add_argument("--timeout", type=float, default=5, help="per-request timeout of the open loop")
    ap.add_argument("--gunicorn-extra", default="", metavar="OPTIONS",
                    help="extra gunicorn options for both apps, to try a setting (the Procfile stays as it is)")
    ap.add_argument("--apps", default="bare,shop", help="which apps to measure, in order")
    ap.add_argument("--port", type=int, default=0, help="port for the servers (0: a free one)")
    ap.add_argument("--pg-url",
                    default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
                    help="an admin URL; the bench creates and drops its own database beside it")
    ap.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
                    help="a spare Redis database, FLUSHED before and after")
    ap.add_argument("--json", default=str(RESULTS / "webhook_ack.json"), help="where to write the results")
    ap.add_argument("--no-install", action="store_true", help="do not apt-get install wrk when missing")
    ap.add_argument("--check", action="store_true",
                    help="exit 3 when a target is missed or an update was dropped as a repeat")
    args = ap.parse_args(argv)
    for url in (args.pg_url, args.redis_url):
        if not on_loopback(url):
            ap.error(f"{url}: the bench talks to services on this machine's loopback only")
    apps = [a.strip() for a in args.apps.split(",") if a.strip()]
    if not apps or any(a not in ("bare", "shop") for a in apps):
        ap.error("--apps takes bare and/or shop")
    args.apps = apps
    for name in ("duration", "rate", "workers", "threads", "connections", "wrk_threads", "senders",
                 "ceiling_rounds"):
        if getattr(args, name) <= 0:
            ap.error(f"--{name.replace('_', '-')} must be positive")
    if args.duration > 600:
        ap.error("--duration is capped at 600 s")
    if args.rate * args.duration > 1_000_000:
        ap.error("--rate x --duration is capped at 1,000,000 requests")
    if args.wrk_threads > 10 or args.ceiling_rounds > 9:
        ap.error("at most 10 --wrk-threads and 9 --ceiling-rounds (update_id ranges)")
    if args.connections < args.wrk_threads:
        ap.error("--connections must be at least --wrk-threads")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    wrk = ensure_wrk(not args.no_install)
    RESULTS.mkdir(parents=True, exist_ok=True)
    trap_signals()
    services = Services(args.pg_url, args.redis_url, "shop_bench")
    running: list = []  # servers and wrk processes to end on the way out
    stop_event = threading.Event()
    results = {"started_at": now_iso(),
               "config": {"duration": args.duration, "rate": args.rate, "workers": args.workers,
                          "threads": args.threads, "connections": args.connections,
                          "wrk_threads": args.wrk_threads, "senders": args.senders, "warmup": args.warmup,
                          "cores": os.cpu_count(), "ceiling_rounds": args.ceiling_rounds,
                          "gunicorn_extra": args.gunicorn_extra,
                          "command": procfile_web("<app>", args.gunicorn_extra)},
               "targets": {"throughput_ratio_percent_min": TARGET_RATIO, "p99_ms_max": TARGET_P99_MS},
               "apps": {}}
    try:
        services.setup()
        base_env = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
                    "WEB_CONCURRENCY": str(args.workers), "WEB_THREADS": str(args.threads)}
        shop_env = {**base_env, "DATABASE_URL": services.database_url, "REDIS_URL": args.redis_url,
                    "BOT_TOKEN": BOT_TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                    "CRON_SECRET": "bench-cron-secret-0123456789",
                    "SECRET_KEY": "bench-secret-key-0123456789abcdef", "TELEGRAM_API_URL": "http://127.0.0.1:9"}
        for name in args.apps:
            target = "bench.bare_app:app" if name == "bare" else "functions.main:app"
            env = base_env if name == "bare" else shop_env
            results["apps"][name] = measure(name, target, env, args, wrk, running, stop_event, services.redis)
        results["verdict"] = verdict(results, services)
        results["finished_at"] = now_iso()
        write_json(args.json, results)
        print(report(results))
        print(f"results: {args.json}")
        for name, r in results["apps"].items():
            if r["server_tracebacks"]:
                print(f"warning: {r['server_tracebacks']} tracebacks in {r['log']}")
        v = results["verdict"]
        missed = [k for k in ("throughput_ok", "p99_ok", "no_repeats") if v.get(k) is False]
        return 3 if args.check and missed else 0
    except (KeyboardInterrupt, Stop):
        log("interrupted; cleaning up")
        return 130
    finally:
        stop_event.set()
        ignore_signals()
        for item in list(running):
            try:
                if isinstance(item, Server):
                    item.stop()
                elif item.poll() is None:
                    os.killpg(item.pid, signal.SIGKILL)
                    item.wait(5)
            except Exception as exc:
                log(f"cleanup: {exc}")
        services.cleanup()

