"""What the storm left behind, read from outside the shop: its rows in PostgreSQL and its jobs in Redis."""
import re
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import psycopg2

from tests.support.storm_fire import percentile

ORDERS_SQL = """
SELECT o.id, o."user", o.status, o.paid_at, o.fulfilled_at,
       (SELECT count(*) FROM vpn_peers p WHERE p."user" = o."user"),
       (SELECT count(*) FROM payments y WHERE y."order" = o.id),
       (SELECT count(*) FROM ledger l WHERE l.kind = 'payment' AND l.ref = 'cryptobot:' || o.provider_ref),
       (SELECT count(*) FROM ledger l WHERE l.kind = 'purchase' AND l.ref = 'order:' || o.id),
       (SELECT string_agg(p.public_key, ',') FROM vpn_peers p WHERE p."user" = o."user")
FROM orders o WHERE o.id = ANY(%s)
"""
FIELDS = ("order_id", "user_id", "status", "paid_at", "fulfilled_at", "peers", "payments", "payment_entries",
          "purchase_entries", "public_keys")


def epoch(moment: datetime | None) -> float | None:
    """The shop's naive-UTC timestamps as time.time() seconds."""
    return None if moment is None else moment.replace(tzinfo=timezone.utc).timestamp()


def connect(url: str):
    """One connection for all the storm's questions (a new one per poll would cost a backend fork each)."""
    conn = psycopg2.connect(url, connect_timeout=10)
    conn.autocommit = True
    return conn


def sql(conn, statement: str, *args):
    with conn.cursor() as cur:
        cur.execute(statement, args)
        return cur.fetchall()


def orders(conn, order_ids) -> dict:
    """{order_id: {status, paid_at, fulfilled_at (epoch), payments, payment/purchase ledger entries, and the
    peers (with their public keys) of the order's customer: each storm customer has that one order}}."""
    out = {}
    for row in sql(conn, ORDERS_SQL, list(order_ids)):
        facts = dict(zip(FIELDS, row))
        facts["paid_at"], facts["fulfilled_at"] = epoch(facts["paid_at"]), epoch(facts["fulfilled_at"])
        facts["public_keys"] = facts["public_keys"].split(",") if facts["public_keys"] else []
        out[facts["order_id"]] = facts
    return out


def fulfilled_count(conn, order_ids) -> int:
    return sql(conn, "SELECT count(*) FROM orders WHERE status = 'fulfilled' AND id = ANY(%s)", list(order_ids))[0][0]


def quiet(redis) -> bool:
    """No job of the shop waits, is scheduled (a retry, a busy copy's next look) or runs."""
    from rq.registry import ScheduledJobRegistry, StartedJobRegistry

    from lib.tasks import QUEUES, queue
    for name in QUEUES:
        q = queue(redis, name)
        if q.count or ScheduledJobRegistry(queue=q).count or StartedJobRegistry(queue=q).count:
            return False
    return True


ACCESS_LINE = re.compile(r'POST /cryptobot_webhook [^"]*\\?" 200 \S+ (\d+)ms')


def web_log(path) -> dict:
    """From gunicorn's log: the time it spent on each webhook answered 200 (its access line's %(M)s ms,
    from taking the request to the answer: no wait for a thread), and the settle transactions retried."""
    text = Path(path).read_text(errors="replace") if Path(path).exists() else ""
    return {"server_ms": [int(ms) for ms in ACCESS_LINE.findall(text)],
            "retries": text.count("transaction conflict in apply_payment")}


def _when(raw: bytes) -> float | None:
    text = (raw or b"").decode()
    return datetime.fromisoformat(text.rstrip("Z")).replace(tzinfo=timezone.utc).timestamp() if text else None


def jobs(redis, since: float) -> list:
    """Every RQ job created at or after `since`: {func, status, worker, enqueued, started, ended, result}."""
    from rq.job import Job
    out = []
    for key in redis.scan_iter("rq:job:*", count=500):
        h = redis.hgetall(key)
        created = _when(h.get(b"created_at"))
        if created is None or created < since:
            continue
        job_id = key.decode().removeprefix("rq:job:")
        try:
            result = Job.fetch(job_id, connection=redis).return_value()
        except Exception:
            result = None
        out.append({"id": job_id, "func": h.get(b"description", b"").decode().split("(", 1)[0],
                    "status": h.get(b"status", b"").decode(), "worker": h.get(b"worker_name", b"").decode(),
                    "created": created, "enqueued": _when(h.get(b"enqueued_at")),
                    "started": _when(h.get(b"started_at")), "ended": _when(h.get(b"ended_at")),
                    "result": result if isinstance(result, (str, int, float, type(None))) else repr(result)[:80]})
    return out


def job_summary(job_list: list, t0: float) -> dict:
    """Per job function: how many, their outcomes, waiting (enqueued → started) and running (started → ended)."""
    by_func = defaultdict(list)
    for job in job_list:
        by_func[job["func"]].append(job)
    out = {}
    for func, items in sorted(by_func.items()):
        ran = [j for j in items if j["started"] and j["ended"]]
        run = [j["ended"] - j["started"] for j in ran]
        wait = [j["started"] - j["enqueued"] for j in ran if j["enqueued"]]
        results = defaultdict(int)
        for j in items:
            results[str(j["result"]) if j["status"] == "finished" else j["status"]] += 1
        out[func.removeprefix("jobs.").removesuffix(".run")] = {
            "jobs": len(items), "outcomes": dict(results),
            "run_ms_mean": round(1000 * sum(run) / len(run), 1) if run else None,
            "run_ms_p50": round(1000 * percentile(run, 50), 1) if run else None,
            "run_s_total": round(sum(run), 2),
            "wait_s_p50": round(percentile(wait, 50), 2) if wait else None,
            "wait_s_max": round(max(wait), 2) if wait else None,
            "first_started_s": round(min(j["started"] for j in ran) - t0, 2) if ran else None,
            "last_ended_s": round(max(j["ended"] for j in ran) - t0, 2) if ran else None}
    return out


def worker_gaps(job_list: list) -> dict:
    """Per worker, the time between one job's end and its next job's start while jobs were waiting:
    what running a job costs besides the job (a fork, RQ's bookkeeping, fetching the next)."""
    by_worker = defaultdict(list)
    for job in job_list:
        if job["worker"] and job["started"] and job["ended"]:
            by_worker[job["worker"]].append(job)
    gaps = []
    for items in by_worker.values():
        items.sort(key=lambda j: j["started"])
        for before, after in zip(items, items[1:]):
            if after["enqueued"] and after["enqueued"] <= before["ended"]:  # it was already waiting
                gaps.append(after["started"] - before["ended"])
    return {"workers": len(by_worker), "gaps": len(gaps),
            "gap_ms_p50": round(1000 * percentile(gaps, 50), 1) if gaps else None,
            "gap_ms_mean": round(1000 * sum(gaps) / len(gaps), 1) if gaps else None,
            "gap_s_total": round(sum(gaps), 2)}
