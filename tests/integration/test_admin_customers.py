"""The admin and one customer: search, card, ban, extend, credit and debit, each audited with before and after."""
from datetime import timedelta
from decimal import Decimal

from pony.orm import db_session

from lib import clock
from lib.models import AuditLog, LedgerEntry, User, VpnPeer, VpsServer
from tests.support.admin import ADMIN, USER, admin_shop, answer, audit_rows, make_order, make_peer, open_card, press
from tests.support.invariants import check_invariants


def test_search_by_id_and_username_opens_the_card(make_shop):
    shop = admin_shop(make_shop)
    make_order(USER, "fulfilled")
    open_card(shop, "@ann_smith")
    card = shop.last_text(ADMIN)
    assert card.startswith(f"👤 User {USER} @Ann_Smith · Ann") and "Order" in card and "#1 ·" in card
    assert "purchase" in card and "payment" in card
    shop.click(ADMIN, "Admin panel")
    shop.click(ADMIN, "Find user")
    assert answer(shop, "no such!") == "That is neither a Telegram id (digits) nor a @username. Try again."
    assert answer(shop, "424242") == "Nobody found for “424242”. Send another id or @username."
    assert answer(shop, str(USER)).startswith(f"👤 User {USER}")
    assert audit_rows() == []  # looking is not a change


def test_ban_with_a_reason_then_unban(make_shop):
    shop = admin_shop(make_shop)
    open_card(shop)
    shop.click(ADMIN, "Ban")
    assert answer(shop, "x" * 201).startswith("That is too long")
    assert answer(shop, "spam & fraud") == f"🚫 User {USER} is banned. Reason: spam & fraud"
    assert shop.last_text(USER) == "Access to this shop is blocked for your account.\nReason: spam & fraud"
    before = len(shop.texts(USER))
    shop.send(USER, "/start", username="Ann_Smith")
    press(shop, USER, "my")
    after_ban = shop.texts(USER)[before:]
    assert after_ban and set(after_ban) == {"Access to this shop is blocked for your account."}, after_ban
    shop.click(ADMIN, "User card")
    assert "banned — spam & fraud" in shop.last_text(ADMIN)
    shop.click(ADMIN, "Unban")
    assert answer(shop, "appeal accepted") == f"✅ User {USER} is allowed again. Reason: appeal accepted"
    shop.send(USER, "/start", username="Ann_Smith")
    assert shop.last_text(USER).startswith("Hi, Ann!")
    assert audit_rows() == [
        (ADMIN, "ban", f"user:{USER}", {"banned": False}, {"banned": True, "reason": "spam & fraud"}),
        (ADMIN, "unban", f"user:{USER}", {"banned": True}, {"banned": False, "reason": "appeal accepted"})]
    open_card(shop, str(ADMIN))  # an admin cannot lock themselves out
    shop.click(ADMIN, "Ban")
    assert answer(shop, "oops") == "An admin cannot be banned (remove them from ADMIN_IDS first)."
    with db_session:
        assert not User[ADMIN].banned and len(AuditLog.select()[:]) == 2


def test_extend_a_vpn_peer_and_a_server_by_days(make_shop):
    shop = admin_shop(make_shop)
    peer_id, expires = make_peer(USER)
    expired_id, expired_at = make_peer(USER, status="expired", expires_in=-timedelta(days=2), address="10.8.0.3")
    with db_session:
        server = VpsServer(user=User[USER], plan_id="vps-start", node="pve", name="shop-vps-1", vmid=101,
                           ip="203.0.113.10", prefix=24, live_ip="203.0.113.10", status="suspended",
                           expires_at=clock.now() - timedelta(days=1), created_at=clock.now())
        server.flush()
        server_id, server_expiry = server.id, server.expires_at
    open_card(shop)
    shop.click(ADMIN, f"Extend VPN #{peer_id}")
    for bad in ("seven", "0", "3651", "99999999999999999999", "7.5", "-3"):
        assert answer(shop, bad) == "Send the number of days as digits, from 1 to 3650.", bad
    assert answer(shop, "7").startswith(f"⏳ VPN #{peer_id} extended by 7 d")
    shop.click(ADMIN, "User card")
    shop.click(ADMIN, f"Extend VPN #{expired_id}")
    assert "(status: expired)" in answer(shop, "30")
    shop.click(ADMIN, "User card")
    shop.click(ADMIN, f"Extend VPS #{server_id}")
    assert "(status: suspended)" in answer(shop, "3650")
    with db_session:
        peer = VpnPeer[peer_id]
        assert peer.expires_at == expires + timedelta(days=7)
        assert peer.remind_at == peer.expires_at - timedelta(days=3)
        assert VpnPeer[expired_id].expires_at == expired_at + timedelta(days=30)
        assert VpsServer[server_id].expires_at == server_expiry + timedelta(days=3650)
    first = audit_rows()[0]
    assert first == (ADMIN, "extend", f"vpn:{peer_id}", {"expires_at": clock.iso(expires)},
                     {"expires_at": clock.iso(expires + timedelta(days=7)), "days": 7})
    assert [row[2] for row in audit_rows()] == [f"vpn:{peer_id}", f"vpn:{expired_id}", f"vps:{server_id}"]


def test_credit_and_debit_keep_the_ledger_balanced_and_never_below_zero(make_shop):
    shop = admin_shop(make_shop)
    open_card(shop)
    shop.click(ADMIN, "Credit balance")
    for bad in ("abc", "100", "-5 minus", "1e5 exp", "10000001 too much", "1.234 cents", "0 nothing"):
        assert answer(shop, bad).startswith("Send the amount and a comment"), bad
    assert answer(shop, "100 compensation for downtime") == \
        f"💰 Balance of user {USER} changed by +100 ₽, now 100 ₽."
    shop.click(ADMIN, "User card")
    shop.click(ADMIN, "Debit balance")
    assert answer(shop, "50,5 duplicate credit") == f"💰 Balance of user {USER} changed by −50.50 ₽, now 49.50 ₽."
    shop.click(ADMIN, "User card")
    assert "Balance: 49.50 ₽" in shop.last_text(ADMIN) and "duplicate credit" in shop.last_text(ADMIN)
    shop.click(ADMIN, "Debit balance")
    assert answer(shop, "80 too much") == "Refused: the balance is 49.50 ₽, a debit may not take it below zero."
    with db_session:
        assert User[USER].balance == Decimal("49.50")
        entries = LedgerEntry.select(lambda e: e.kind == "adjustment").order_by(LedgerEntry.id)[:]
        assert [(e.amount, e.comment) for e in entries] == [(100, "compensation for downtime"),
                                                           (Decimal("-50.50"), "duplicate credit")]
    rows = audit_rows()
    assert [(r[1], r[3], r[4]["balance"]) for r in rows] == [("credit", {"balance": "0.00"}, "100.00"),
                                                             ("debit", {"balance": "100.00"}, "49.50")]
    assert [e.ref for e in entries] == [f"admin:{n}" for n in (1, 2)]
    check_invariants()
