"""FakeCryptoPay: the Crypto Pay API (CryptoBot) invoices, plus signed webhooks.

Configure the shop with `fake.api_url` (server root + "/api"). Shapes follow
tests/fixtures/cryptopay_invoice_paid.json. `clock` (see clock.py) stamps created_at, paid_at
and request_date and decides when an invoice's expires_in has run out.
"""
import copy
import hashlib
import hmac
import json
import secrets
from decimal import Decimal

from flask import jsonify, request

from .cp_rules import (
    ASSETS,
    FEE,
    FIAT_PER_USD,
    USD_PER_ASSET,
    CryptoPayError,
    check_invoice,
    decimal_str,
    flag,
    iso,
)
from .http import FakeService


class FakeCryptoPay(FakeService):
    """In-memory Crypto Pay app for one API token."""

    api_path = "/api"

    def __init__(self, token="1234:AAfakeCryptoPayToken", clock=None):
        super().__init__(clock=clock)
        self.token = token
        self._invoices, self._next_id, self._update_id = {}, 1, 100
        self._calls = []  # (method, params) of each authorised call to a known method
        self.app.add_url_rule("/api/<method>", view_func=self._route, methods=["GET", "POST"])
        self._methods = {"getMe": self._get_me, "createInvoice": self._create_invoice,
                         "getInvoices": self._get_invoices, "deleteInvoice": self._delete_invoice}

    @property
    def invoices(self):
        """All invoices (deleted ones excluded), oldest first, as API dicts."""
        with self._lock:
            return [self._view(i) for i in self._invoices.values()]

    def invoice(self, invoice_id):
        with self._lock:
            return self._view(self._invoices[int(invoice_id)])

    def calls(self, method):
        """The params of each call to `method` (e.g. "getInvoices"), oldest first, as sent."""
        with self._lock:
            return [copy.deepcopy(p) for m, p in self._calls if m == method]

    # ---- test controls -------------------------------------------------
    def pay(self, invoice_id, asset="USDT", anonymously=False, sent=None):
        """Mark an invoice paid; return (raw_body, headers) of the webhook POST.

        `sent`: what the payer sent for a crypto invoice when it was more than asked (an overpayment,
        as the shop must handle it; Crypto Pay's own app asks for the exact amount)."""
        with self._lock:
            inv = self._invoices[int(invoice_id)]
            self._refresh(inv)
            if inv["status"] != "active":
                raise ValueError("invoice %s is %s, cannot be paid" % (invoice_id, inv["status"]))
            allowed = ([inv["asset"]] if inv["currency_type"] == "crypto"
                       else inv.get("accepted_assets") or list(ASSETS))
            if asset not in allowed:
                raise ValueError("invoice %s does not accept %s" % (invoice_id, asset))
            usd_rate = Decimal(USD_PER_ASSET[asset])
            amount = Decimal(inv["amount"])
            if inv["currency_type"] == "fiat":
                fiat_rate = usd_rate * Decimal(FIAT_PER_USD.get(inv["fiat"], "1"))
                paid = amount / fiat_rate
                inv["paid_fiat_rate"] = decimal_str(fiat_rate)
            else:
                paid = max(amount, Decimal(str(sent))) if sent is not None else amount
            fee = paid * FEE
            inv.update(status="paid", paid_asset=asset, paid_amount=decimal_str(paid),
                       paid_usd_rate=decimal_str(usd_rate), usd_rate=decimal_str(usd_rate), fee_asset=asset,
                       fee_amount=decimal_str(fee), fee=decimal_str(fee), fee_in_usd=decimal_str(fee * usd_rate),
                       paid_at=iso(self._utcnow()), paid_anonymously=bool(anonymously))
            return self.webhook(invoice_id)

    def webhook(self, invoice_id, update_type="invoice_paid"):
        """(raw_body, headers) of a webhook for the invoice as it is now (a redelivery)."""
        with self._lock:
            self._update_id += 1
            update = {"update_id": self._update_id, "update_type": update_type,
                      "request_date": iso(self._utcnow()), "payload": self.invoice(invoice_id)}
        raw = json.dumps(update, ensure_ascii=False).encode("utf-8")
        return raw, {"Content-Type": "application/json",
                     "crypto-pay-api-signature": self.sign(raw)}

    def sign(self, raw_body):
        """The crypto-pay-api-signature header value for a raw body."""
        secret = hashlib.sha256(self.token.encode()).digest()
        return hmac.new(secret, raw_body, hashlib.sha256).hexdigest()

    def expire(self, invoice_id):
        with self._lock:
            inv = self._invoices[int(invoice_id)]
            if inv["status"] != "active":
                raise ValueError("invoice %s is %s" % (invoice_id, inv["status"]))
            inv["status"] = "expired"

    # ---- HTTP ----------------------------------------------------------
    def _route(self, method):
        given = request.headers.get("Crypto-Pay-API-Token", "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.token.encode()):
            return self._error(CryptoPayError("UNAUTHORIZED", 401))
        handler = self._methods.get(method)
        if handler is None:
            return self._error(CryptoPayError("METHOD_NOT_FOUND", 405))
        params = dict(request.args.to_dict(), **request.form.to_dict())
        body = request.get_json(silent=True)
        params.update(body if isinstance(body, dict) else {})
        try:
            with self._lock:
                self._calls.append((method, copy.deepcopy(params)))
                return jsonify(ok=True, result=handler(params))
        except CryptoPayError as exc:
            return self._error(exc)

    @staticmethod
    def _error(exc):
        return jsonify(ok=False, error={"code": exc.code, "name": exc.name}), exc.code

    def _get_me(self, p):
        return {"app_id": 1, "name": "Fake shop", "payment_processing_bot_username": "CryptoBot"}

    def _create_invoice(self, p):
        now = self._utcnow()
        inv = check_invoice(p, now)
        h = "IV" + secrets.token_urlsafe(8).replace("-", "x").replace("_", "y")[:10]
        inv.update(invoice_id=self._next_id, hash=h, status="active", created_at=iso(now),
                   allow_comments=flag(p.get("allow_comments")),
                   allow_anonymous=flag(p.get("allow_anonymous")),
                   bot_invoice_url="https://t.me/CryptoBot?start=" + h,
                   pay_url="https://t.me/CryptoBot?start=" + h,  # deprecated, still sent
                   mini_app_invoice_url="https://t.me/CryptoBot/app?startapp=invoice-%s"
                                        "&mode=compact" % h,
                   web_app_invoice_url="https://app.cr.bot/invoices/" + h)
        self._invoices[self._next_id] = inv
        self._next_id += 1
        return self._view(inv)

    def _get_invoices(self, p):
        items = list(self._invoices.values())
        if p.get("invoice_ids"):
            ids = p["invoice_ids"]
            wanted = [int(x) for x in (ids.split(",") if isinstance(ids, str) else ids)
                      if str(x).strip().isdigit()]
            items = [self._invoices[i] for i in wanted if i in self._invoices]
        for inv in items:
            self._refresh(inv)
        for field in ("status", "asset", "fiat"):
            if p.get(field):
                items = [i for i in items if i.get(field) == p[field]]
        offset, count = int(p.get("offset") or 0), int(p.get("count") or 100)
        if not 1 <= count <= 1000:
            raise CryptoPayError("COUNT_INVALID")
        return {"items": [self._view(i) for i in items[offset:offset + count]]}

    def _delete_invoice(self, p):
        try:
            del self._invoices[int(p.get("invoice_id"))]
        except (KeyError, TypeError, ValueError):
            raise CryptoPayError("INVOICE_NOT_FOUND")
        return True

    def _refresh(self, inv):
        # Real invoices expire on their own once expiration_date passes (on the fake's clock).
        if inv["status"] == "active" and inv.get("expiration_date", "~") < iso(self._utcnow()):
            inv["status"] = "expired"

    def _view(self, inv):
        self._refresh(inv)
        return copy.deepcopy(inv)

