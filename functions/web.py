"""The WSGI app: every function on its contract route, plus health, readiness and metrics."""
import logging

from flask import Flask, request

from functions.fast_path import TelegramFastPath
from functions.health import healthz, metrics, readyz
from functions.http import MAX_BODY_BYTES, error
from functions.observe import Observed
from lib.config import logging_settings
from lib.observability.logs import logging_is_set_up, setup_logging

log = logging.getLogger("shop.web")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000",
    # The mini app runs inside Telegram's web client, so only Telegram may frame it.
    "Content-Security-Policy": "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org",
}


def create_app() -> Flask:
    from functions.cron_tick import cron_tick
    from functions.cryptobot_webhook import cryptobot_webhook
    from functions.miniapp_api import miniapp_api
    from functions.telegram_webhook import telegram_webhook
    from functions.yukassa_webhook import yukassa_webhook

    if not logging_is_set_up():  # gunicorn.conf.py and the runners set it up before; functions-framework not
        setup_logging(*logging_settings()[:2])
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    for name, func in [("telegram_webhook", telegram_webhook), ("cryptobot_webhook", cryptobot_webhook),
                       ("yukassa_webhook", yukassa_webhook), ("cron_tick", cron_tick)]:
        app.add_url_rule(f"/{name}", name, lambda f=func: f(request), methods=["GET", "POST"])
    app.add_url_rule("/miniapp_api/", "miniapp_page", lambda: miniapp_api(request))
    app.add_url_rule("/miniapp_api/<path:rest>", "miniapp_api", lambda rest: miniapp_api(request),
                     methods=["GET", "POST"])
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)
    app.add_url_rule("/metrics", "metrics", metrics)

    @app.errorhandler(404)
    def not_found(_):
        return error(404, "not found")

    @app.errorhandler(405)
    def wrong_method(_):
        return error(405, "method not allowed")

    @app.errorhandler(413)
    def too_large(_):
        return error(413, "body too large")

    @app.errorhandler(Exception)
    def unexpected(exc):
        if getattr(exc, "code", None) and 400 <= exc.code < 500:
            return error(exc.code, getattr(exc, "description", "bad request"))
        # A dependency is down or a bug: say so without a traceback; Telegram and the providers retry.
        log.exception("unhandled error on %s", request.path)
        return error(503, "temporarily unavailable, try again")

    @app.after_request
    def secure(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.wsgi_app = Observed(TelegramFastPath(app.wsgi_app, SECURITY_HEADERS), SECURITY_HEADERS)
    return app
