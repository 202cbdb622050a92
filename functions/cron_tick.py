"""POST /cron_tick: the scheduler's once-a-minute call; queues due work, answers a JSON summary."""
from functions.http import error, json_response, post_only, same_secret
from lib.lifecycle.cron import run_tick
from lib.runtime import current
from lib.telegram.intake import rescue_inbox


def tick(rt) -> dict:
    """Everything one tick does (the local runner's ticker calls this too)."""
    summary = run_tick(rt)
    rescue_inbox(rt.redis)
    return summary


@post_only
def cron_tick(request):
    rt = current()
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not same_secret(token.strip(), rt.settings.cron_secret):
        return error(401, "wrong or missing bearer token")
    return json_response(200, tick(rt))
