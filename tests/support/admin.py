"""Driving the admin panel in tests: an admin and a customer, the panel opened, rows made as the shop makes them."""
import base64
import os
from datetime import timedelta

from pony.orm import db_session

from lib import clock
from lib.models import AuditLog, LedgerEntry, Order, Payment, User, VpnPeer

ADMIN, USER = 111, 620001


def wg_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def admin_shop(make_shop, **env):
    env.setdefault("ADMIN_IDS", str(ADMIN))
    shop = make_shop(**env)
    shop.send(USER, "/start", username="Ann_Smith")
    return shop


def open_panel(shop, lang="en"):
    shop.send(ADMIN, "/admin", language_code=lang, first_name="Boss")


def press(shop, user_id, data):
    """Post a hand-made callback with `data`, as a forged or stale button would."""
    shop.press(user_id, data)


def open_card(shop, query=str(USER)):
    open_panel(shop)
    shop.click(ADMIN, "Find user")
    shop.send(ADMIN, query, first_name="Boss")


def answer(shop, text):
    shop.send(ADMIN, text, first_name="Boss")
    return shop.last_text(ADMIN)


def make_peer(user_id, status="active", expires_in=timedelta(days=10), key=None, address="10.8.0.2"):
    with db_session:
        now = clock.now()
        peer = VpnPeer(user=User[user_id], plan_id="vpn-1m", interface="wgtest0", address=address,
                       live_address=address if status != "expired" else None, public_key=key or wg_key(),
                       private_key_enc="x", preshared_key_enc="x", server_public_key=wg_key(), status=status,
                       expires_at=now + expires_in, created_at=now)
        peer.flush()
        return peer.id, peer.expires_at


def make_order(user_id, status, amount=199, provider="cryptobot", ago=timedelta(0), payment_id=None):
    """An order as the payment flows leave it: a paid one has its payment and purchase in the ledger."""
    with db_session:
        user, moment = User[user_id], clock.now() - ago
        paid = status not in ("pending", "expired")
        order = Order(user=user, product="vpn", plan_id="vpn-1m", provider=provider, amount=amount, status=status,
                      created_at=moment, paid_at=moment if paid else None)
        order.flush()
        if paid:
            Payment(provider=provider, provider_payment_id=payment_id or f"p{order.id}", user=user, order=order,
                    amount=amount, paid_amount=str(amount), paid_currency="RUB", created_at=moment)
            LedgerEntry(user=user, amount=amount, kind="payment", ref=f"{provider}:{order.id}", created_at=moment)
            LedgerEntry(user=user, amount=-amount, kind="purchase", ref=f"order:{order.id}", created_at=moment)
        if status == "failed":
            user.balance += amount
            LedgerEntry(user=user, amount=amount, kind="refund", ref=f"order:{order.id}", created_at=moment)
        return order.id


def audit_rows():
    with db_session:
        return [(a.admin_id, a.action, a.target, a.before, a.after) for a in AuditLog.select().order_by(AuditLog.id)]
