"""The load generators: wrk in a closed loop (the ceiling) and an open loop on a fixed clock (latency)."""
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

from benchlib import ROOT, log

from .common import BODY_PREFIX, BODY_SUFFIX, LUA, PATH, SECRET


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


