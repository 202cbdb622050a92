"""What customers hold: VPN peers and VPS servers, and the reminders sent about them."""
from datetime import datetime

from pony.orm import Optional, PrimaryKey, Required, Set, composite_index, composite_key

from lib.models.accounts import User
from lib.models.base import db
from lib.models.money import Order


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
