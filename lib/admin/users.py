"""Finding a customer and reading their card: services, orders, balance history (no Telegram)."""
import re

from pony.orm import desc

from lib.admin.audit import last_entry
from lib.errors import UserError
from lib.models import LedgerEntry, Order, User, VpnPeer, VpsServer

_USERNAME = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{2,31})$")
SHOWN = 8  # rows per list on a card: a card must stay within one Telegram message


def find_user(query: str) -> int | None:
    """A user id from `123456789`, `@name` or `name`; None when nobody matches; UserError when malformed."""
    text = (query or "").strip()
    if re.fullmatch(r"[0-9]{1,18}", text):
        return int(text) if User.get(id=int(text)) else None
    match = _USERNAME.match(text)
    if not match:
        raise UserError("adm_bad_query")
    name = match.group(1).lower()
    user = User.select(lambda u: u.username is not None and u.username.lower() == name).first()
    return user.id if user else None


def user_card(user_id: int) -> dict | None:
    """Everything an admin needs on one screen about one user, newest first."""
    user = User.get(id=user_id)
    if user is None:
        return None
    ban = last_entry(f"user:{user.id}", "ban") if user.banned else None
    peers = VpnPeer.select(lambda p: p.user == user and p.status != "failed").order_by(desc(VpnPeer.id))
    servers = VpsServer.select(lambda s: s.user == user and s.status not in ("failed", "deleted")) \
        .order_by(desc(VpsServer.id))
    orders = Order.select(lambda o: o.user == user).order_by(desc(Order.id))
    ledger = LedgerEntry.select(lambda e: e.user == user).order_by(desc(LedgerEntry.id))
    return {
        "id": user.id, "username": user.username, "name": user.first_name, "language": user.language,
        "balance": user.balance, "banned": user.banned, "created_at": user.created_at,
        "ban_reason": (ban["after"] or {}).get("reason") if ban else None,
        "peers": [{"id": p.id, "status": p.status, "address": p.address, "expires_at": p.expires_at}
                  for p in peers[:SHOWN]],
        "servers": [{"id": s.id, "status": s.status, "ip": s.ip, "expires_at": s.expires_at}
                    for s in servers[:SHOWN]],
        "orders": [{"id": o.id, "product": o.product, "plan_id": o.plan_id, "amount": o.amount,
                    "provider": o.provider, "status": o.status, "created_at": o.created_at}
                   for o in orders[:SHOWN]],
        "ledger": [{"amount": e.amount, "kind": e.kind, "comment": e.comment, "created_at": e.created_at}
                   for e in ledger[:SHOWN]],
        "counts": {"peers": peers.count(), "servers": servers.count(), "orders": orders.count(),
                   "ledger": ledger.count()},
    }
