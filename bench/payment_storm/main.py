"""The command line: options, the runs (a fresh storm each), the results file, the cleanup on the way out."""
import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from benchlib import (
    RESULTS,
    ROOT,
    Stop,
    ignore_signals,
    log,
    now_iso,
    on_loopback,
    shop_on_path,
    trap_signals,
    write_json,
)

import payment_storm

from . import pyspy
from .common import PG_ADMIN_URL, REDIS_URL
from .report import report, verdict


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=payment_storm.__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--orders", type=int, default=120, help="pending VPN orders paid at once")
    ap.add_argument("--copies", type=int, default=3, help="deliveries of each paid webhook (1 + redeliveries)")
    ap.add_argument("--threads", type=int, default=16, help="threads POSTing the webhooks")
    ap.add_argument("--runs", type=int, default=2, help="storms, each on fresh processes and a fresh database")
    ap.add_argument("--web-workers", type=int, default=2, help="WEB_CONCURRENCY of the Procfile's web line")
    ap.add_argument("--worker-procs", type=int, default=1,
                    help="`python -m jobs.worker` processes (the Procfile and docker-compose run one)")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                    help="more environment for the shop's processes (e.g. WORKER_PROCESSES=4), repeatable")
    ap.add_argument("--tree", default=str(ROOT),
                    help="the checkout whose shop runs (e.g. `git archive HEAD | tar -x -C /tmp/shop-head`); "
                         "the harness and the fakes stay this tree's")
    ap.add_argument("--timeout", type=float, default=180, help="seconds from the first webhook until it must be over")
    ap.add_argument("--profile", action="store_true",
                    help="py-spy the workers and gunicorn during the storm (slows it down: figures are not targets)")
    ap.add_argument("--profile-rate", type=int, default=100, help="py-spy samples per second per thread")
    ap.add_argument("--cold-start", action="store_true",
                    help="after each storm, time what a job pays in a freshly forked process (coldstart.py)")
    ap.add_argument("--warm-webhook", action="store_true",
                    help="before the storm, each thread also POSTs a bad-signature webhook (401, nothing recorded), "
                         "so no gunicorn worker meets the webhook path for the first time in the storm")
    ap.add_argument("--seed", type=int, default=1, help="shuffle seed of the first run (each run adds one)")
    ap.add_argument("--redis-url", default=os.environ.get("BENCH_STORM_REDIS_URL", REDIS_URL),
                    help="a Redis database of the storm's own: FLUSHED before and after")
    ap.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", PG_ADMIN_URL),
                    help="an admin URL; each run creates and drops its own database beside it")
    ap.add_argument("--json", default=str(RESULTS / "payment_storm.json"), help="where to write the results")
    ap.add_argument("--logs", default=str(RESULTS / "payment_storm.logs"), help="where the processes' logs go")
    ap.add_argument("--check", action="store_true", help="exit 3 when a target is missed or anything broke")
    args = ap.parse_args(argv)
    for url in (args.redis_url, args.pg_url):
        if not on_loopback(url):
            ap.error(f"{url}: the bench talks to services on this machine's loopback only")
    for name in ("orders", "copies", "threads", "runs", "web_workers", "worker_procs", "profile_rate"):
        if getattr(args, name) <= 0:
            ap.error(f"--{name.replace('_', '-')} must be positive")
    if args.orders > 250:
        ap.error("--orders is capped at 250 (the fake interface's /24 subnet)")
    if any("=" not in item for item in args.env):
        ap.error("--env takes NAME=VALUE")
    args.env = dict(item.split("=", 1) for item in args.env)
    if not (Path(args.tree) / "Procfile").is_file():
        ap.error(f"--tree {args.tree}: no Procfile there")
    return args


def describe_tree(tree: str) -> dict:
    """Which shop ran: the checkout's commit (if it is one) and whether it has changes, and a hash of
    jobs/worker.py (the part under change while the storm was written)."""
    def git(*argv):
        done = subprocess.run(["git", "-C", tree, *argv], capture_output=True, text=True, timeout=30)
        return done.stdout.strip() if done.returncode == 0 else None
    worker = Path(tree) / "jobs" / "worker.py"
    return {"path": tree, "commit": git("rev-parse", "--short", "HEAD"),
            "changed_files": None if git("rev-parse", "HEAD") is None else len(git("status", "--porcelain", "--untracked-files=no").splitlines()),
            "jobs_worker_py_sha1": hashlib.sha1(worker.read_bytes()).hexdigest()[:12] if worker.exists() else None}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cold_start(storm) -> dict:
    """bench/payment_storm/coldstart.py in the storm's tree and environment (its workers are idle by now)."""
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("coldstart.py")), "5"], cwd=storm.tree,
                          env=storm.env, capture_output=True, text=True, timeout=300)
    if done.returncode:
        return {"error": done.stderr[-1000:]}
    return json.loads(done.stdout)


def one_run(number: int, args) -> dict:
    from tests.support.storm import Storm, StormConfig
    from tests.support.storm_checks import problems

    logs = Path(args.logs) / f"run{number}"
    config = StormConfig(orders=args.orders, copies=args.copies, threads=args.threads, web_workers=args.web_workers,
                         worker_procs=args.worker_procs, redis_url=args.redis_url, pg_admin_url=args.pg_url,
                         tree=Path(args.tree), log_dir=logs, shuffle_seed=args.seed + number - 1, env=args.env,
                         warm_webhook=args.warm_webhook)
    storm, spies, out = Storm(config), {}, {"run": number, "loadavg_before": os.getloadavg()}
    try:
        storm.start()
        storm.seed()
        log(f"run {number}: {len(storm.seeded)} orders pending; firing {args.orders * args.copies} webhooks")
        children_cpu = _children_cpu()
        if args.profile:
            spies = {p.name: (p, pyspy.start(p.pid, logs / f"{p.name}.pyspy.txt", args.profile_rate))
                     for p in [storm.web, *storm.workers]}
        storm.fire()
        try:
            storm.wait_done(args.timeout)
        except AssertionError as exc:
            out["timed_out"] = str(exc)
            log(str(exc))
        for name, (_, spy) in spies.items():
            if error := pyspy.stop(spy):
                out.setdefault("profile_errors", {})[name] = error
        result = storm.collect()
        out.update(result.summary())
        if spies:  # py-spy's own CPU time is not the shop's: off the rest of the machine
            out["cpu_s"]["py-spy"] = round(_children_cpu() - children_cpu, 2)
            out["cpu_s"]["rest_of_machine"] = round(out["cpu_s"]["rest_of_machine"] - out["cpu_s"]["py-spy"], 2)
        broken = problems(result)
        out["problems"] = {k: len(v) for k, v in broken.items()}
        out["problem_examples"] = {k: [str(x) for x in v[:5]] for k, v in broken.items() if v}
        if spies:
            out["profile"] = {}
            for name, (process, _) in spies.items():
                read = pyspy.web_activities if name == "web" else pyspy.worker_activities
                out["profile"].update({f"{name}.{k}": v for k, v in read(logs / f"{name}.pyspy.txt",
                                                                         args.profile_rate).items()})
        if args.cold_start:
            out["cold_start_ms"] = cold_start(storm)
        out["logs"] = str(logs)
        return out
    finally:
        ignore_signals()
        for _, spy in spies.values():
            if spy.poll() is None:
                spy.kill()
        storm.close()
        out["loadavg_after"] = os.getloadavg()
        trap_signals()


def main(argv=None) -> int:
    args = parse_args(argv)
    shop_on_path()
    trap_signals()
    results = {"started_at": now_iso(), "cores": os.cpu_count(), "tree": describe_tree(args.tree),
               "config": {k: v for k, v in vars(args).items() if k not in ("json", "check")}, "runs": []}
    try:
        for number in range(1, args.runs + 1):
            log(f"run {number}/{args.runs}: {args.orders} orders x {args.copies} webhooks, {args.threads} threads")
            results["runs"].append(one_run(number, args))
            run = results["runs"][-1]
            log(f"run {number}: all fulfilled {run['all_fulfilled_s']} s, last event {run['last_event_s']} s")
    except (KeyboardInterrupt, Stop):
        log("interrupted; cleaned up")
        return 130
    results["verdict"] = verdict(results)
    results["finished_at"] = now_iso()
    write_json(args.json, results)
    print(report(results))
    print(f"results: {args.json}; logs: {args.logs}")
    return 3 if args.check and not results["verdict"]["pass"] else 0
