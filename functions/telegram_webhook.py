"""POST /telegram_webhook: check Telegram's secret header, drop repeats, queue the update, answer 200.

The busiest route, so its work is one function of (secret header, raw body) that both the
functions-framework target and a plain-WSGI fast path in front of Flask (functions.web) call.
"""
from functions.http import BadRequest, error, json_response, parse_json, post_only, raw_body, same_secret
from lib.runtime import current
from lib.telegram.intake import accept_update


def accept_telegram_update(secret_header: str | None, raw: bytes) -> tuple:
    """(HTTP status, JSON payload) for one delivery from Telegram."""
    rt = current()
    if not rt.settings.telegram_enabled:
        return 404, {"error": "the Telegram bot is off: BOT_TOKEN is not set"}
    if not same_secret(secret_header, rt.settings.telegram_webhook_secret):
        return 401, {"error": "wrong or missing secret token"}
    try:
        update = parse_json(raw)
    except BadRequest as bad:
        return bad.status, {"error": bad.message}
    update_id = update.get("update_id") if isinstance(update, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return 400, {"error": "not a Telegram update: update_id missing"}
    queued = accept_update(rt.redis, update_id, update)
    return 200, {"ok": True, "duplicate": not queued}


@post_only
def telegram_webhook(request):
    status, payload = accept_telegram_update(request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                                             raw_body(request))
    return error(status, payload["error"]) if "error" in payload else json_response(status, payload)
