"""The outermost WSGI layer: request id, body-size gate, request count and latency per function.

Kept to a few microseconds, since it sits in front of the Telegram fast path too.
"""
import io
import json
import os
import re
import time

from functions.http import MAX_BODY_BYTES
from lib.observability.logs import request_id
from lib.observability.metrics import observe_request

_FUNCTIONS = {f"/{name}": name for name in ("telegram_webhook", "cryptobot_webhook", "yukassa_webhook",
                                            "cron_tick", "healthz", "readyz", "metrics")}
_GIVEN_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")  # a caller's X-Request-Id is echoed only if it is tame
_TOO_LARGE = json.dumps({"error": "body too large", "message": "body too large"}).encode()


def function_of(path: str) -> str:
    """The function a path belongs to; every unknown path is one label, so scanners cannot add series."""
    name = _FUNCTIONS.get(path)
    if name is None:
        name = "miniapp_api" if path.startswith("/miniapp_api") else "other"
    return name


class Observed:
    """Wraps the whole app: every answer gets X-Request-Id and is counted under its function."""

    def __init__(self, app, security_headers: dict):
        self.app, self.headers = app, list(security_headers.items())

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID")
        rid = given if given and _GIVEN_ID.fullmatch(given) else os.urandom(8).hex()
        token = request_id.set(rid)  # read by the log filter
        status = ["500"]

        def start(line, headers, exc_info=None):
            status[0] = line[:3]
            headers.append(("X-Request-Id", rid))
            return start_response(line, headers, exc_info)

        try:
            if self._too_large(environ):
                start("413 Payload Too Large", [("Content-Type", "application/json"),
                                                ("Content-Length", str(len(_TOO_LARGE))), *self.headers])
                return [_TOO_LARGE]
            return self.app(environ, start)
        finally:
            observe_request(function_of(environ.get("PATH_INFO", "")), status[0], time.perf_counter() - started)
            request_id.reset(token)

    @staticmethod
    def _too_large(environ) -> bool:
        """Any route, before its own checks: a declared body over the limit is never read, and a
        chunked one (no Content-Length; rare) is read up to the limit and handed on as a sized one."""
        length = environ.get("CONTENT_LENGTH")
        if length:
            return length.isdigit() and int(length) > MAX_BODY_BYTES
        if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return False
        body = environ["wsgi.input"].read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            return True
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return False
