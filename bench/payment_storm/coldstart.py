"""What a job pays when each one runs in a freshly forked process (RQ's forking Worker), measured alone.

    python bench/payment_storm/coldstart.py [ROUNDS]     # with the shop's environment, in the shop's tree

The parent gets as far as `python -m jobs.worker` gets before it forks (the worker module imported,
the runtime built, the database connection closed); then, per job module and round, it forks a
child that times: the fork itself (parent side), importing the job's module, the first database
transaction (which connects) and a second one, the first Redis command, and the first HTTP request
of a fresh session to a loopback address that refuses (connection set-up only). Prints one JSON
object: median milliseconds per job and step. The storm bench runs it with --cold-start.
"""
import importlib
import json
import os
import statistics
import sys
import time

JOBS = ("deliver_event", "send_vpn_config", "fulfil_order")


def _child(job: str, rt) -> dict:
    from lib.models import db
    from lib.models.database import run_transaction

    timings, clock = {}, time.perf_counter
    began = clock()
    importlib.import_module(f"jobs.{job}")
    timings["import_job_module"] = clock() - began
    for name in ("first_transaction", "second_transaction"):
        began = clock()
        run_transaction(lambda: db.select("SELECT 1"))
        timings[name] = clock() - began
    began = clock()
    rt.redis.ping()
    timings["first_redis_command"] = clock() - began
    import requests
    began = clock()
    try:
        requests.Session().get("http://127.0.0.1:9/", timeout=2)
    except requests.RequestException:
        pass
    timings["first_http_session_request"] = clock() - began
    return timings


def main(rounds: int = 5) -> dict:
    import jobs.worker  # noqa: F401  what the worker process has imported when it forks
    from lib.config import load_settings
    from lib.models import db
    from lib.runtime import init_runtime

    rt = init_runtime(load_settings())
    db.disconnect()
    samples = {}
    for job in JOBS:
        for _ in range(rounds):
            read, write = os.pipe()
            began = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                os.close(read)
                rt.redis.connection_pool.reset()
                timings = _child(job, rt)
                os.write(write, json.dumps(timings).encode())
                os._exit(0)
            forked = time.perf_counter() - began
            os.close(write)
            with os.fdopen(read) as pipe:
                timings = json.loads(pipe.read() or "{}")
            os.waitpid(pid, 0)
            timings["fork_parent_side"] = forked
            timings["child_total"] = time.perf_counter() - began
            for step, seconds in timings.items():
                samples.setdefault(job, {}).setdefault(step, []).append(seconds)
    return {job: {step: round(1000 * statistics.median(values), 1) for step, values in steps.items()}
            for job, steps in samples.items()}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
