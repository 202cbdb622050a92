"""POST /yukassa_webhook: notifications are not signed, so the payment is re-read from YooKassa."""
from functions.http import error, json_response, post_only, raw_body
from lib.billing.settlement import settle, settle_refund
from lib.payments import BadNotification, PaymentProviderError, ProviderOff, RefundFact, get_provider
from lib.runtime import current


@post_only
def yukassa_webhook(request):
    rt = current()
    try:
        provider = get_provider(rt.settings, "yookassa")
    except ProviderOff:
        return error(404, "YooKassa is off: YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY are not set")
    try:
        fact = provider.read_notification(raw_body(request), request.headers)  # only YooKassa's answer counts
    except BadNotification as bad:
        return error(bad.status, str(bad))
    except PaymentProviderError:
        return error(503, "YooKassa could not be asked about the payment; send it again later")
    if fact is None:
        return json_response(200, {"ok": True, "ignored": True})
    outcome = settle_refund(rt, fact) if isinstance(fact, RefundFact) else settle(rt, fact)
    return json_response(200, {"ok": True, "result": outcome})
