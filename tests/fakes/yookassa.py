"""FakeYooKassa: payments and refunds of the YooKassa API v3.

Configure the SDK with `Configuration.configure(shop_id, secret, api_url=fake.api_url)`.
Shapes follow tests/fixtures/yookassa_payment_succeeded.json. `clock` (see clock.py) stamps
created_at, captured_at and expires_at.
"""
import base64
import copy
import hmac
from datetime import timedelta
from decimal import Decimal

from flask import jsonify, request

from .http import FakeService
from .yk_rules import ApiError, check_amount, check_payment, invalid, iso, money, object_id

FEE = Decimal("0.035")


class FakeYooKassa(FakeService):
    """In-memory YooKassa shop (test mode) for one shop_id/secret_key pair."""

    api_path = "/v3"

    def __init__(self, shop_id="100500", secret_key="test_fake_secret", clock=None):
        super().__init__(clock=clock)
        self.shop_id, self.secret_key = str(shop_id), secret_key
        self.payments, self.refunds = {}, {}
        self.idempotence_keys = []  # every key received, in order (repeats included)
        self.payment_reads = {}  # payment id -> how many times GET /v3/payments/<id> asked for it
        self._idempotent = {}  # (path, key) -> (body, response)
        self._capture = {}  # payment id -> the "capture" flag it was created with
        rule = self.app.add_url_rule
        rule("/v3/payments", view_func=self._create_payment, methods=["POST"])
        rule("/v3/payments/<payment_id>", view_func=self._get_payment, methods=["GET"])
        rule("/v3/refunds", view_func=self._create_refund, methods=["POST"])
        rule("/v3/refunds/<refund_id>", view_func=self._get_refund, methods=["GET"])
        self.app.before_request(self._authenticate)
        self.app.register_error_handler(ApiError, lambda e: (jsonify(e.body), e.status))
        self.app.register_error_handler(404, lambda e: (jsonify(
            ApiError(404, "not_found", "Resource not found").body), 404))

    # ---- test controls -------------------------------------------------
    def succeed(self, payment_id):
        """The buyer paid: pending -> succeeded (with capture=false: waiting_for_capture)."""
        with self._lock:
            p = self._pending(payment_id)
            value = Decimal(p["amount"]["value"])
            p.pop("confirmation", None)
            p.update(paid=True, payment_method={
                "type": "bank_card", "id": p["id"], "saved": False, "title": "Bank card *4477",
                "card": {"first6": "555555", "last4": "4477", "expiry_year": "2030",
                         "expiry_month": "12", "card_type": "MasterCard", "issuer_country": "RU"}},
                authorization_details={"rrn": "603668680243", "auth_code": "000000",
                                       "three_d_secure": {"applied": False}})
            if self._capture.get(payment_id, True):
                p.update(status="succeeded", captured_at=self._stamp(), refundable=True,
                         income_amount=money(value * (1 - FEE), p["amount"]["currency"]),
                         refunded_amount=money(Decimal(0), p["amount"]["currency"]))
            else:
                p.update(status="waiting_for_capture", expires_at=self._stamp(timedelta(days=7)))
            return self._public(p)

    def cancel(self, payment_id, reason="expired_on_confirmation"):
        with self._lock:
            p = self._pending(payment_id, ("pending", "waiting_for_capture"))
            p.pop("confirmation", None)
            p.update(status="canceled", paid=False, refundable=False,
                     cancellation_details={"party": "yoo_money", "reason": reason})
            return self._public(p)

    def notification(self, payment_id, event="payment.succeeded"):
        """Body of the notification YooKassa would POST for the stored payment."""
        with self._lock:
            p = self.payments[payment_id]
            if event.startswith("refund."):
                refunds = [r for r in self.refunds.values() if r["payment_id"] == payment_id]
                return {"type": "notification", "event": event,
                        "object": copy.deepcopy(refunds[-1])}
            if event != "payment." + p["status"]:
                raise ValueError("payment %s is %s, not %s" % (payment_id, p["status"], event))
            return {"type": "notification", "event": event, "object": self._public(p)}

    def forged_notification(self, payment_id, status="succeeded"):
        """A notification claiming `status` while the stored payment is unchanged."""
        with self._lock:
            obj = self._public(self.payments[payment_id])
        obj.pop("confirmation", None)
        obj.update(status=status, paid=status in ("succeeded", "waiting_for_capture"),
                   captured_at=self._stamp(), income_amount=obj["amount"])
        return {"type": "notification", "event": "payment." + status, "object": obj}

    def _stamp(self, later=timedelta(0)):
        """An API timestamp: now on the fake's clock, plus `later`."""
        return iso(self._utcnow() + later)

    def _pending(self, payment_id, allowed=("pending",)):
        p = self.payments[payment_id]
        if p["status"] not in allowed:
            raise ValueError("payment %s is %s" % (payment_id, p["status"]))
        return p

    # ---- HTTP ----------------------------------------------------------
    def _authenticate(self):
        expected = "Basic " + base64.b64encode(
            ("%s:%s" % (self.shop_id, self.secret_key)).encode()).decode()
        given = request.headers.get("Authorization", "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected.encode()):
            raise ApiError(401, "invalid_credentials", "Error in shopId or secret key. Check "
                           "their validity. You can reissue the key in the Merchant Profile",
                           "Authorization")

    def _idempotent_call(self, create):
        """Run `create(body)` once per Idempotence-Key, like the real API."""
        key = request.headers.get("Idempotence-Key")
        if not key:
            raise invalid("Idempotence key isn't specified", "Idempotence-Key")
        if len(key) > 64:
            raise invalid("Idempotence key is too long (max 64)", "Idempotence-Key")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise invalid("Request body must be a JSON object", None)
        with self._lock:
            self.idempotence_keys.append(key)
            seen = self._idempotent.get((request.path, key))
            if seen is not None:
                if seen[0] != body:
                    raise invalid("Idempotence key duplicated with another request body",
                                   "Idempotence-Key")
                return jsonify(seen[1])
            result = create(body)
            self._idempotent[(request.path, key)] = (copy.deepcopy(body), result)
            return jsonify(result)

    def _create_payment(self):
        return self._idempotent_call(self._new_payment)

    def _new_payment(self, body):
        amount, confirmation, description, metadata, capture = check_payment(body)
        pid = object_id()
        p = {"id": pid, "status": "pending", "paid": False, "amount": amount,
             "recipient": {"account_id": self.shop_id, "gateway_id": "2323500"},
             "created_at": self._stamp(), "test": True, "refundable": False, "metadata": metadata}
        if description is not None:
            p["description"] = str(description)
        if confirmation is not None:
            p["confirmation"] = {"type": confirmation["type"]}
            if confirmation["type"] == "redirect":
                p["confirmation"]["confirmation_url"] = (
                    "https://yoomoney.ru/checkout/payments/v2/contract?orderId=" + pid)
            elif confirmation["type"] == "embedded":
                p["confirmation"]["confirmation_token"] = "ct-" + pid
        self.payments[pid], self._capture[pid] = p, capture
        return self._public(p)

    def reads(self, payment_id) -> int:
        """How many times the shop re-read this payment."""
        return self.payment_reads.get(payment_id, 0)

    def _get_payment(self, payment_id):
        with self._lock:
            self.payment_reads[payment_id] = self.payment_reads.get(payment_id, 0) + 1
            if payment_id not in self.payments:
                raise ApiError(404, "not_found", "Incorrect payment_id. Payment doesn't exist "
                               "or access denied.", "payment_id")
            return jsonify(self._public(self.payments[payment_id]))

    def _create_refund(self):
        return self._idempotent_call(self._new_refund)

    def _new_refund(self, body):
        p = self.payments.get(body.get("payment_id"))
        if p is None:
            raise invalid("Payment doesn't exist or access denied", "payment_id")
        if p["status"] != "succeeded":
            raise invalid("Payment with status %s can't be refunded" % p["status"], "payment_id")
        amount = check_amount(body.get("amount"), "amount")
        left = Decimal(p["amount"]["value"]) - Decimal(p["refunded_amount"]["value"])
        if amount["currency"] != p["amount"]["currency"] or Decimal(amount["value"]) > left:
            raise invalid("Refund amount exceeds the amount left to refund", "amount.value")
        rid = object_id()
        refund = {"id": rid, "payment_id": p["id"], "status": "succeeded",
                  "created_at": self._stamp(), "amount": amount}
        if body.get("description"):
            refund["description"] = str(body["description"])[:250]
        refunded = Decimal(p["refunded_amount"]["value"]) + Decimal(amount["value"])
        p["refunded_amount"] = money(refunded, amount["currency"])
        p["refundable"] = refunded < Decimal(p["amount"]["value"])
        self.refunds[rid] = refund
        return copy.deepcopy(refund)

    def _get_refund(self, refund_id):
        with self._lock:
            if refund_id not in self.refunds:
                raise ApiError(404, "not_found", "Refund doesn't exist", "refund_id")
            return jsonify(copy.deepcopy(self.refunds[refund_id]))

    @staticmethod
    def _public(p):
        return copy.deepcopy(p)
