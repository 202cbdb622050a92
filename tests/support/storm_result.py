"""What one storm measured: the shots, the rows, the events and messages, the jobs, and the CPU it cost."""
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.storm_facts import job_summary, web_log, worker_gaps
from tests.support.storm_fire import percentile
from tests.support.storm_procs import cpu_seconds

CLK_TCK = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (user+nice+system+irq+softirq+steal)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


@dataclass
class Snapshot:
    """Wall clock and CPU seconds so far: the shop's web and worker processes, the fakes, this process, the machine."""
    wall: float
    cpu: dict

    @classmethod
    def take(cls, web, workers, fakes, db_name):
        me = os.times()
        return cls(time.time(), {
            "web": web.cpu_seconds(), "workers": sum(w.cpu_seconds() for w in workers),
            "postgres": cpu_seconds(lambda fields, cmdline: cmdline.startswith("postgres:")
                                    and f" {db_name} " in cmdline),  # the storm's database connections
            "redis": cpu_seconds(lambda fields, cmdline: cmdline.startswith("redis-server")),
            "fakes": fakes.ask("cpu"), "client": me.user + me.system, "machine": machine_busy_seconds()})


def _ms(seconds):
    return None if seconds is None else round(1000 * seconds, 1)


def _s(seconds):
    return None if seconds is None else round(seconds, 2)


@dataclass
class StormResult:
    shots: list
    seeded: list
    before: Snapshot
    after: Snapshot
    orders: dict  # tests.support.storm_facts.orders
    events: list  # (arrival time, event) of every event the fake n8n got
    telegram: list  # (time, method, chat_id, status, file name) of every request the fake Telegram got
    wg_peers: list
    jobs: list
    log_dir: str
    t0: float = field(init=False)

    def __post_init__(self):
        self.t0 = min(shot.sent_at for shot in self.shots)

    def sent(self, method: str) -> Counter:
        """Requests of that Bot API method answered 200, per chat."""
        return Counter(chat for _, m, chat, status, _ in self.telegram if m == method and status == 200)

    def summary(self) -> dict:
        n, t0 = len(self.seeded), self.t0
        latencies = [shot.latency_s for shot in self.shots]
        fulfilled = [o["fulfilled_at"] for o in self.orders.values() if o["fulfilled_at"]]
        paid_to_done = [o["fulfilled_at"] - o["paid_at"] for o in self.orders.values() if o["fulfilled_at"]]
        events = [t for t, _ in self.events if t >= t0]
        photos = [t for t, m, _, status, _ in self.telegram if m == "sendphoto" and status == 200 and t >= t0]
        last_fulfilled = max(fulfilled) - t0 if len(fulfilled) == n else None
        config_at = {chat: t for t, m, chat, status, _ in self.telegram if m == "sendphoto" and status == 200}
        paid_to_config = [config_at[o["user_id"]] - o["paid_at"] for o in self.orders.values()
                          if o["user_id"] in config_at and o["paid_at"]]
        web = web_log(Path(self.log_dir) / "web.log")
        cpu = {k: round(self.after.cpu[k] - self.before.cpu[k], 2) for k in self.before.cpu}
        cpu["rest_of_machine"] = round(cpu["machine"] - sum(v for k, v in cpu.items() if k != "machine"), 2)
        return {
            "orders": n, "webhooks": len(self.shots),
            "http_status": dict(Counter(str(shot.status) for shot in self.shots)),
            "answers": dict(Counter(shot.result for shot in self.shots)),
            "duplicates_dropped": sum(1 for shot in self.shots if shot.result == "duplicate"),
            "latency_ms": {"p50": _ms(percentile(latencies, 50)), "p90": _ms(percentile(latencies, 90)),
                           "p99": _ms(percentile(latencies, 99)), "max": _ms(max(latencies))},
            "server_ms": {f"p{q}": percentile(web["server_ms"], q) for q in (50, 90, 99)},
            "settle_retries": web["retries"],
            "webhooks_answered_s": _s(max(shot.sent_at + shot.latency_s for shot in self.shots) - t0),
            "first_fulfilled_s": _s(min(fulfilled) - t0) if fulfilled else None,
            "all_fulfilled_s": _s(last_fulfilled),
            "orders_per_s": round(n / last_fulfilled, 2) if last_fulfilled else None,
            "paid_to_fulfilled_s": {"p50": _s(percentile(paid_to_done, 50)), "max": _s(max(paid_to_done or [0]))},
            "paid_to_config_s": {"p50": _s(percentile(paid_to_config, 50)), "max": _s(max(paid_to_config or [0]))},
            "first_config_sent_s": _s(min(photos) - t0) if photos else None,
            "last_config_sent_s": _s(max(photos) - t0) if photos else None,
            "last_event_s": _s(max(events) - t0) if events else None,
            "events_after_fulfilled_s": _s(max(events) - t0 - last_fulfilled) if events and last_fulfilled else None,
            "events": dict(Counter(e["event"] for t, e in self.events if t >= t0)),
            "wall_s": _s(self.after.wall - self.before.wall),
            "cpu_s": cpu,
            "jobs": job_summary(self.jobs, t0),
            "worker_gaps": worker_gaps(self.jobs),
        }
