"""GET /healthz (the process runs), /readyz (the database and Redis answer), /metrics (Prometheus)."""
import logging

from flask import Response
from pony.orm import db_session

from functions.http import json_response
from lib.models import db
from lib.observability.metrics import CONTENT_TYPE, exposition
from lib.runtime import current

log = logging.getLogger("shop.web")
_fallback_redis = []  # used only while the runtime cannot be built (the database is down at start)


def healthz():
    return json_response(200, {"ok": True})


def _ping_database():
    current()
    with db_session:
        db.select("SELECT 1")


def _redis():
    try:
        return current().redis
    except Exception:
        if not _fallback_redis:
            import redis as redis_lib

            from lib.config import load_settings
            _fallback_redis.append(redis_lib.Redis.from_url(load_settings().redis_url, socket_timeout=2,
                                                            socket_connect_timeout=2))
        return _fallback_redis[0]


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:  # readiness reports, it does not fail
        return f"down: {type(exc).__name__}"


def readyz():
    checks = {"database": _check(_ping_database), "redis": _check(lambda: _redis().ping())}
    ready = all(v == "ok" for v in checks.values())
    if not ready:
        log.warning("not ready: %s", ", ".join(f"{k} {v}" for k, v in checks.items() if v != "ok"))
    return json_response(200 if ready else 503, {"ready": ready, **checks})


def metrics():
    try:
        rt = current()
    except Exception:  # the request counters are still worth a scrape
        rt = None
    return Response(exposition(rt), content_type=CONTENT_TYPE)
