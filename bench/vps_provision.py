#!/usr/bin/env python3
"""How much time the shop's VPS provisioning adds on top of the Proxmox tasks it waits for.

    .venv/bin/python bench/vps_provision.py            # clone 2 s and 5 s, start 1 s, Telegram off and on

For every scenario (a clone task duration x Telegram off/on) the script makes --runs paid VPS
orders one after the other (a registered user, balance credited through the ledger, checkout with
the "balance" provider) and times `jobs.fulfil_order.run(order_id)` on each, in this process
(--via rq: a real RQ SimpleWorker burst instead). Proxmox is tests.fakes.proxmox.FakeProxmox over
HTTPS with its self-signed certificate, Telegram (when on) tests.fakes.telegram.FakeTelegram; both
run in a child process, so their CPU time is not billed to the shop.

    overhead = wall time of the job - the Proxmox tasks' own durations (clone + resize + start;
               the config change is a synchronous PUT, not a task)

The overhead is split three ways: *poll lag* (a task had ended, the shop had not seen it yet),
*submit* (from sending the POST to the task starting) and *between tasks* (everything else:
other API calls, database transactions, progress messages, Redis). Also reported per
provisioning: task-status polls, VM-status polls, all Proxmox API calls (counted by the fake),
Telegram calls, back-off sleeps, and the CPU time of the shop and of the fakes.

Prints a table and writes bench/results/vps_provision.json. Uses a throwaway PostgreSQL database
(created, then dropped) and a spare Redis database (FLUSHED before and after); only loopback.
"""
import argparse
import json
import multiprocessing
import os
import signal
import statistics
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

from benchlib import Services, log, machine_busy_seconds

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"

TARGET_OVERHEAD_S = 3.0  # from the issue: provisioning adds at most 3 s to Proxmox's own task time
BOT_TOKEN = "123456:BENCH-vps-token-aaaaaaaaaaaaaaaa"
USER_ID = 880001
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb0KmS1oXbhYk1hP0Vn6m+vM2o0yWcCrH8y1yH7bq7k bench@shop"
POOL = "203.0.113.10-203.0.113.254/24"  # 245 addresses: every bench VM keeps its own
MAX_ORDERS = 240
FAKE_LIFETIME_S = 3600  # the fakes' process ends by itself after this, whatever happens here
TASK_ACTIONS = ("clone", "resize", "start")
NOISY_OTHER_PERCENT = 10.0  # CPU of other processes during a scenario, % of the machine
MIN_POLL_GAP_S = 0.09  # a gap between two task-status polls shorter than this is a tight loop


class Stop(BaseException):
    """SIGTERM: unwind through the cleanups like Ctrl-C (a BaseException, so the job does not count it)."""


# ---------------------------------------------------------------- the fakes, in a child process

def _cpu_seconds() -> float:
    usage = os.times()
    return usage.user + usage.system


def serve_fakes(conn, durations: dict, token: str, lifetime: float) -> None:
    """Child process: FakeProxmox (+ FakeTelegram) until told to stop, the parent goes, or `lifetime`."""
    from tests.fakes.proxmox import FakeProxmox
    from tests.fakes.telegram import FakeTelegram

    with FakeProxmox(durations=durations) as px, FakeTelegram(token) as tg:
        conn.send({"host": px.host, "ca_path": px.ca_path, "user": px.user, "token_name": px.token_name,
                   "token_value": px.token_value, "node": px.node, "telegram_url": tg.url})
        deadline = time.monotonic() + lifetime
        while time.monotonic() < deadline:
            if not conn.poll(1.0):
                continue
            try:
                command, arg = conn.recv()
            except EOFError:
                break
            if command == "stop":
                conn.send(None)
                break
            if command == "durations":
                px.set_durations(**arg)
                conn.send(dict(px.durations))
            elif command == "mark":
                with px._lock:
                    conn.send({"px_calls": len(px.calls), "px_tasks": len(px._tasks),
                               "tg_calls": len(tg.calls), "cpu": _cpu_seconds()})
            elif command == "since":
                with px._lock:
                    px._tick()
                    calls = [(m, p) for m, p, _params in px.calls[arg["px_calls"]:]]  # no params: passwords
                    tasks = [{k: v for k, v in t.items() if not k.startswith("_")}
                             for t in list(px._tasks.values())[arg["px_tasks"]:]]
                with tg._lock:
                    tg_calls = [c["method"] for c in tg.calls[arg["tg_calls"]:]]
                conn.send({"px_calls": calls, "tasks": tasks, "tg_calls": tg_calls, "cpu": _cpu_seconds()})
            else:
                conn.send({"error": f"unknown command {command!r}"})


class Fakes:
    def __init__(self, durations):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=serve_fakes, args=(child, durations, BOT_TOKEN, FAKE_LIFETIME_S),
                                name="bench-fakes", daemon=True)
        self.proc.start()
        child.close()
        if not self.conn.poll(60):
            raise SystemExit("bench: the fakes did not start within 60 s")
        self.info = self.conn.recv()

    def ask(self, command, arg=None, timeout=30.0):
        self.conn.send((command, arg))
        if not self.conn.poll(timeout):
            raise RuntimeError(f"the fakes did not answer {command!r} within {timeout:.0f} s")
        answer = self.conn.recv()
        if isinstance(answer, dict) and "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    def stop(self):
        if self.proc.is_alive():
            try:
                self.ask("stop", timeout=10)
            except Exception:
                pass
            self.proc.join(10)
        if self.proc.is_alive():
            self.proc.terminate()  # our own child, by its handle
            self.proc.join(5)


# ---------------------------------------------------------------- database and Redis

# ---------------------------------------------------------------- instrumentation of the shop

class Probe:
    """What one provisioning did, collected by the wrappers below (all times time.monotonic())."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.api = {}  # label -> [count, seconds]
        self.task_polls = self.status_polls = 0
        self.sleeps, self.sleep_s = 0, 0.0
        self.waits = []  # {"what", "upid", "submit_t0", "t0", "t1", "polls"}
        self.db_n, self.db_s = 0, 0.0
        self.progress_n, self.progress_s = 0, 0.0
        self.setup_s = 0.0
        self.last_call_t0 = None
        self.in_wait_until = False
        self.poll_starts = []  # start times of the task-status calls of the wait in progress

    def add_api(self, label, seconds):
        entry = self.api.setdefault(label, [0, 0.0])
        entry[0] += 1
        entry[1] += seconds

    def sleep(self, seconds):
        t0 = time.monotonic()
        time.sleep(seconds)
        self.sleeps += 1
        self.sleep_s += time.monotonic() - t0


PROBE = Probe()
THREAD_ERRORS = []  # exceptions that ended background threads of the shop (e.g. a lock heartbeat)


def _thread_excepthook(hook_args):
    THREAD_ERRORS.append(f"thread {hook_args.thread.name if hook_args.thread else '?'}: "
                         f"{hook_args.exc_type.__name__}: {hook_args.exc_value}")
    _default_thread_excepthook(hook_args)


_default_thread_excepthook = None


def instrument():
    """Wrap the Proxmox client, the transactions and the progress messages of the provisioning code.

    Only attributes of this process's modules are replaced; lib/ is not changed on disk.
    """
    global _default_thread_excepthook
    import threading
    _default_thread_excepthook = threading.excepthook
    threading.excepthook = _thread_excepthook
    import jobs.fulfil_order as fulfil_module
    import lib.vps.provisioning as prov
    import lib.vps.vm as vm
    from lib.vps.proxmox import Proxmox

    class TimedProxmox(Proxmox):
        def __init__(self, settings, *args, **kwargs):
            t0 = time.monotonic()
            kwargs.setdefault("sleep", PROBE.sleep)
            super().__init__(settings, *args, **kwargs)
            PROBE.setup_s += time.monotonic() - t0

        def _call(self, what, func, *args, **kwargs):
            label = f"{what} {getattr(func, '__name__', '?').upper()}"
            t0 = PROBE.last_call_t0 = time.monotonic()
            try:
                return super()._call(what, func, *args, **kwargs)
            finally:
                PROBE.add_api(label, time.monotonic() - t0)
                if what.endswith(" task"):
                    PROBE.task_polls += 1
                    PROBE.poll_starts.append(t0)
                elif what == "status" and PROBE.in_wait_until:
                    PROBE.status_polls += 1

        def wait(self, upid, timeout, what):
            entry = {"what": what, "upid": upid, "submit_t0": PROBE.last_call_t0, "t0": time.monotonic(),
                     "polls0": PROBE.task_polls}
            PROBE.poll_starts = []
            try:
                return super().wait(upid, timeout, what)
            finally:
                entry["t1"] = time.monotonic()
                entry["polls"] = PROBE.task_polls - entry.pop("polls0")
                starts = PROBE.poll_starts
                entry["gaps"] = [b - a for a, b in zip(starts, starts[1:])]
                PROBE.waits.append(entry)

        def wait_until(self, vmid, predicate, timeout, what):
            PROBE.in_wait_until = True
            try:
                return super().wait_until(vmid, predicate, timeout, what)
            finally:
                PROBE.in_wait_until = False

    def timed(func, kind):
        def wrapper(*args, **kwargs):
            t0 = time.monotonic()
            try:
                return func(*args, **kwargs)
            finally:
                seconds = time.monotonic() - t0
                if kind == "db":
                    PROBE.db_n += 1
                    PROBE.db_s += seconds
                else:
                    PROBE.progress_n += 1
                    PROBE.progress_s += seconds
        wrapper.__wrapped__ = func
        return wrapper

    vm.Proxmox = TimedProxmox
    prov.run_transaction = timed(prov.run_transaction, "db")
    vm.run_transaction = timed(vm.run_transaction, "db")
    reporter = fulfil_module.reporter  # provisioning reports progress through the callback the job hands it
    fulfil_module.reporter = lambda rt: timed(reporter(rt), "progress")
    fulfil_module.run_transaction = timed(fulfil_module.run_transaction, "db")


# ---------------------------------------------------------------- orders and runs

def settings_env(services, fakes, telegram: bool) -> dict:
    info = fakes.info
    env = {"DATABASE_URL": services.database_url, "REDIS_URL": services.redis_url,
           "SECRET_KEY": "bench-secret-key-0123456789abcdef", "CRON_SECRET": "bench-cron-secret-0123456789",
           "PROXMOX_HOST": f"https://{info['host']}", "PROXMOX_USER": info["user"],
           "PROXMOX_TOKEN_NAME": info["token_name"], "PROXMOX_TOKEN_VALUE": info["token_value"],
           "PROXMOX_VERIFY_SSL": info["ca_path"], "PROXMOX_NODE": info["node"], "PROXMOX_TEMPLATE_VMID": "9000",
           "PROXMOX_STORAGE": "local-lvm", "PROXMOX_GATEWAY": "203.0.113.1", "PROXMOX_IP_POOL": POOL}
    if telegram:
        env.update(BOT_TOKEN=BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET="bench-webhook-secret-0123456789",
                   TELEGRAM_API_URL=info["telegram_url"])
    return env


def build_runtime(env, redis):
    from lib.config import load_settings
    from lib.runtime import init_runtime, reset_runtime
    reset_runtime()
    return init_runtime(load_settings(env, dotenv_path=os.devnull), redis=redis)


def paid_order(rt, plan_id: str) -> int:
    """A paid VPS order: the user (once), a ledger credit of the price, checkout from the balance."""
    from lib.accounts.registration import register_user
    from lib.billing.checkout import start_checkout
    from lib.billing.ledger import locked_user, post_entry
    from lib.models.database import run_transaction

    plan = rt.settings.catalog.get(plan_id)

    def credit():
        register_user(rt.redis, USER_ID, first_name="Bench")
        user = locked_user(USER_ID)
        user.ssh_key = SSH_KEY
        post_entry(user, plan.price_rub, "adjustment", f"bench-{uuid.uuid4().hex[:16]}", "bench credit")

    run_transaction(credit)
    checkout = start_checkout(rt, user_id=USER_ID, plan=plan, provider="balance", description="VPS bench",
                              return_url="https://shop.example.test/")
    if checkout.status != "paid":
        raise RuntimeError(f"order {checkout.order_id} is {checkout.status}, not paid")
    return checkout.order_id


def execute(rt, order_id: int, via: str) -> str:
    from jobs import fulfil_order
    if via == "direct":
        return fulfil_order.run(order_id)
    from rq import SimpleWorker

    from lib.tasks import queue
    q = queue(rt.redis, "default")
    worker = SimpleWorker([q], connection=rt.redis)
    worker.work(burst=True, logging_level="WARNING", max_jobs=1)
    from lib.models import Order
    from lib.models.database import run_transaction
    return {"fulfilled": "created"}.get(run_transaction(lambda: Order[order_id].status), "not fulfilled")


def one_run(rt, fakes, order_id: int, via: str, profiler=None) -> dict:
    """Provision one paid order and measure it."""
    from lib.models import Order
    from lib.models.database import run_transaction

    if via == "rq":
        from lib.tasks import queue
        q = queue(rt.redis, "default")
        waiting = [j for j in q.get_job_ids()]
        if len(waiting) != 1:
            raise RuntimeError(f"the default queue holds {len(waiting)} jobs, expected this order's one")
    mark = fakes.ask("mark")
    PROBE.reset()
    errors0 = len(THREAD_ERRORS)
    cpu0 = time.process_time()
    if profiler is not None:
        profiler.enable()
    t0 = time.monotonic()
    result = execute(rt, order_id, via)
    t1 = time.monotonic()
    if profiler is not None:
        profiler.disable()
    cpu = time.process_time() - cpu0
    seen = fakes.ask("since", mark)
    status = run_transaction(lambda: Order[order_id].status)
    if result != "created" or status != "fulfilled":
        raise RuntimeError(f"order {order_id}: job said {result!r}, order is {status!r}")

    tasks = {t["upid"]: t for t in seen["tasks"]}
    task_s = sum(t["duration"] for t in seen["tasks"] if t["action"] in TASK_ACTIONS)
    other_tasks = [t["action"] for t in seen["tasks"] if t["action"] not in TASK_ACTIONS]
    waits, lag_s, submit_s, in_tasks_s, lag_bound_s = [], 0.0, 0.0, 0.0, 0.0
    for w in PROBE.waits:
        task = tasks.get(w["upid"])
        if task is None:
            raise RuntimeError(f"the shop waited for a task the fake did not start: {w['upid']}")
        end = task["started"] + task["duration"]
        lag, submit = w["t1"] - end, task["started"] - w["submit_t0"]
        lag_s, submit_s, in_tasks_s = lag_s + lag, submit_s + submit, in_tasks_s + (w["t1"] - w["submit_t0"])
        # Had the task ended just after the previous poll, the shop would have seen it one gap later.
        lag_bound_s += max(lag, w["gaps"][-1]) if w["gaps"] else lag
        waits.append({"task": w["what"], "duration_s": round(task["duration"], 4), "polls": w["polls"],
                      "lag_s": round(lag, 4), "submit_s": round(submit, 4),
                      "poll_gaps_s": [round(g, 4) for g in w["gaps"]]})
    wall = t1 - t0
    api_n = sum(n for n, _ in PROBE.api.values())
    api_s = sum(s for _, s in PROBE.api.values())
    poll_api_s = sum(s for label, (_, s) in PROBE.api.items() if " task " in f"{label} ")
    status_n, status_s = PROBE.api.get("status GET", [0, 0.0])
    accounted = api_s + PROBE.sleep_s + PROBE.db_s + PROBE.progress_s + PROBE.setup_s
    return {
        "order_id": order_id, "wall_s": wall, "task_s": task_s, "overhead_s": wall - task_s,
        "poll_lag_s": lag_s, "submit_s": submit_s, "between_tasks_s": wall - in_tasks_s,
        "overhead_bound_s": wall - task_s - lag_s + lag_bound_s,
        "tasks": waits, "untimed_tasks": other_tasks,
        "task_polls": PROBE.task_polls, "status_polls": PROBE.status_polls,
        "api_calls_client": api_n, "api_calls_fake": len(seen["px_calls"]),
        "api_calls_by_kind": {label: n for label, (n, _) in sorted(PROBE.api.items())},
        "telegram_calls": len(seen["tg_calls"]), "telegram_methods": sorted(set(seen["tg_calls"])),
        "time_split_s": {"task_status_polls": poll_api_s, "vm_status_calls": status_s,
                         "other_api_calls": api_s - poll_api_s - status_s, "backoff_sleeps": PROBE.sleep_s,
                         "db_transactions": PROBE.db_s, "progress_messages": PROBE.progress_s,
                         "client_setup": PROBE.setup_s, "other": wall - accounted},
        "counts": {"backoff_sleeps": PROBE.sleeps, "db_transactions": PROBE.db_n,
                   "progress_messages": PROBE.progress_n, "vm_status_calls": status_n},
        "api_call_ms_mean": api_s / api_n * 1000 if api_n else 0.0,
        "thread_errors": THREAD_ERRORS[errors0:],
        "shop_cpu_s": cpu, "fakes_cpu_s": seen["cpu"] - mark["cpu"],
    }


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
    busy0, own0, fakes0, t0 = machine_busy_seconds(), _cpu_seconds(), fakes.ask("mark")["cpu"], time.monotonic()
    for i in range(args.runs):
        queue(redis, "default").empty()  # direct runs leave the checkout's RQ job behind
        order_id = paid_order(rt, args.plan)
        run = one_run(rt, fakes, order_id, args.via, profiler)
        runs.append(run)
        log(f"  run {i + 1}/{args.runs}: wall {run['wall_s']:.3f} s, overhead {run['overhead_s']:.3f} s, "
            f"{run['task_polls']} task polls, {run['api_calls_fake']} API calls")
    elapsed = time.monotonic() - t0
    other = (machine_busy_seconds() - busy0) - (_cpu_seconds() - own0) - (fakes.ask("mark")["cpu"] - fakes0)
    other_percent = max(0.0, other) / (elapsed * (os.cpu_count() or 1)) * 100
    if other_percent > NOISY_OTHER_PERCENT:
        log(f"  NOISY: other processes used {other_percent:.0f} % of the machine during this scenario")
    return {"name": name, "clone_s": clone_s, "start_s": args.start, "resize_s": args.resize, "telegram": telegram,
            "via": args.via, "fake_durations": durations, "other_cpu_percent": other_percent, "warmup": warmup,
            "runs": runs, "summary": summarize(runs)}


# ---------------------------------------------------------------- report

def report(results) -> str:
    lines = []
    target = results["targets"]["overhead_s_max"]
    c = results["config"]
    source = "  (WHAT-IF: overridden in this process, not lib/'s values)" if c["what_if"] else "  (lib's values)"
    lines.append(f"task polling back-off: {c['poll_first_s']:g} s doubling to {c['poll_max_s']:g} s{source}")
    for sc in results["scenarios"]:
        noisy = "  NOISY" if sc["other_cpu_percent"] > NOISY_OTHER_PERCENT else ""
        lines.append(f"\n{sc['name']} (via {sc['via']}), {len(sc['runs'])} runs; other processes "
                     f"{sc['other_cpu_percent']:.0f} % of the machine{noisy}")
        lines.append(f"{'run':>4} {'wall s':>8} {'tasks s':>8} {'overhead':>9} {'poll lag':>9} {'submit':>7} "
                     f"{'between':>8} {'t.polls':>8} {'st.polls':>8} {'API':>5} {'TG':>4} {'cpu ms':>7}")
        for i, r in enumerate(sc["runs"], 1):
            lines.append(f"{i:>4} {r['wall_s']:>8.3f} {r['task_s']:>8.3f} {r['overhead_s']:>9.3f} "
                         f"{r['poll_lag_s']:>9.3f} {r['submit_s']:>7.3f} {r['between_tasks_s']:>8.3f} "
                         f"{r['task_polls']:>8} {r['status_polls']:>8} {r['api_calls_fake']:>5} "
                         f"{r['telegram_calls']:>4} {r['shop_cpu_s'] * 1000:>7.0f}")
        s = sc["summary"]
        lines.append(f" med {s['wall_s_median']:>8.3f} {s['task_s_median']:>8.3f} {s['overhead_s_median']:>9.3f} "
                     f"{s['poll_lag_s_median']:>9.3f} {s['submit_s_median']:>7.3f} {s['between_tasks_s_median']:>8.3f} "
                     f"{s['task_polls_median']:>8g} {s['status_polls_median']:>8g} {s['api_calls_median']:>5g} "
                     f"{s['telegram_calls_median']:>4g} {s['shop_cpu_s_median'] * 1000:>7.0f}")
        lines.append(f" max {'':>8} {'':>8} {s['overhead_s_max']:>9.3f}   (bound if every task had ended just "
                     f"after a poll: {s['overhead_bound_s_max']:.3f})")
        per_task = {}
        for r in sc["runs"]:
            for t in r["tasks"]:
                per_task.setdefault(t["task"], []).append(t)
        lines.append("  per task (median): " + "; ".join(
            f"{name} {statistics.median(t['duration_s'] for t in ts):g} s: "
            f"{statistics.median(t['polls'] for t in ts):g} polls, "
            f"lag {statistics.median(t['lag_s'] for t in ts) * 1000:.0f} ms"
            for name, ts in per_task.items()))
        split = s["time_split_s_median"]
        lines.append("  wall time by activity (median ms): " + ", ".join(
            f"{k.replace('_', ' ')} {v * 1000:.0f}" for k, v in split.items()))
    lines.append(f"\n{'summary':<50} {'overhead s':^15} {'polls/prov':^15} {'API calls/prov':^19}")
    lines.append(f"{'scenario':<50} {'median':>7} {'max':>7} {'task':>7} {'status':>7} {'median':>6} {'max':>5} "
                 f"{'ms/call':>7}")
    for sc in results["scenarios"]:
        s = sc["summary"]
        lines.append(f"{sc['name']:<50} {s['overhead_s_median']:>7.3f} {s['overhead_s_max']:>7.3f} "
                     f"{s['task_polls_median']:>7g} {s['status_polls_median']:>7g} {s['api_calls_median']:>6g} "
                     f"{s['api_calls_max']:>5} {s['api_call_ms_median']:>7.1f}")
    v = results["verdict"]
    lines.append(f"\nworst overhead {v['worst_overhead_s']:.3f} s, bound {v['worst_overhead_bound_s']:.3f} s "
                 f"(target <= {target:g} s) -> {'PASS' if v['overhead_ok'] else 'FAIL'}")
    lines.append(f"task polling: {v['polling_note']}")
    errors = sorted({e for sc in results["scenarios"] for r in sc["runs"] for e in r["thread_errors"]})
    if errors:
        lines.append("WARNING: background threads of the shop died during the runs: " + "; ".join(errors))
    return "\n".join(lines)


def verdict(results) -> dict:
    scenarios = results["scenarios"]
    worst = max(sc["summary"]["overhead_s_max"] for sc in scenarios)
    gaps = [g for sc in scenarios for r in sc["runs"] for t in r["tasks"] for g in t["poll_gaps_s"]]
    min_gap, max_gap = (min(gaps), max(gaps)) if gaps else (None, None)
    # A tight loop polls back to back; the back-off sleeps at least MIN_POLL_GAP_S between polls.
    backs_off = min_gap is None or min_gap >= MIN_POLL_GAP_S
    note = ("no task needed a second poll" if min_gap is None else
            f"gaps between task-status polls {min_gap * 1000:.0f}-{max_gap * 1000:.0f} ms "
            f"({'backs off' if backs_off else 'TIGHT LOOP'})")
    bound = max(sc["summary"]["overhead_bound_s_max"] for sc in scenarios)
    return {"worst_overhead_s": worst, "worst_overhead_bound_s": bound,
            "overhead_ok": worst <= results["targets"]["overhead_s_max"],
            "min_poll_gap_s": min_gap, "max_poll_gap_s": max_gap, "polling_ok": backs_off,
            "polling_note": note}


# ---------------------------------------------------------------- main

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
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
        if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
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

    def on_term(signum, frame):
        raise Stop()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    services = Services(args.pg_url, args.redis_url, "shop_bench_vps")
    fakes = None
    profiler = None
    if args.profile:
        import cProfile
        profiler = cProfile.Profile()
    results = {"started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
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
        results["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
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
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            from lib.runtime import reset_runtime
            reset_runtime()
        except Exception:
            pass
        if fakes is not None:
            fakes.stop()
        services.cleanup()


if __name__ == "__main__":
    sys.exit(main())
