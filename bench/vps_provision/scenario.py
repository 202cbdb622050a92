"""A scenario (a clone duration x Telegram off/on): a warm-up, --runs provisionings, their summary."""
import os
import statistics
import time

from benchlib import log, machine_busy_seconds

from .common import NOISY_OTHER_PERCENT
from .fakes import cpu_seconds
from .runs import build_runtime, one_run, paid_order, settings_env


def summarize(runs: list) -> dict:
    def med(key):
        return statistics.median(r[key] for r in runs)
    overheads = [r["overhead_s"] for r in runs]
    split_keys = runs[0]["time_split_s"].keys()
    return {
        "runs": len(runs), "wall_s_median": med("wall_s"), "task_s_median": med("task_s"),
        "overhead_s_median": statistics.median(overheads), "overhead_s_max": max(overheads),
        "overhead_s_min": min(overheads), "overhead_bound_s_max": max(r["overhead_bound_s"] for r in runs),
        "poll_lag_s_median": med("poll_lag_s"), "submit_s_median": med("submit_s"),
        "between_tasks_s_median": med("between_tasks_s"),
        "task_polls_median": med("task_polls"), "task_polls_max": max(r["task_polls"] for r in runs),
        "status_polls_median": med("status_polls"),
        "api_calls_median": med("api_calls_fake"), "api_calls_max": max(r["api_calls_fake"] for r in runs),
        "telegram_calls_median": med("telegram_calls"),
        "time_split_s_median": {k: statistics.median(r["time_split_s"][k] for r in runs) for k in split_keys},
        "api_call_ms_median": med("api_call_ms_mean"),
        "shop_cpu_s_median": med("shop_cpu_s"), "fakes_cpu_s_median": med("fakes_cpu_s"),
    }


def run_scenario(services, fakes, redis, args, clone_s: float, telegram: bool, profiler) -> dict:
    name = f"clone {clone_s:g}s, start {args.start:g}s, resize {args.resize:g}s, telegram {'on' if telegram else 'off'}"
    log(f"scenario: {name}, via {args.via}")
    rt = build_runtime(settings_env(services, fakes, telegram), redis)
    from lib.tasks import queue
    queue(redis, "default").empty()
    warmup = None
    if args.warmup:  # first use in this runtime: imports, TLS context, bot set-up; short tasks, not counted
        fakes.ask("durations", {"clone": 0.2, "start": 0.1, "resize": 0.1})
        cold = one_run(rt, fakes, paid_order(rt, args.plan), args.via)
        warmup = {k: cold[k] for k in ("wall_s", "task_s", "overhead_s", "poll_lag_s", "between_tasks_s")}
        log(f"  warm-up (not counted): overhead {cold['overhead_s']:.3f} s")
    durations = fakes.ask("durations", {"clone": clone_s, "start": args.start, "resize": args.resize})
    runs = []
    busy0, own0, fakes0, t0 = machine_busy_seconds(), cpu_seconds(), fakes.ask("mark")["cpu"], time.monotonic()
    for i in range(args.runs):
        queue(redis, "default").empty()  # direct runs leave the checkout's RQ job behind
        order_id = paid_order(rt, args.plan)
        run = one_run(rt, fakes, order_id, args.via, profiler)
        runs.append(run)
        log(f"  run {i + 1}/{args.runs}: wall {run['wall_s']:.3f} s, overhead {run['overhead_s']:.3f} s, "
            f"{run['task_polls']} task polls, {run['api_calls_fake']} API calls")
    elapsed = time.monotonic() - t0
    other = (machine_busy_seconds() - busy0) - (cpu_seconds() - own0) - (fakes.ask("mark")["cpu"] - fakes0)
    other_percent = max(0.0, other) / (elapsed * (os.cpu_count() or 1)) * 100
    if other_percent > NOISY_OTHER_PERCENT:
        log(f"  NOISY: other processes used {other_percent:.0f} % of the machine during this scenario")
    return {"name": name, "clone_s": clone_s, "start_s": args.start, "resize_s": args.resize, "telegram": telegram,
            "via": args.via, "fake_durations": durations, "other_cpu_percent": other_percent, "warmup": warmup,
            "runs": runs, "summary": summarize(runs)}
