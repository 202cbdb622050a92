"""Orders, payments and the balance ledger; their uniqueness keeps money from doubling."""
from datetime import datetime
from decimal import Decimal

from pony.orm import Optional, PrimaryKey, Required, Set, composite_index, composite_key

from lib.models.accounts import User
from lib.models.base import MONEY, db


class Order(db.Entity):
    _table_ = "orders"
    id = PrimaryKey(int, auto=True)
    user = Required(User)
    product = Required(str, 8)
    plan_id = Required(str, 32)
    provider = Required(str, 16)
    amount = Required(Decimal, **MONEY)  # price in RUB, what the balance is charged
    status = Required(str, 16, default="pending", index=True)
    pay_url = Optional(str, 1024, nullable=True)
    provider_ref = Optional(str, 128, nullable=True)  # invoice / payment id at the provider
    # What the provider was asked to collect (a USDT invoice is not in RUB); None on orders before v4.
    charge_amount = Optional(Decimal, **MONEY, nullable=True)
    charge_currency = Optional(str, 16, nullable=True)
    renew_peer = Optional("VpnPeer", reverse="renewals")
    peer = Optional("VpnPeer", reverse="order")  # the peer this order created
    renew_server = Optional("VpsServer", reverse="renewals")
    server = Optional("VpsServer", reverse="order")  # the server this order created
    attempts = Required(int, default=0)
    error = Optional(str, 500, nullable=True)
    created_at = Required(datetime)
    paid_at = Optional(datetime)
    fulfilled_at = Optional(datetime)
    closed_at = Optional(datetime)  # failed, refunded or expired
    # A refund asked for and not done yet: cron_tick queues it again if its job was lost.
    refund_requested_at = Optional(datetime, index="idx_orders_refund_requested_at")
    refund_via = Optional(str, 16, nullable=True)  # balance, provider or notified (done at the provider)
    refund_reason = Optional(str, 256, nullable=True)
    payments = Set("Payment")
    composite_index(status, paid_at)
    composite_index(status, created_at)


class Payment(db.Entity):
    """Money a provider reported, recorded once whatever it turned out to be (lib.billing.matching)."""
    _table_ = "payments"
    id = PrimaryKey(int, auto=True)
    provider = Required(str, 16)
    provider_payment_id = Required(str, 128)
    user = Optional(User)  # None: nothing tells whose money it is (the admins decide)
    order = Optional(Order)
    amount = Required(Decimal, **MONEY)  # credited to the balance, RUB
    paid_amount = Required(str, 32)  # what the provider says was paid, as text
    paid_currency = Required(str, 16)
    expected_amount = Optional(str, 32, nullable=True)  # what the order asked for, when it differs
    expected_currency = Optional(str, 16, nullable=True)
    verdict = Required(str, 64, default="paid", sql_default="'paid'")  # paid, overpaid, to_balance or mismatch:<what differs>
    created_at = Required(datetime)
    composite_key(provider, provider_payment_id)


class LedgerEntry(db.Entity):
    """Every balance change; (kind, ref) is unique so nothing is credited or charged twice."""
    _table_ = "ledger"
    id = PrimaryKey(int, auto=True)
    user = Required(User)
    amount = Required(Decimal, **MONEY)  # positive credits, negative charges
    kind = Required(str, 16)  # payment, purchase, refund, adjustment
    ref = Required(str, 64)
    comment = Optional(str, 256)
    created_at = Required(datetime)
    composite_key(kind, ref)
