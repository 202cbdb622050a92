#!/usr/bin/env python3
"""How long the shop takes to heal after its worker is SIGKILLed, per kill point (issue 10).

    .venv/bin/python bench/kill_recovery.py [--rounds 3]

Each round runs tests/e2e/test_kill_points.py: the real `python -m jobs.worker` is killed (with all it
started) before the clone, during the clone, after the clone before configuring, during a `wg set`,
and during a refund; a new worker starts at once and cron_tick is posted every second, with
STUCK_ORDER_AFTER=4s and JOB_LOCK_TTL=2s (tests/support/crashes.py). Reported: seconds from the kill
until the order is fulfilled (or refunded), against the bound STUCK_ORDER_AFTER + two ticks + the
work; and how late a scheduled retry ran after the worker holding RQ's scheduler was killed.
Writes bench/results/kill_recovery.json.
"""
import argparse
import re
import statistics
import subprocess
import sys

from benchlib import RESULTS, ROOT, log, now_iso, write_json

TEST = "tests/e2e/test_kill_points.py"
LINE = re.compile(r"::(test_\w+(?:\[[^\]]*\])?) .*?(recovered to \w+|retry ran) ([\d.]+) s", re.S)
POINTS = {"before the clone-nextid": "before the clone", "after the clone, before configuring-config":
          "after the clone, before configuring", "during_the_clone": "during the clone",
          "wireguard_apply": "during a wg set", "refund": "during a refund", "scheduled_retry": "scheduled retry late by"}
BOUND = 4 + 2 * 1.0  # STUCK_ORDER_AFTER + two ticks, before the work itself


def point_of(test_id: str) -> str:
    return next((name for key, name in POINTS.items() if key in test_id), test_id)


def one_round() -> dict:
    done = subprocess.run([sys.executable, "-m", "pytest", TEST, "-v", "-s", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    if done.returncode:
        raise SystemExit(f"the kill tests failed:\n{done.stdout[-3000:]}")
    return {point_of(test): float(seconds) for test, _, seconds in LINE.findall(done.stdout)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = []
    for n in range(args.rounds):
        rounds.append(one_round())
        log(f"round {n + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in rounds[-1].items()))
    summary = {point: {"median_s": round(statistics.median(r[point] for r in rounds), 2),
                       "max_s": round(max(r[point] for r in rounds), 2)} for point in rounds[0]}
    print(f"{'kill point':40} {'median':>8} {'max':>8}   (bound: {BOUND:.0f} s + the work)")
    for point, figures in summary.items():
        print(f"{point:40} {figures['median_s']:>7.2f}s {figures['max_s']:>7.2f}s")
    write_json(RESULTS / "kill_recovery.json", {"measured_at": now_iso(), "rounds": rounds, "summary": summary,
                                                "stuck_order_after_s": 4, "tick_s": 1, "job_lock_ttl_s": 2})


if __name__ == "__main__":
    main()
