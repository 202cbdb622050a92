"""GET /healthz, /readyz and /metrics."""
from flask import Response
from pony.orm import count, db_session

from functions.http import json_response
from lib.models import Event, Order, db
from lib.queue import queue_depths
from lib.runtime import current


def healthz():
    return json_response(200, {"ok": True})


def _ping_database():
    current()
    with db_session:
        db.select("SELECT 1")


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:  # readiness reports, it does not fail
        return f"down: {type(exc).__name__}"


def readyz():
    checks = {"database": _check(_ping_database), "redis": _check(lambda: current().redis.ping())}
    ready = all(v == "ok" for v in checks.values())
    return json_response(200 if ready else 503, {"ready": ready, **checks})


def metrics():
    rt = current()
    lines = ["# TYPE shop_queue_depth gauge"]
    lines += [f'shop_queue_depth{{queue="{name}"}} {depth}' for name, depth in queue_depths(rt.redis).items()]
    with db_session:
        pending = count(o for o in Order if o.status == "pending")
        waiting = count(e for e in Event if e.delivered_at is None)
    lines += ["# TYPE shop_pending_payments gauge", f"shop_pending_payments {pending}",
              "# TYPE shop_events_waiting gauge", f"shop_events_waiting {waiting}"]
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")
