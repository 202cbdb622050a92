#!/usr/bin/env python3
"""How fast the shop acknowledges Telegram updates, next to a bare Flask app, in the same run.

    .venv/bin/python bench/webhook_ack.py            # or: make bench

For each app (bench/bare_app.py first, then the shop), one at a time, under the `web:` command of
the Procfile (same gunicorn workers and threads for both, bound to 127.0.0.1):
  1. wait for GET /readyz == 200 (the shop's first request migrates a throwaway database),
  2. warm up with wrk for a couple of seconds (every worker builds its runtime on first use),
  3. ceiling: wrk, closed loop, a few connections, --ceiling-rounds rounds of --duration seconds
     on fresh connections; the best round is the ceiling (the kernel sometimes hands every
     keep-alive connection to one gunicorn worker, which caps that round at about one core; the
     report shows each round's worker CPU split),
  4. latency: an open-loop generator sending --rate updates/s on a fixed clock for --duration
     seconds; each latency is measured from the request's scheduled send time, so a slow server
     cannot lower the offered rate or hide its queueing (no coordinated omission).
Every update carries a unique update_id (repeats are dropped cheaply by the shop and would flatter
it); at the end the shop's RQ queue must hold at least one job per 200 answer.

Prints a table with the ratios against the issue's targets and writes bench/results/webhook_ack.json.
Cleans up gunicorn, wrk, the throwaway PostgreSQL database and the Redis database on exit, Ctrl-C
or SIGTERM. All traffic goes to 127.0.0.1; every loop is bounded in count and time.
"""
import argparse
import http.client
import itertools
import json
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

from benchlib import Services, log, machine_busy_seconds

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
LUA = BENCH / "webhook_update.lua"
VENV_BIN = Path(sys.executable).parent

SECRET = "bench-webhook-secret-0123456789"
BOT_TOKEN = "123456:BENCH-token-aaaaaaaaaaaaaaaaaaaa"
PATH = "/telegram_webhook"
UNBALANCED_SHARE = 0.75  # a worker's share of the server CPU above which a ceiling round is lopsided
NOISY_OTHER_PERCENT = 10.0  # CPU of other processes during a phase, % of the machine
TARGET_RATIO = 60.0  # shop throughput as % of the bare ceiling, at least
TARGET_P99_MS = 50.0  # shop p99 at the offered rate, at most
# update_id ranges: each phase of each app gets its own block; wrk threads stride 1e8 inside it.
PHASE_BASES = {("bare", "warmup"): 10**10, ("bare", "ceiling"): 2 * 10**10, ("bare", "latency"): 3 * 10**10,
               ("shop", "warmup"): 4 * 10**10, ("shop", "ceiling"): 5 * 10**10, ("shop", "latency"): 6 * 10**10}
BODY_PREFIX = '{"update_id": '
BODY_SUFFIX = (', "message": {"message_id": 4242, "from": {"id": 500001, "is_bot": false, "first_name": "Ann", '
               '"username": "ann_bench", "language_code": "en"}, "chat": {"id": 500001, "first_name": "Ann", '
               '"username": "ann_bench", "type": "private"}, "date": 1767225600, "text": "/start", '
               '"entities": [{"offset": 0, "length": 6, "type": "bot_command"}]}}')


class Stop(Exception):
    """SIGTERM: unwind through the cleanups like Ctrl-C."""


# ---------------------------------------------------------------- processes and services

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_web(app_target: str, extra: str = "") -> str:
    """The Procfile's web command, bound to loopback, serving `app_target`; `extra` gunicorn options
    go before the app (to try a setting on both apps, e.g. --gunicorn-extra="--worker-connections 8")."""
    line = next(l for l in (ROOT / "Procfile").read_text().splitlines() if l.startswith("web:"))
    command = line.split(":", 1)[1].strip()
    command = command.replace("0.0.0.0", "127.0.0.1")
    if "functions.main:app" not in command:
        raise SystemExit("bench: the Procfile's web line no longer serves functions.main:app; update the bench")
    if extra:
        app_target = f"{' '.join(shlex.quote(a) for a in shlex.split(extra))} {app_target}"
    return command.replace("functions.main:app", app_target)


def session_stats(sid: int) -> dict:
    """{pid: fields of /proc/pid/stat after the name} for every live process in session `sid`."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state, ppid, pgrp, session, ...
        if int(fields[3]) == sid and fields[0] != "Z":
            found[int(entry)] = fields
    return found


def session_cpu_seconds(sid: int) -> float:
    """utime+stime of every live process in session `sid` (gunicorn master + workers)."""
    return sum(int(f[11]) + int(f[12]) for f in session_stats(sid).values()) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """This process and its reaped children (wrk): the load generators' CPU."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class CpuMeter:
    """Who used the cores during a phase: the server, Redis, the load generator, everyone else.

    "other" is what the rest of the machine took (another test run, a build); above ~10 % of the
    machine the numbers of that phase are noisy and the report says so.
    """

    def __init__(self, server, redis):
        self.server, self.redis = server, redis
        self.t0, self.m0 = time.perf_counter(), machine_busy_seconds()
        self.s0, self.c0 = server.cpu_seconds(), own_cpu_seconds()
        self.w0 = server.worker_cpu_seconds()
        self.r0 = self._redis_cpu()

    def _redis_cpu(self) -> float:
        """CPU seconds of the Redis server (all its clients, but the bench is the only busy one)."""
        try:
            info = self.redis.info("cpu")
            return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])
        except Exception:
            return 0.0

    def done(self, requests: int) -> dict:
        wall = time.perf_counter() - self.t0
        server = self.server.cpu_seconds() - self.s0
        client = own_cpu_seconds() - self.c0
        machine = machine_busy_seconds() - self.m0
        redis_cpu = max(0.0, self._redis_cpu() - self.r0)
        cores = os.cpu_count()
        pct = lambda x: round(100 * x / (wall * cores), 1) if wall > 0 else None  # noqa: E731
        w1 = self.server.worker_cpu_seconds()
        workers = [w1[pid] - self.w0.get(pid, 0.0) for pid in sorted(w1)]
        return {"server_cpu_ms_per_request": round(server * 1000 / max(1, requests), 3),
                # each gunicorn worker's share of the server's CPU: the kernel hands connections
                # to workers unevenly, and one worker holding most of them caps the app at ~1 core
                "worker_cpu_split_percent": [round(100 * w / sum(workers)) if sum(workers) else 0
                                             for w in workers],
                "redis_cpu_ms_per_request": round(redis_cpu * 1000 / max(1, requests), 3),
                "cpu_percent_of_machine": {"server": pct(server), "redis": pct(redis_cpu),
                                           "load_generator": pct(client),
                                           "other": pct(max(0.0, machine - server - client - redis_cpu)),
                                           "busy": pct(machine)}}


class Server:
    def __init__(self, name, command, env, port, log_path):
        self.name, self.port, self.log_path = name, port, log_path
        self.log_file = open(log_path, "wb")
        self.proc = subprocess.Popen(["sh", "-c", f"exec {command}"], cwd=ROOT, env={**env, "PORT": str(port)},
                                     stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: {self.name} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/readyz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"bench: {self.name} never answered GET /readyz with 200 within {timeout:.0f} s; "
                         f"see {self.log_path}")

    def cpu_seconds(self) -> float:
        return session_cpu_seconds(self.proc.pid)

    def worker_cpu_seconds(self) -> dict:
        """{pid: CPU seconds} of the gunicorn workers (children of the master)."""
        tick = os.sysconf("SC_CLK_TCK")
        return {pid: (int(f[11]) + int(f[12])) / tick for pid, f in session_stats(self.proc.pid).items()
                if int(f[1]) == self.proc.pid}

    def stop(self, grace=25.0):
        """SIGTERM the whole session (master and workers), wait for all of it, SIGKILL what stays."""
        sid = self.proc.pid
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(sid, sig)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                self.proc.poll()
                if self.proc.returncode is not None and not session_stats(sid):
                    break
                time.sleep(0.1)
            else:
                continue
            break
        if not self.log_file.closed:
            self.log_file.close()

    def tracebacks(self) -> int:
        try:
            return Path(self.log_path).read_text(errors="replace").count("Traceback")
        except OSError:
            return 0


def ensure_wrk(install: bool) -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing: installing the Debian package 'wrk'")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, timeout=300)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=False, timeout=300)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("bench: wrk is not installed (Debian: apt-get install wrk)")


# ---------------------------------------------------------------- load generators

def run_wrk(wrk, port, seconds, threads, connections, base_id, running: list) -> dict:
    """Closed loop: wrk keeps `connections` requests in flight for `seconds`."""
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(LUA),
           f"http://127.0.0.1:{port}{PATH}", "--", str(base_id), SECRET, BODY_PREFIX, BODY_SUFFIX]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, text=True)
    running.append(proc)
    try:
        out, _ = proc.communicate(timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise SystemExit(f"bench: wrk did not finish in time:\n{out}")
    finally:
        running.remove(proc)
        if proc.poll() is None:  # interrupted: wrk is bounded by -d anyway, but end it now
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
    match = re.search(r"^WRK_JSON (.*)$", out, re.M)
    if proc.returncode != 0 or not match:
        raise SystemExit(f"bench: wrk failed ({proc.returncode}):\n{out}")
    raw = json.loads(match.group(1))
    seconds_run = raw["duration_us"] / 1e6
    errors = sum(raw["errors"].values())
    return {
        "requests": raw["requests"],
        "ok": raw["requests"] - raw["errors"]["status"],
        "errors": raw["errors"],
        "error_total": errors,
        "seconds": round(seconds_run, 3),
        "rps": round(raw["requests"] / seconds_run, 1) if seconds_run else 0.0,
        "ok_rps": round((raw["requests"] - raw["errors"]["status"]) / seconds_run, 1) if seconds_run else 0.0,
        "latency_ms": {k: round(v / 1000, 3) for k, v in raw["latency_us"].items()},
        "threads": threads,
        "connections": connections,
    }


def percentile(sorted_values, pct):
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, int(round(pct / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[rank]


def open_loop(port, rate, seconds, senders, base_id, timeout, stop_event) -> dict:
    """Open loop: request i is due at start + i/rate; latency runs from that due time to the answer.

    `senders` threads each keep one keep-alive connection and take the next due request in turn;
    when all are busy, due requests wait and that wait counts as latency. Bounded: exactly
    rate*seconds requests, and nothing is sent after start + seconds + timeout + 5.
    """
    total = int(round(rate * seconds))
    interval = 1.0 / rate
    start = time.perf_counter() + 0.3
    hard_deadline = start + seconds + timeout + 5
    latency = [None] * total
    outcome = [None] * total  # 200, another status, an exception name, or "not sent"
    lag = [None] * total  # how late the request actually left (generator health)
    next_index = itertools.count()
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}

    def sender():
        conn = None
        try:
            while not stop_event.is_set():
                i = next(next_index)  # atomic under the GIL
                if i >= total:
                    return
                due = start + i * interval
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                sent = time.perf_counter()
                if sent > hard_deadline:
                    outcome[i] = "not sent"
                    continue
                lag[i] = sent - due
                body = f"{BODY_PREFIX}{base_id + i + 1}{BODY_SUFFIX}".encode()
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                    conn.request("POST", PATH, body, headers)
                    answer = conn.getresponse()
                    answer.read()
                    outcome[i] = answer.status
                    if answer.will_close:
                        conn.close()
                        conn = None
                except (OSError, http.client.HTTPException) as exc:
                    outcome[i] = type(exc).__name__
                    if conn is not None:
                        conn.close()
                    conn = None
                latency[i] = time.perf_counter() - due
        finally:
            if conn is not None:
                conn.close()

    threads = [threading.Thread(target=sender, daemon=True, name=f"sender-{n}") for n in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.1, hard_deadline + timeout + 5 - time.perf_counter()))
    elapsed = time.perf_counter() - start
    if any(t.is_alive() for t in threads):
        stop_event.set()

    done = [l for l in latency if l is not None]
    lat_ms = sorted(l * 1000 for l in done)
    ok = sum(1 for o in outcome if o == 200)
    errors = {}
    for o in outcome:
        if o != 200:
            key = str(o) if o is not None else "not sent"
            errors[key] = errors.get(key, 0) + 1
    lags = sorted(l * 1000 for l in lag if l is not None)
    per_second = []  # p99 and max of the requests due in each second: shows a stall or a drift
    step = max(1, int(round(rate)))
    for first in range(0, total, step):
        chunk = sorted(l * 1000 for l in latency[first:first + step] if l is not None)
        per_second.append([round(percentile(chunk, 99), 2), round(chunk[-1], 2)] if chunk else None)
    return {
        "offered_rps": rate,
        "seconds": seconds,
        "scheduled": total,
        "completed": len(done),
        "ok": ok,
        "errors": errors,
        "error_total": total - ok,
        "achieved_rps": round(len(done) / elapsed, 1) if elapsed > 0 else 0.0,
        # over every answered request, failures included at their time (a timeout is a latency too)
        "latency_ms": {name: round(percentile(lat_ms, pct), 3) if lat_ms else None
                       for name, pct in (("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9))}
                      | {"max": round(lat_ms[-1], 3) if lat_ms else None,
                         "mean": round(sum(lat_ms) / len(lat_ms), 3) if lat_ms else None},
        "send_lag_ms": {"p99": round(percentile(lags, 99), 3) if lags else None,
                        "max": round(lags[-1], 3) if lags else None},
        "senders": senders,
        "per_second_p99_max_ms": per_second,
    }


# ---------------------------------------------------------------- one app

def measure(name, target, env, args, wrk, running, stop_event, redis) -> dict:
    port = args.port or free_port()
    log_path = RESULTS / f"webhook_ack.{name}.log"
    log(f"{name}: starting gunicorn ({args.workers} workers x {args.threads} threads) on 127.0.0.1:{port}")
    server = Server(name, procfile_web(target, args.gunicorn_extra), env, port, log_path)
    running.append(server)
    try:
        server.wait_ready()
        log(f"{name}: ready; warm-up {args.warmup} s")
        warmup = None
        if args.warmup > 0:
            warmup = run_wrk(wrk, port, args.warmup, args.wrk_threads, args.connections,
                             PHASE_BASES[(name, "warmup")], running)
        time.sleep(args.pause)

        rounds = []
        for r in range(args.ceiling_rounds):
            log(f"{name}: ceiling round {r + 1}/{args.ceiling_rounds}, wrk -t{args.wrk_threads} "
                f"-c{args.connections} for {args.duration} s")
            meter = CpuMeter(server, redis)
            result = run_wrk(wrk, port, args.duration, args.wrk_threads, args.connections,
                             PHASE_BASES[(name, "ceiling")] + r * 10**9, running)
            result.update(meter.done(result["requests"]))
            rounds.append(result)
            log(f"{name}: {result['rps']:.0f} req/s, errors {result['error_total']}, "
                f"worker CPU split {'/'.join(map(str, result['worker_cpu_split_percent']))} %")
            time.sleep(args.pause)
        # the ceiling is the best round (noise and an unlucky spread of connections only lower it)
        ceiling = dict(max(rounds, key=lambda x: x["ok_rps"]))
        ceiling["median_ok_rps"] = sorted(x["ok_rps"] for x in rounds)[len(rounds) // 2]
        ceiling["all_ok"] = sum(x["ok"] for x in rounds)
        ceiling["rounds"] = rounds

        log(f"{name}: latency, open loop {args.rate}/s for {args.duration} s with {args.senders} senders")
        meter = CpuMeter(server, redis)
        latency = open_loop(port, args.rate, args.duration, args.senders, PHASE_BASES[(name, "latency")],
                            args.timeout, stop_event)
        latency.update(meter.done(latency["completed"]))
        log(f"{name}: p50 {latency['latency_ms']['p50']} ms, p99 {latency['latency_ms']['p99']} ms, "
            f"errors {latency['error_total']}")
    finally:
        server.stop()
        running.remove(server)
    return {"port": port, "warmup": warmup, "ceiling": ceiling, "latency": latency,
            "server_tracebacks": server.tracebacks(), "log": str(log_path.relative_to(ROOT))}


# ---------------------------------------------------------------- report

def fmt(value, unit=""):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:,.1f}{unit}" if abs(value) >= 100 else f"{value:.2f}{unit}"
    return f"{value:,}{unit}"


CPU_PARTS = ("server", "redis", "load_generator", "other")


def report(results) -> str:
    apps = results["apps"]
    bare, shop = apps.get("bare"), apps.get("shop")
    cfg = results["config"]
    rows = [
        ("ceiling req/s (best round)", lambda a: a["ceiling"]["ok_rps"]),
        ("ceiling req/s (median round)", lambda a: a["ceiling"]["median_ok_rps"]),
        ("ceiling p50 ms (wrk)", lambda a: a["ceiling"]["latency_ms"]["p50"]),
        ("ceiling p99 ms (wrk)", lambda a: a["ceiling"]["latency_ms"]["p99"]),
        ("ceiling errors (all rounds)", lambda a: sum(x["error_total"] for x in a["ceiling"]["rounds"])),
        ("ceiling server CPU ms/request", lambda a: a["ceiling"]["server_cpu_ms_per_request"]),
        ("ceiling worker CPU split % (best)", lambda a: "/".join(
            str(x) for x in a["ceiling"]["worker_cpu_split_percent"])),
        ("ceiling Redis CPU ms/request", lambda a: a["ceiling"]["redis_cpu_ms_per_request"]),
        ("ceiling CPU % srv/redis/gen/other", lambda a: "/".join(
            f"{a['ceiling']['cpu_percent_of_machine'][k]:.0f}" for k in CPU_PARTS)),
        (f"@{cfg['rate']:g}/s achieved req/s", lambda a: a["latency"]["achieved_rps"]),
        (f"@{cfg['rate']:g}/s p50 ms", lambda a: a["latency"]["latency_ms"]["p50"]),
        (f"@{cfg['rate']:g}/s p90 ms", lambda a: a["latency"]["latency_ms"]["p90"]),
        (f"@{cfg['rate']:g}/s p99 ms", lambda a: a["latency"]["latency_ms"]["p99"]),
        (f"@{cfg['rate']:g}/s max ms", lambda a: a["latency"]["latency_ms"]["max"]),
        (f"@{cfg['rate']:g}/s errors", lambda a: a["latency"]["error_total"]),
        (f"@{cfg['rate']:g}/s server CPU ms/request",
         lambda a: a["latency"]["server_cpu_ms_per_request"]),
        (f"@{cfg['rate']:g}/s CPU % srv/redis/gen/other", lambda a: "/".join(
            f"{a['latency']['cpu_percent_of_machine'][k]:.0f}" for k in CPU_PARTS)),
        ("generator send lag p99 ms", lambda a: a["latency"]["send_lag_ms"]["p99"]),
    ]
    lines = [f"telegram_webhook ack: gunicorn {cfg['workers']} workers x {cfg['threads']} threads"
             f"{' ' + cfg['gunicorn_extra'] if cfg['gunicorn_extra'] else ''}, {os.cpu_count()} cores; "
             f"ceiling best of {cfg['ceiling_rounds']} x wrk -t{cfg['wrk_threads']} -c{cfg['connections']} "
             f"{cfg['duration']:g} s; latency open loop {cfg['rate']:g}/s {cfg['duration']:g} s",
             f"{'':34}{'bare':>12}{'shop':>12}"]
    for label, get in rows:
        cells = [fmt(get(a)) if a else "-" for a in (bare, shop)]
        lines.append(f"{label:34}{cells[0]:>12}{cells[1]:>12}")
    for app, r in apps.items():
        per_round = ", ".join(f"{x['ok_rps']:.0f} ({'/'.join(map(str, x['worker_cpu_split_percent']))})"
                              for x in r["ceiling"]["rounds"])
        lines.append(f"{app} ceiling rounds, req/s (worker CPU split %): {per_round}")
    noisy = [f"{app} {phase} {r[phase]['cpu_percent_of_machine']['other']:.0f} %"
             for app, r in apps.items() for phase in ("ceiling", "latency")
             if r[phase]["cpu_percent_of_machine"]["other"] > NOISY_OTHER_PERCENT]
    unbalanced = [f"{app} {'/'.join(map(str, r['ceiling']['worker_cpu_split_percent']))} %"
                  for app, r in apps.items() if len(r["ceiling"]["worker_cpu_split_percent"]) > 1
                  and max(r["ceiling"]["worker_cpu_split_percent"]) > 100 * UNBALANCED_SHARE]
    if unbalanced:
        lines.append(f"UNBALANCED: even the best ceiling round had one gunicorn worker doing most of the work "
                     f"({', '.join(unbalanced)}); the ratio compares unlike runs: rerun or add --ceiling-rounds")
    if noisy:
        lines.append(f"NOISY: other processes used the machine during {', '.join(noisy)} "
                     "(% of all cores); rerun on a quiet machine")
    v = results.get("verdict", {})
    if "throughput_ratio_percent" in v:
        lines.append(f"shop/bare throughput: {v['throughput_ratio_percent']:.1f} % of the bare ceiling "
                     f"(target >= {TARGET_RATIO:g} %) -> {'PASS' if v['throughput_ok'] else 'FAIL'}"
                     f"   [median rounds: {v['median_ratio_percent']:.1f} %]")
    if "p99_ms" in v:
        lines.append(f"shop p99 at {cfg['rate']:g}/s: {fmt(v['p99_ms'])} ms (target <= {TARGET_P99_MS:g} ms, "
                     f"errors {v['latency_errors']}) -> {'PASS' if v['p99_ok'] else 'FAIL'}")
    if "queued_jobs" in v:
        lines.append(f"integrity: {v['queued_jobs']:,} updates queued for {v['shop_ok_answers']:,} answers 200 "
                     f"-> {'ok' if v['no_repeats'] else 'REPEATS DROPPED?'}")
    return "\n".join(lines)


def verdict(results, services) -> dict:
    apps, v = results["apps"], {}
    bare, shop = apps.get("bare"), apps.get("shop")
    if bare and shop and bare["ceiling"]["ok_rps"]:
        ratio = shop["ceiling"]["ok_rps"] / bare["ceiling"]["ok_rps"] * 100
        v.update(throughput_ratio_percent=round(ratio, 1), throughput_ok=ratio >= TARGET_RATIO,
                 median_ratio_percent=round(shop["ceiling"]["median_ok_rps"]
                                            / max(0.1, bare["ceiling"]["median_ok_rps"]) * 100, 1))
    if shop:
        p99 = shop["latency"]["latency_ms"]["p99"]
        errors = shop["latency"]["error_total"]
        v.update(p99_ms=p99, latency_errors=errors, p99_ok=p99 is not None and p99 <= TARGET_P99_MS and not errors)
        # Accepted updates wait in the Telegram inbox (no worker runs during the bench).
        queued = services.redis.llen("shop:tg:inbox") + services.redis.llen("rq:queue:high")
        ok = (shop["warmup"] or {"ok": 0})["ok"] + shop["ceiling"]["all_ok"] + shop["latency"]["ok"]
        v.update(queued_jobs=queued, shop_ok_answers=ok, no_repeats=queued >= ok)
    return v


# ---------------------------------------------------------------- main

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
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
        if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
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

    def on_term(signum, frame):
        raise Stop()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
    services = Services(args.pg_url, args.redis_url, "shop_bench")
    running: list = []  # servers and wrk processes to end on the way out
    stop_event = threading.Event()
    results = {"started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
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
        results["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
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
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
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


if __name__ == "__main__":
    sys.exit(main())
