"""Pony entities. Uniqueness that protects money and addresses lives here, in the database."""
from datetime import datetime
from decimal import Decimal

from pony.orm import Database, Json, Optional, PrimaryKey, Required, Set, composite_index, composite_key

db = Database()
MONEY = dict(precision=12, scale=2)


class User(db.Entity):
    _table_ = "users"
    id = PrimaryKey(int, size=64)  # the Telegram user id
    username = Optional(str, 64, nullable=True)
    first_name = Optional(str, 128)
    language = Required(str, 8, default="en")
    balance = Required(Decimal, default=Decimal("0"), **MONEY)
    banned = Required(bool, default=False)
    created_at = Required(datetime)
    orders = Set("Order")
    payments = Set("Payment")
    ledger = Set("LedgerEntry")
    peers = Set("VpnPeer")
    servers = Set("VpsServer")
    ssh_key = Optional(str, nullable=True)  # public key(s) put on the customer's new servers
    blocked_bot = Required(bool, default=False, sql_default="false")  # Telegram said 403: skip in broadcasts


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
    payments = Set("Payment")
    composite_index(status, paid_at)
    composite_index(status, created_at)


class Payment(db.Entity):
    _table_ = "payments"
    id = PrimaryKey(int, auto=True)
    provider = Required(str, 16)
    provider_payment_id = Required(str, 128)
    user = Required(User)
    order = Optional(Order)
    amount = Required(Decimal, **MONEY)  # credited to the balance, RUB
    paid_amount = Required(str, 32)  # what the provider says was paid, as text
    paid_currency = Required(str, 16)
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


class VpnPeer(db.Entity):
    _table_ = "vpn_peers"
    id = PrimaryKey(int, auto=True)
    user = Required(User)
    order = Optional(Order, reverse="peer")
    renewals = Set(Order, reverse="renew_peer")
    plan_id = Required(str, 32)
    interface = Required(str, 32)
    address = Required(str, 64)
    # Equal to address while the peer may be on the server, NULL once it is gone:
    # the unique key below then lets the address be reused, and never twice at once.
    live_address = Optional(str, 64, nullable=True)
    public_key = Required(str, 64, unique=True)
    private_key_enc = Required(str, 512)
    preshared_key_enc = Required(str, 512)
    server_public_key = Required(str, 64)  # read from the interface when the peer was made
    status = Required(str, 16, default="provisioning")  # provisioning, active, paused, expired
    expires_at = Required(datetime, index=True)
    remind_at = Optional(datetime, index=True)  # the next reminder is due then; NULL: none left
    created_at = Required(datetime)
    composite_key(interface, live_address)
    composite_index(status, expires_at)


class Event(db.Entity):
    """Outbox: business events written with the change they report, delivered by a job."""
    _table_ = "events"
    id = PrimaryKey(str, 36)  # the stable event_id
    name = Required(str, 32)
    occurred_at = Required(datetime)
    data = Required(Json)
    delivered_at = Optional(datetime, index=True)
    attempts = Required(int, default=0)
    next_attempt_at = Required(datetime)
    last_error = Optional(str, 500, nullable=True)


class ProcessedUpdate(db.Entity):
    """Incoming updates already handled, so a repeat is dropped (kept for a limited time)."""
    _table_ = "processed_updates"
    source = Required(str, 16)
    key = Required(str, 64)
    seen_at = Required(datetime, index=True)
    PrimaryKey(source, key)


class VpsServer(db.Entity):
    """A VM cloned for an order. vmid and name are written before the clone, so a retry finds it."""
    _table_ = "vps_servers"
    id = PrimaryKey(int, auto=True)
    user = Required(User)
    order = Optional(Order, reverse="server")
    renewals = Set(Order, reverse="renew_server")
    plan_id = Required(str, 32)
    node = Required(str, 64)
    name = Required(str, 64, unique=True)
    vmid = Optional(int, unique=True, nullable=True)  # NULL until chosen, and again once destroyed
    ip = Required(str, 64)
    prefix = Required(int)
    # Equal to ip while the address is held, NULL once it is back in the pool: unique, so two
    # servers can never hold one address, yet a released address can be used again.
    live_ip = Optional(str, 64, unique=True, nullable=True)
    password_enc = Optional(str, 512, nullable=True)
    status = Required(str, 16, default="reserved", index=True)
    step = Optional(str, 16, nullable=True)  # provisioning progress shown to the customer
    progress_message_id = Optional(int, size=64, nullable=True)
    expires_at = Required(datetime, index=True)
    remind_at = Optional(datetime, index=True)
    status_checked_at = Optional(datetime)
    created_at = Required(datetime)
    composite_index(status, expires_at)


class Reminder(db.Entity):
    """A sent expiry reminder: one per subscription, expiry moment and offset, ever."""
    _table_ = "reminders"
    id = PrimaryKey(int, auto=True)
    kind = Required(str, 8)  # vpn or vps
    target_id = Required(int)
    offset_seconds = Required(int)
    expires_at = Required(datetime)
    sent_at = Required(datetime)
    composite_key(kind, target_id, offset_seconds, expires_at)


class DriftFinding(db.Entity):
    """Something the reconciler found out of line (an orphan VM, a server missing on the node)."""
    _table_ = "drift_findings"
    kind = Required(str, 24)
    key = Required(str, 64)
    first_seen = Required(datetime)
    reported_at = Optional(datetime)
    PrimaryKey(kind, key)


class AuditLog(db.Entity):
    """Who did what in the admin panel, to what, when, with the state before and after."""
    _table_ = "audit_log"
    id = PrimaryKey(int, auto=True)
    admin_id = Required(int, size=64)
    action = Required(str, 32)
    target = Required(str, 64)  # user:42, vpn:3, vps:7, order:12
    before = Optional(Json, nullable=True)
    after = Optional(Json, nullable=True)
    at = Required(datetime, index=True)
    composite_index(target, at)


class Broadcast(db.Entity):
    """A message an admin sends to a segment of users; counters are refreshed from its deliveries."""
    _table_ = "broadcasts"
    id = PrimaryKey(int, auto=True)
    admin_id = Required(int, size=64)
    text = Required(str)  # Telegram HTML, exactly as previewed
    button_text = Optional(str, 64, nullable=True)
    button_url = Optional(str, 1024, nullable=True)
    segment = Required(str, 16)  # all, active, expired, never_paid
    status = Required(str, 16, default="draft", index=True)  # draft, sending, cancelled, done
    total = Required(int, default=0)
    sent = Required(int, default=0)
    failed = Required(int, default=0)
    blocked = Required(int, default=0)
    progress_message_id = Optional(int, size=64, nullable=True)
    created_at = Required(datetime)
    started_at = Optional(datetime)
    finished_at = Optional(datetime)
    deliveries = Set("BroadcastDelivery")


class BroadcastDelivery(db.Entity):
    """One recipient of a broadcast, claimed before the send: the key makes a second send impossible."""
    _table_ = "broadcast_deliveries"
    broadcast = Required(Broadcast)
    user_id = Required(int, size=64)
    status = Required(str, 16, default="sending")  # sending, sent, blocked, failed
    error = Optional(str, 200, nullable=True)
    sent_at = Optional(datetime)
    PrimaryKey(broadcast, user_id)
