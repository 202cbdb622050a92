"""POST /yukassa_webhook: notifications are not signed, so only the object they name is noted here and
re-read from YooKassa by a job (jobs.check_yookassa); the web process never waits on YooKassa."""
from functions.http import error, json_response, post_only, raw_body
from lib import tasks
from lib.payments import BadNotification
from lib.payments.yookassa_notices import notice_of
from lib.runtime import current
from lib.tasks import enqueue


@post_only
def yukassa_webhook(request):
    rt = current()
    if not rt.settings.yookassa_enabled:
        return error(404, "YooKassa is off: YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY are not set")
    try:
        notice = notice_of(raw_body(request))
    except BadNotification as bad:
        return error(bad.status, str(bad))
    if notice is None:
        return json_response(200, {"ok": True, "ignored": True})
    # A repeat of the same notice joins the check already waiting; a lost one is found by the reconciler.
    enqueue(rt.redis, tasks.CHECK_YOOKASSA, *notice)
    return json_response(200, {"ok": True, "queued": notice[0]})
