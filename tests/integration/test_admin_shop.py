"""The admin and the whole shop: stats that match the books, the chart, orders needing attention, server status."""
from datetime import timedelta

from pony.orm import db_session

from lib import clock
from lib.models import Order, User, VpsServer
from tests.support.admin import (
    ADMIN,
    USER,
    admin_shop,
    audit_rows,
    make_order,
    make_peer,
    open_card,
    open_panel,
    press,
    wg_key,
)
from tests.support.invariants import check_invariants


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
