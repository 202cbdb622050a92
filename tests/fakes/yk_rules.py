"""YooKassa API v3 rules and object formats shared by FakeYooKassa."""
import re
import secrets
from decimal import Decimal

_VALUE = re.compile(r"\d+(\.\d{1,2})?")
_CONFIRMATIONS = ("redirect", "embedded", "external", "qr", "mobile_application")


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def object_id():
    # YooKassa ids look like 2f3b588d-000f-5000-8000-1d6e87c7fbde.
    return "%s-000f-5000-%s-%s" % (secrets.token_hex(4), secrets.choice(["8000", "9000", "a000"]),
                                   secrets.token_hex(6))


class ApiError(Exception):
    def __init__(self, status, code, description, parameter=None):
        super().__init__(description)
        self.status = status
        self.body = {"type": "error", "id": object_id(), "code": code,
                     "description": description}
        if parameter:
            self.body["parameter"] = parameter


def invalid(description, parameter):
    return ApiError(400, "invalid_request", description, parameter)


def money(value, currency):
    return {"value": str(value.quantize(Decimal("0.01"))), "currency": currency}


def check_amount(amount, name):
    if not isinstance(amount, dict):
        raise invalid("Amount is required", name)
    value, currency = str(amount.get("value", "")), amount.get("currency")
    if not _VALUE.fullmatch(value) or Decimal(value) <= 0:
        raise invalid("Invalid amount value", name + ".value")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        raise invalid("Invalid currency", name + ".currency")
    return {"value": str(Decimal(value).quantize(Decimal("0.01"))), "currency": currency}


def _check_metadata(metadata):
    # Docs: at most 16 keys, names up to 32 chars, values up to 512 chars.
    if not isinstance(metadata, dict) or len(metadata) > 16:
        raise invalid("metadata must be an object with at most 16 keys", "metadata")
    for key, value in metadata.items():
        if len(key) > 32 or isinstance(value, (dict, list)) or len(str(value)) > 512:
            raise invalid("Invalid metadata entry %r" % key, "metadata")
    return {k: str(v) for k, v in metadata.items()}


def check_payment(body):
    """Validate a POST /payments body; return its normalised parts."""
    amount = check_amount(body.get("amount"), "amount")
    confirmation = body.get("confirmation")
    if confirmation is None and not body.get("payment_method_id"):
        raise invalid("Confirmation is required for this payment", "confirmation")
    if confirmation is not None:
        if not isinstance(confirmation, dict) or confirmation.get("type") not in _CONFIRMATIONS:
            raise invalid("Invalid confirmation type", "confirmation.type")
        if confirmation["type"] == "redirect" and not confirmation.get("return_url"):
            raise invalid("return_url is required for redirect", "confirmation.return_url")
    description = body.get("description")
    if description is not None and len(str(description)) > 128:
        raise invalid("Description is too long (max 128)", "description")
    metadata = _check_metadata(body.get("metadata") or {})
    capture = body.get("capture", False)
    if not isinstance(capture, bool):
        raise invalid("capture must be boolean", "capture")
    return amount, confirmation, description, metadata, capture
