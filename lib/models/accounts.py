"""Customers and the admins' audit trail."""
from datetime import datetime
from decimal import Decimal

from pony.orm import Json, Optional, PrimaryKey, Required, Set, composite_index

from lib.models.base import MONEY, db


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
