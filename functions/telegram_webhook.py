"""POST /telegram_webhook: check Telegram's secret header, drop repeats, queue the update, answer 200."""
from functions.http import error, json_body, json_response, post_only, same_secret
from lib.runtime import current
from lib.telegram.intake import accept_update


@post_only
def telegram_webhook(request):
    rt = current()
    if not rt.settings.telegram_enabled:
        return error(404, "the Telegram bot is off: BOT_TOKEN is not set")
    if not same_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token"), rt.settings.telegram_webhook_secret):
        return error(401, "wrong or missing secret token")
    update = json_body(request)
    update_id = update.get("update_id") if isinstance(update, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return error(400, "not a Telegram update: update_id missing")
    queued = accept_update(rt.redis, update)
    return json_response(200, {"ok": True, "duplicate": not queued})
