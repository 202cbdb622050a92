"""The admin panel: only ADMIN_IDS reach it, numbers match the books, every change is audited."""
import base64
import json
import os
from datetime import timedelta
from decimal import Decimal

from pony.orm import db_session

from lib import clock
from lib.models import AuditLog, LedgerEntry, Order, Payment, User, VpnPeer, VpsServer
from tests.support.invariants import check_invariants

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


ADMIN_CALLBACKS = ["adm", "adms", "admc", "admf", "admo", "admsrv", "admlog", "admx", "admb", f"admu:{USER}",
                   f"admban:{USER}", f"admunb:{USER}", f"admcr:{USER}", f"admdb:{USER}", "admext:vpn:1",
                   "admext:vps:1", "admord:1", "admrt:1", "admrf:1", "admrfy:1", "admrt:2"]


def test_a_customer_reaches_no_admin_action(make_shop, fake_wg):
    from lib.telegram.admin import orders, status, users
    ours = {"adm", "admx", *orders.ACTIONS, *status.ACTIONS, *users.ACTIONS}
    assert ours <= {data.split(":")[0] for data in ADMIN_CALLBACKS}, "a new admin action is untested"
    shop = admin_shop(make_shop, wg=fake_wg)
    peer_id, expires = make_peer(USER)
    make_order(USER, "fulfilled")
    make_order(USER, "paid")
    with db_session:
        User[USER].balance = Decimal("30")
        LedgerEntry(user=User[USER], amount=30, kind="adjustment", ref="seed", created_at=clock.now())
    shop.send(USER, "/admin", username="Ann_Smith")
    assert shop.last_text(USER).startswith("Hi, Ann!")
    for data in ADMIN_CALLBACKS:
        press(shop, USER, data)
    # Even a pending question forged into Redis is not answered for someone outside ADMIN_IDS.
    shop.redis.set(f"shop:admin:await:{USER}", json.dumps({"what": "credit", "target": USER}))
    shop.send(USER, "1000 free money", username="Ann_Smith")
    assert len(shop.telegram.callback_answers) == len(ADMIN_CALLBACKS)  # each press was handled
    assert all(text.startswith("Hi, Ann!") for text in shop.texts(USER)), shop.texts(USER)
    assert shop.telegram.photos(USER) == []
    with db_session:
        assert User[USER].balance == 30 and not User[USER].banned
        assert VpnPeer[peer_id].expires_at == expires
        assert [o.status for o in Order.select().order_by(Order.id)] == ["fulfilled", "paid"]
        assert AuditLog.select().count() == 0


def test_stats_match_the_books_and_the_chart_is_a_png(make_shop):
    shop = admin_shop(make_shop)  # USER registers now
    now = clock.now()
    with db_session:
        for uid, age in ((620002, timedelta(days=3)), (620003, timedelta(days=20)), (620004, timedelta(days=100))):
            User(id=uid, first_name="Old", created_at=now - age)
    make_order(USER, "fulfilled", 199, "cryptobot")
    make_order(620002, "fulfilled", 299, "cryptobot", ago=timedelta(days=2))
    make_order(620003, "fulfilled", 400, "yookassa", ago=timedelta(days=10))
    make_order(620004, "fulfilled", 100, "cryptobot", ago=timedelta(days=40))
    make_order(620002, "failed", 199, "cryptobot", ago=timedelta(days=1))
    make_order(620003, "pending")
    make_peer(USER)
    make_peer(620002, address="10.8.0.3")
    make_peer(620003, status="expired", expires_in=-timedelta(days=1), address="10.8.0.4")
    open_panel(shop)  # the admin registers now too
    shop.click(ADMIN, "Stats")
    text = shop.last_text(ADMIN)
    assert "Users: 5 (new today 2, 7 d 3, 30 d 4; banned 0)" in text
    assert "Active VPN peers: 2 (paused 0)" in text and "Live VPS servers: 0" in text
    assert "Failed provisions: 1 in 30 d, 1 in all" in text
    assert "waiting for payment: 1" in text
    last_30, all_time = text.split("Received, last 30 days")[1].split("Received, all time")
    assert "• cryptobot: 697 ₽ (3 payments)" in last_30 and "• yookassa: 400 ₽ (1 payments)" in last_30
    assert "• cryptobot: 797 ₽ (4 payments)" in all_time
    assert f"{now:%m-%d}: 199 ₽ · 1" in text
    shop.click(ADMIN, "Chart")
    photo = shop.telegram.photos(ADMIN)[-1]
    assert photo["data"].startswith(b"\x89PNG\r\n\x1a\n") and photo["width"] > 0
    assert "In total: 1097 ₽, 4 sales" in photo["caption"]


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


def test_orders_needing_attention_retry_and_refund(make_shop, fake_wg):
    shop = admin_shop(make_shop, wg=fake_wg)
    stuck = make_order(USER, "paid")
    failed = make_order(USER, "failed")
    pending = make_order(USER, "pending")
    open_panel(shop)
    shop.click(ADMIN, "Orders")
    text = shop.last_text(ADMIN)
    assert "Paid, not yet set up (1, oldest first)" in text and f"#{stuck} · user {USER}" in text
    assert "Waiting for payment (1" in text and "Failed (1" in text
    shop.click(ADMIN, f"Retry #{stuck}")
    assert f"🔁 Set-up of order #{stuck} is queued again." in shop.texts(ADMIN)
    with db_session:
        assert Order[stuck].status == "fulfilled" and Order[stuck].peer.status == "active"
    shop.click(ADMIN, "Admin panel")
    shop.click(ADMIN, "Orders")
    shop.click(ADMIN, f"🧾 #{failed}")
    shop.click(ADMIN, "Retry set-up")
    assert shop.last_text(ADMIN).startswith(f"Order #{failed} failed for good and its money is already back")
    press(shop, ADMIN, f"admrt:{pending}")
    assert shop.last_text(ADMIN).startswith(f"Order #{pending} is pending: only a paid order")
    open_card(shop)
    shop.click(ADMIN, f"🧾 #{stuck}")
    shop.click(ADMIN, "Refund to balance")
    assert "Refund order #1 (199 ₽" in shop.last_text(ADMIN)
    shop.click(ADMIN, "Yes, refund")
    with db_session:
        assert Order[stuck].status == "refunded" and User[USER].balance == 199 + 199
    assert [(r[1], r[2]) for r in audit_rows()] == [("retry", f"order:{stuck}"), ("refund", f"order:{stuck}")]
    press(shop, ADMIN, f"admrfy:{stuck}")  # a second refund is refused, not queued
    assert shop.last_text(ADMIN) == f"Order #{stuck} is refunded: there is nothing to refund."
    check_invariants()


def test_server_status_shows_the_node_the_pool_and_the_peers(make_shop, fake_proxmox, fake_wg):
    shop = admin_shop(make_shop, proxmox=fake_proxmox, wg=fake_wg)
    key = wg_key()
    peer_id, _ = make_peer(USER, key=key)
    with db_session:
        VpsServer(user=User[USER], plan_id="vps-start", node=fake_proxmox.node, name="shop-vps-9", vmid=109,
                  ip="203.0.113.11", prefix=24, live_ip="203.0.113.11", status="running",
                  expires_at=clock.now() + timedelta(days=5), created_at=clock.now())
    now = int((clock.now() - clock.from_epoch(0)).total_seconds())
    fake_wg.add_stranger(key, "10.8.0.9/32")
    fake_wg.set_traffic(key, now - 65, 3 * 2**20, 512)
    for i in range(1, 25):
        stranger = wg_key()
        fake_wg.add_stranger(stranger, f"10.8.0.{100 + i}/32")
        fake_wg.set_traffic(stranger, now - 3600 * i, 0, 0)
    open_panel(shop)
    shop.click(ADMIN, "Servers")
    text = shop.last_text(ADMIN)
    assert f"Proxmox node {fake_proxmox.node}: CPU 3% of 16, load 0.42 0.37 0.30" in text
    assert "Memory 12.0 GiB of 64.0 GiB" in text and "IP pool: 2 of 3 addresses free" in text
    assert f"WireGuard {fake_wg.interface}: 25 peers, 1 seen in the last 3 min" in text
    assert f"VPN #{peer_id} (user {USER}) · handshake 1 min ago · rx 3.0 MiB · tx 512 B" in text
    assert "…and 5 more" in text and "(not in the shop)" in text
    fake_proxmox.fail_next("node_status", status=500, message="node is on fire")
    shop.click(ADMIN, "Refresh")
    text = shop.last_text(ADMIN)
    assert f"⚠️ Proxmox node {fake_proxmox.node} is not reachable" in text and "IP pool: 2 of 3" in text


def test_parts_that_are_off_or_down_say_so(make_shop):
    shop = admin_shop(make_shop)  # no Proxmox; WG_COMMAND is `false`
    open_panel(shop)
    shop.click(ADMIN, "Servers")
    text = shop.last_text(ADMIN)
    assert "Proxmox: off (PROXMOX_HOST is not set, VPS sales are off)." in text
    assert "⚠️ WireGuard wgtest0 is not reachable: wg show on wgtest0 failed" in text


def test_pending_input_is_kept_in_redis_with_a_ttl_and_can_be_cancelled(make_shop):
    shop = admin_shop(make_shop)
    open_panel(shop, lang="ru")
    assert shop.last_text(ADMIN).startswith("🛠 Админ-панель")
    shop.click(ADMIN, "Найти пользователя")
    assert 0 < shop.redis.ttl(f"shop:admin:await:{ADMIN}") <= 900
    shop.click(ADMIN, "Отмена")
    assert shop.redis.get(f"shop:admin:await:{ADMIN}") is None
    shop.send(ADMIN, str(USER), language_code="ru")
    assert not shop.last_text(ADMIN).startswith("👤")  # no longer a search: the normal menu
    shop.click(ADMIN, "Найти пользователя")
    shop.send(ADMIN, "/start", language_code="ru")  # another command abandons the question
    shop.send(ADMIN, str(USER), language_code="ru")
    assert not shop.last_text(ADMIN).startswith("👤")
    shop.send(ADMIN, "/admin", language_code="ru")
    shop.click(ADMIN, "Журнал действий")
    assert "Журнал действий" in shop.last_text(ADMIN) and "— нет" in shop.last_text(ADMIN)


def test_forged_or_stale_admin_buttons_get_a_plain_answer(make_shop):
    shop = admin_shop(make_shop)
    open_panel(shop)
    for data in ("admu:abc", "admu:999", "admban:999", "admcr:0", "admext:xyz:1", "admext:vpn:zz", "admext:vpn:77",
                 "admord:999", "admrt:999", "admrf:999", "admrfy:abc", "admnope"):
        press(shop, ADMIN, data)
    shop.send(ADMIN, "ignored: no question is pending", first_name="Boss")
    texts = shop.texts(ADMIN)
    assert not any("Something went wrong" in text for text in texts), texts
    assert texts.count("There is no such user.") == 2 and texts.count("There is no such order.") == 3
    assert texts.count("Not found.") == 5 and texts.count("There is no such service.") == 1
    assert texts[-1].startswith("Hi, Boss!")  # no question was pending: the normal menu
    assert audit_rows() == []
