"""Crypto Pay API rules (createInvoice) and formats shared by FakeCryptoPay."""
from datetime import timedelta
from decimal import Decimal, InvalidOperation

ASSETS = ("USDT", "TON", "BTC", "ETH", "LTC", "BNB", "TRX", "USDC")
FIATS = ("USD", "EUR", "RUB", "BYN", "UAH", "GBP", "CNY", "KZT", "UZS", "GEL", "TRY", "AMD",
         "THB", "INR", "BRL", "IDR", "AZN", "AED", "PLN", "ILS")
# Fixed rates so paid amounts are predictable in tests.
USD_PER_ASSET = {"USDT": "1", "USDC": "1", "TON": "3", "BTC": "60000", "ETH": "3000",
                 "LTC": "80", "BNB": "600", "TRX": "0.12"}
FIAT_PER_USD = {"USD": "1", "EUR": "0.92", "RUB": "90", "UAH": "41", "KZT": "480"}
FEE = Decimal("0.03")


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


class CryptoPayError(Exception):
    def __init__(self, name, code=400):
        super().__init__(name)
        self.name, self.code = name, code


def decimal_str(value, places="0.00000001"):
    return format(value.quantize(Decimal(places)).normalize(), "f")  # never "9E+1"


def check_invoice(p, now):
    """Validate createInvoice parameters; return the invoice fields they set."""
    currency_type = p.get("currency_type", "crypto")
    inv = {"currency_type": currency_type}
    if currency_type == "crypto":
        if p.get("asset") not in ASSETS:
            raise CryptoPayError("ASSET_INVALID")
        inv["asset"] = p["asset"]
    elif currency_type == "fiat":
        if p.get("fiat") not in FIATS:
            raise CryptoPayError("FIAT_INVALID")
        inv["fiat"] = p["fiat"]
        accepted = p.get("accepted_assets")
        if accepted:
            accepted = accepted.split(",") if isinstance(accepted, str) else accepted
            if not all(a in ASSETS for a in accepted):
                raise CryptoPayError("ACCEPTED_ASSETS_INVALID")
            inv["accepted_assets"] = list(accepted)
    else:
        raise CryptoPayError("CURRENCY_TYPE_INVALID")
    inv["amount"] = _amount(p.get("amount"))
    for field, limit, name in (("description", 1024, "DESCRIPTION_TOO_LONG"),
                               ("hidden_message", 2048, "HIDDEN_MESSAGE_TOO_LONG")):
        if p.get(field) is not None:
            if len(str(p[field])) > limit:
                raise CryptoPayError(name)
            inv[field] = str(p[field])
    if p.get("payload") is not None:
        if len(str(p["payload"]).encode("utf-8")) > 4096:  # "up to 4kb"
            raise CryptoPayError("PAYLOAD_TOO_LONG")
        inv["payload"] = str(p["payload"])
    if p.get("paid_btn_name"):
        if p["paid_btn_name"] not in ("viewItem", "openChannel", "openBot", "callback"):
            raise CryptoPayError("PAID_BTN_NAME_INVALID")
        if not str(p.get("paid_btn_url", "")).startswith(("http://", "https://")):
            raise CryptoPayError("PAID_BTN_URL_INVALID")
        inv.update(paid_btn_name=p["paid_btn_name"], paid_btn_url=p["paid_btn_url"])
    if p.get("expires_in") is not None:
        try:
            expires_in = int(p["expires_in"])
        except (TypeError, ValueError):
            expires_in = 0
        if not 1 <= expires_in <= 2678400:
            raise CryptoPayError("EXPIRES_IN_INVALID")
        inv["expiration_date"] = iso(now + timedelta(seconds=expires_in))
    return inv


def _amount(raw):
    try:
        amount = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise CryptoPayError("AMOUNT_INVALID")
    if not amount.is_finite() or amount <= 0:
        raise CryptoPayError("AMOUNT_INVALID")
    return str(raw)


def flag(value):
    return True if value is None else str(value).lower() in ("true", "1")
