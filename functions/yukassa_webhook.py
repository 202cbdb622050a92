"""POST /yukassa_webhook: notifications are not signed, so the payment is re-read from YooKassa."""
import re

from functions.http import error, json_body, json_response, post_only
from lib.payments import PaymentProviderError
from lib.payments.confirm import apply_yookassa_payment, apply_yookassa_refund
from lib.runtime import current

_PAYMENT_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@post_only
def yukassa_webhook(request):
    rt = current()
    if not rt.settings.yookassa_enabled:
        return error(404, "YooKassa is off: YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY are not set")
    note = json_body(request)
    obj = note.get("object") if isinstance(note, dict) else None
    event = note.get("event", "") if isinstance(note, dict) else ""
    if note is None or not isinstance(obj, dict) or not isinstance(event, str) \
            or not _PAYMENT_ID.match(str(obj.get("id", ""))):
        return error(400, "not a YooKassa notification")
    if event != "refund.succeeded" and not event.startswith("payment."):
        return json_response(200, {"ok": True, "ignored": event})
    apply = apply_yookassa_refund if event == "refund.succeeded" else apply_yookassa_payment
    try:
        outcome = apply(rt, str(obj["id"]))  # only YooKassa's own answer is trusted
    except PaymentProviderError:
        return error(503, "YooKassa could not be asked about the payment; send it again later")
    return json_response(200, {"ok": True, "result": outcome})
