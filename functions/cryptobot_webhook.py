"""POST /cryptobot_webhook: verify Crypto Pay's HMAC over the raw body, record the payment, answer."""
from functions.http import error, json_response, post_only, raw_body
from lib.billing.settlement import settle
from lib.payments import BadNotification, ProviderOff, get_provider
from lib.runtime import current


@post_only
def cryptobot_webhook(request):
    rt = current()
    try:
        provider = get_provider(rt.settings, "cryptobot")
    except ProviderOff:
        return error(404, "Crypto Pay is off: CRYPTOBOT_TOKEN is not set")
    try:
        fact = provider.read_notification(raw_body(request), request.headers)
    except BadNotification as bad:
        return error(bad.status, str(bad))
    if fact is None:
        return json_response(200, {"ok": True, "ignored": True})
    # Committed to the database before Crypto Pay hears 200; a repeat finds the payment and does nothing.
    return json_response(200, {"ok": True, "result": settle(rt, fact)})
