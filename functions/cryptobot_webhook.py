"""POST /cryptobot_webhook: verify Crypto Pay's HMAC over the raw body, record the payment, answer."""
import json

from functions.http import error, json_response, post_only, raw_body
from lib.payments.confirm import apply_paid_invoice
from lib.payments.cryptobot import paid_invoice_from_webhook, signature_is_valid
from lib.runtime import current


@post_only
def cryptobot_webhook(request):
    rt = current()
    if not rt.settings.cryptobot_enabled:
        return error(404, "Crypto Pay is off: CRYPTOBOT_TOKEN is not set")
    body = raw_body(request)
    if not signature_is_valid(rt.settings.cryptobot_token, body, request.headers.get("crypto-pay-api-signature")):
        return error(401, "bad signature")
    try:
        update = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return error(400, "body is not valid JSON")
    invoice = paid_invoice_from_webhook(update)
    if invoice is None:
        return json_response(200, {"ok": True, "ignored": True})
    # Committed to the database before Crypto Pay hears 200; a repeat finds the payment and does nothing.
    outcome = apply_paid_invoice(rt, invoice)
    return json_response(200, {"ok": True, "result": outcome})
