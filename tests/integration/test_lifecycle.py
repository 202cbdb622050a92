"""Reminders, expiry, grace deletion and renewal, with a clock the tests move (no sleeping)."""
import threading
from datetime import timedelta

from pony.orm import db_session

from lib import clock
from lib.models import Event, Reminder, VpnPeer, VpsServer
from tests.support.buying import VPS_USER, pay_vps
from tests.support.invariants import check_invariants
from tests.support.lifecycle import buy_vpn_in_the_bot, expiry_of, move_to, tick

USER = 740001


def test_reminders_go_out_once_at_each_offset_with_a_renew_button(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg, SANDBOX_PAYMENTS="true")
    buy_vpn_in_the_bot(shop, USER)
    expires = expiry_of(VpnPeer)
    move_to(expires - timedelta(days=3) + timedelta(minutes=1))
    tick(shop)
    tick(shop)
    reminders = [t for t in shop.texts(USER) if t.startswith("⏰")]
    assert len(reminders) == 1 and "in 3 d" in reminders[0]
    assert shop.telegram.find_button(USER, "Renew")["callback_data"] == "buy:1"
    move_to(expires - timedelta(days=1) + timedelta(minutes=1))
    threads = [threading.Thread(target=shop.cron_tick) for _ in range(2)]  # two ticks at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    shop.run_jobs()
    reminders = [t for t in shop.texts(USER) if t.startswith("⏰")]
    assert len(reminders) == 2 and "in 1 d" in reminders[1]
    from jobs import send_reminder
    assert send_reminder.run("vpn", 1) == "not due"  # a job run again sends nothing
    with db_session:
        assert Reminder.select().count() == 2
    check_invariants(lab=fake_wg)


def test_expiry_removes_the_peer_and_its_address_is_reused_only_after(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg, SANDBOX_PAYMENTS="true")
    buy_vpn_in_the_bot(shop, USER)
    move_to(expiry_of(VpnPeer) + timedelta(seconds=30))
    tick(shop)
    assert fake_wg.peers() == []
    with db_session:
        peer = VpnPeer[1]
        assert peer.status == "expired" and peer.live_address is None
        assert [e.name for e in Event.select() if e.name == "vpn.expired"] == ["vpn.expired"]
    assert any(t.startswith("⌛ Your VPN #1 has expired") for t in shop.texts(USER))
    buy_vpn_in_the_bot(shop, USER)  # a new customer purchase may take the freed address now
    with db_session:
        assert VpnPeer[2].address == "10.8.0.2"
    check_invariants(lab=fake_wg)


def test_renewing_twice_adds_two_periods(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg, SANDBOX_PAYMENTS="true")
    buy_vpn_in_the_bot(shop, USER)
    before = expiry_of(VpnPeer)
    for _ in range(2):
        shop.send(USER, "/start")
        shop.click(USER, "My VPN")
        shop.click(USER, "#1")
        shop.click(USER, "Renew")
        shop.click(USER, "1 month")
        shop.click(USER, "Sandbox")
        shop.click(USER, "Pay in sandbox")
    assert expiry_of(VpnPeer) - before == timedelta(days=60)
    check_invariants(lab=fake_wg)


def test_vps_is_suspended_at_expiry_and_deleted_after_the_grace(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox, VPS_GRACE="3d")
    pay_vps(shop)
    shop.run_jobs()
    with db_session:
        vmid = VpsServer[1].vmid
    move_to(expiry_of(VpsServer) + timedelta(minutes=1))
    tick(shop)
    assert fake_proxmox.vm(vmid)["status"] == "stopped"
    with db_session:
        assert VpsServer[1].status == "suspended" and VpsServer[1].live_ip == "203.0.113.10"
    assert any("is stopped. Renew it before" in t for t in shop.texts(VPS_USER))
    move_to(expiry_of(VpsServer) + timedelta(days=2))
    tick(shop)
    assert fake_proxmox.vm(vmid) is not None  # still within the grace
    move_to(expiry_of(VpsServer) + timedelta(days=3, minutes=1))
    ticks = [threading.Thread(target=shop.cron_tick) for _ in range(2)]
    for thread in ticks:
        thread.start()
    for thread in ticks:
        thread.join(30)
    shop.run_jobs()
    assert fake_proxmox.vms() == []
    with db_session:
        server = VpsServer[1]
        assert server.status == "deleted" and server.live_ip is None
        names = [e.name for e in Event.select() if e.name.startswith("vps.")]
        assert names.count("vps.suspended") == 1 and names.count("vps.expired") == 1
    assert sum("was deleted after the grace period" in t for t in shop.texts(VPS_USER)) == 1
    check_invariants(proxmox=fake_proxmox)


def test_renewing_a_suspended_vps_starts_it_again(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox, SANDBOX_PAYMENTS="true")
    pay_vps(shop)
    shop.run_jobs()
    move_to(expiry_of(VpsServer) + timedelta(hours=5))
    tick(shop)
    shop.click(VPS_USER, "Renew")
    shop.click(VPS_USER, "Start · 1 CPU")
    shop.click(VPS_USER, "Sandbox")
    shop.click(VPS_USER, "Pay in sandbox")
    with db_session:
        server = VpsServer[1]
        assert server.status == "running" and server.expires_at > clock.now() + timedelta(days=29)
        assert fake_proxmox.vm(server.vmid)["status"] == "running"
        assert [e.name for e in Event.select() if e.name == "vps.renewed"] == ["vps.renewed"]
    check_invariants(proxmox=fake_proxmox)
