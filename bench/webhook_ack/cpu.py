"""Who used the cores during a phase: gunicorn's session, its workers, Redis, the load generators."""
import os
import resource
import time
from pathlib import Path

from benchlib import machine_busy_seconds


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
