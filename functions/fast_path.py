"""Plain WSGI for POST /telegram_webhook, in front of Flask: Telegram's bursts skip the framework."""
import json
import logging

from functions.http import MAX_BODY_BYTES
from functions.telegram_webhook import accept_telegram_update

log = logging.getLogger("shop.web")
_REASONS = {200: "200 OK", 400: "400 Bad Request", 401: "401 Unauthorized", 404: "404 Not Found",
            413: "413 Payload Too Large", 503: "503 Service Unavailable"}


class TelegramFastPath:
    """Wraps a WSGI app; answers Telegram's deliveries itself, passes everything else on."""

    def __init__(self, app, headers: dict):
        self.app, self.headers = app, list(headers.items())

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/telegram_webhook" or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        status, payload = self._answer(environ)
        if "error" in payload:
            payload["message"] = payload["error"]
        body = json.dumps(payload).encode()
        start_response(_REASONS[status], [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(body))), *self.headers])
        return [body]

    @staticmethod
    def _answer(environ) -> tuple:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 400, {"error": "bad Content-Length"}
        if length > MAX_BODY_BYTES:
            return 413, {"error": "body too large"}
        try:
            raw = environ["wsgi.input"].read(length) if length else b""
            return accept_telegram_update(environ.get("HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"), raw)
        except Exception:  # Redis or the database is down: Telegram retries a non-2xx answer
            log.exception("telegram_webhook failed")
            return 503, {"error": "temporarily unavailable, try again"}
