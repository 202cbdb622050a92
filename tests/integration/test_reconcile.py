"""The reconciler: lost webhooks, a WireGuard interface that forgot its peers, and Proxmox drift."""
import json
from datetime import timedelta

import pytest
from pony.orm import db_session

from lib import clock
from lib.lifecycle.cron import RECONCILE_LOCK
from lib.lifecycle.reconcile.proxmox import ORPHAN_GRACE
from lib.lifecycle.reconcile.run import LAST, TOTALS, reconcile
from lib.models import DriftFinding, Order, VpnPeer, VpsServer
from lib.models.database import run_transaction
from lib.vpn.actions import set_paused
from lib.vpn.locations import backend, location_of
from lib.vpn.peers import reserve_peer, secrets_of
from tests.support import wgnet
from tests.support.buying import VPN_USER as USER
from tests.support.buying import VPS_USER, pay_by_crypto, pay_vps, pending_order

ADMIN = 42

lab = pytest.fixture(wgnet.wireguard_lab)


def reconcile_by_cron(shop) -> dict:
    """A cron tick that runs the reconciler now (the throttle forgotten), its jobs, and its summary."""
    shop.redis.delete(RECONCILE_LOCK)
    assert shop.cron_tick().get_json()["reconcile"] is True
    shop.run_jobs()
    return json.loads(shop.redis.get(LAST))


def order(order_id):
    with db_session:
        found = Order[order_id]
        return {"status": found.status, "closed_at": found.closed_at, "ref": found.provider_ref}


def admin_texts(shop):
    return shop.texts(ADMIN)


# ---- payments -------------------------------------------------------------------------------
def test_crypto_pay_invoices_whose_webhook_never_came_are_applied_or_expired(make_shop, lab):
    shop = make_shop(wg=lab)
    paid, abandoned, open_ = (pending_order(shop, "cryptobot").order_id for _ in range(3))
    shop.cryptopay.pay(order(paid)["ref"])  # the customer pays; the webhook is lost
    shop.cryptopay.expire(order(abandoned)["ref"])

    assert shop.cron_tick().get_json()["reconcile"] is True  # the first tick reconciles
    shop.run_jobs()

    assert order(paid)["status"] == "fulfilled"
    assert len(lab.peers()) == 1 and len(shop.telegram.documents(USER)) == 1
    assert order(abandoned)["status"] == "expired" and order(abandoned)["closed_at"] is not None
    assert order(open_)["status"] == "pending"
    summary = json.loads(shop.redis.get(LAST))
    assert summary["payments"] == {"checked": 3, "applied": 1, "expired": 1, "errors": 0}
    assert reconcile(shop.rt)["payments"]["applied"] == 0  # nothing is applied twice
    assert shop.redis.hget(TOTALS, "payments.applied") == b"1"


def test_one_get_invoices_call_for_the_whole_batch(shop):
    refs = [order(pending_order(shop, "cryptobot").order_id)["ref"] for _ in range(3)]
    assert reconcile(shop.rt)["payments"]["checked"] == 3
    assert [p["invoice_ids"] for p in shop.cryptopay.calls("getInvoices")] == [",".join(refs)]


def test_yookassa_payments_without_notification_are_applied_or_expired(make_shop, lab):
    shop = make_shop(wg=lab)
    paid, canceled = (pending_order(shop, "yookassa").order_id for _ in range(2))
    shop.yookassa.succeed(order(paid)["ref"])
    shop.yookassa.cancel(order(canceled)["ref"])

    summary = reconcile_by_cron(shop)

    assert summary["payments"] == {"checked": 2, "applied": 1, "expired": 1, "errors": 0}
    assert order(paid)["status"] == "fulfilled" and len(lab.peers()) == 1
    assert order(canceled)["status"] == "expired"


def test_a_provider_that_cannot_be_reached_is_skipped_and_the_others_still_run(make_shop):
    shop = make_shop()
    stuck = pending_order(shop, "cryptobot").order_id
    paid = pending_order(shop, "yookassa").order_id
    shop.yookassa.succeed(order(paid)["ref"])
    shop = make_shop(CRYPTOBOT_API_URL="http://127.0.0.1:9/api")  # the same shop; Crypto Pay is down

    summary = reconcile(shop.rt)

    assert summary["payments"] == {"checked": 1, "applied": 1, "expired": 0, "errors": 1}
    assert order(stuck)["status"] == "pending" and order(paid)["status"] == "paid"
    assert summary["wireguard"]["errors"] == 1  # WG_COMMAND is `false`: that part fails alone
    assert summary["proxmox"] == "off"


# ---- WireGuard ------------------------------------------------------------------------------
def _peers(shop):
    with db_session:
        return [(p.id, p.public_key, p.address, p.status) for p in VpnPeer.select().order_by(VpnPeer.id)]


def test_after_a_server_restart_every_live_peer_comes_back_and_strangers_go(make_shop, lab):
    shop = make_shop(wg=lab)
    for _ in range(3):
        pay_by_crypto(shop)
    shop.run_jobs()
    (a, key_a, _, _), (b, key_b, _, _), (c, key_c, address_c, _) = _peers(shop)
    config_a = shop.telegram.documents(USER)[0]["data"].decode()
    client = lab.connect_client(config_a)
    assert client.ping(lab.server_address, count=2, timeout_s=5)
    assert set_paused(shop.rt, USER, c, True)["status"] == "paused"
    shop.run_jobs()  # its sync job takes it off the server
    assert key_c not in {p.public_key for p in lab.peers()}

    lab.restart_server_empty()
    lab.wg("set", lab.interface, "peer", key_b, "allowed-ips", "10.8.0.77/32")  # wrong address
    lab.wg("set", lab.interface, "peer", key_c, "allowed-ips", f"{address_c}/32")  # paused, re-added by hand
    lab.wg("set", lab.interface, "peer", wgnet.pubkey(wgnet.genkey()), "allowed-ips", "10.8.0.99/32")  # a stranger

    summary = reconcile_by_cron(shop)

    assert summary["wireguard"] == {"live": 3, "added": 2, "removed": 2, "errors": 0}
    on_server = {p.public_key: p.allowed_ips for p in lab.peers()}
    wanted = {key: [f"{address}/32"] for _, key, address, status in _peers(shop) if status == "active"}
    assert on_server == wanted and set(wanted) == {key_a, key_b}
    client.apply()  # a fresh handshake now, instead of the client's ~15 s back-off
    assert client.ping(lab.server_address, count=3, timeout_s=5), "the restored peer does not connect"
    assert reconcile(shop.rt)["wireguard"] == {"live": 2, "added": 0, "removed": 0, "errors": 0}


def test_a_peer_being_provisioned_right_now_is_not_removed(make_shop, lab):
    shop = make_shop(wg=lab)
    order_id = pay_by_crypto(shop)  # paid; its fulfilment job has not run yet
    server = backend(shop.rt)
    peer_id = run_transaction(reserve_peer, shop.rt, order_id, location_of(shop.settings), server.server_identity(),
                              server.issue_key())
    with db_session:
        secrets = secrets_of(shop.rt, VpnPeer[peer_id])
    key = secrets.public_key
    server.add_key(secrets)  # the job got this far when the reconciler looked

    assert reconcile(shop.rt)["wireguard"]["removed"] == 0
    assert [p.public_key for p in lab.peers()] == [key]
    shop.run_jobs()
    with db_session:
        assert Order[order_id].status == "fulfilled" and VpnPeer[peer_id].status == "active"


# ---- Proxmox --------------------------------------------------------------------------------
@pytest.fixture
def vps_shop(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox, ADMIN_IDS=str(ADMIN), WG_ENDPOINT="")
    pay_vps(shop)
    shop.run_jobs()
    return shop


def _vm_names(fake_proxmox):
    return sorted(vm["name"] for vm in fake_proxmox.vms())


def test_an_orphan_vm_is_reported_once_and_destroyed_after_the_grace(vps_shop, fake_proxmox):
    shop = vps_shop
    fake_proxmox.add_vm(999, "shop-vps-999", status="running", tags="shop")
    fake_proxmox.add_vm(998, "web-1", tags="shop;prod")  # tagged by the shop, named otherwise
    fake_proxmox.add_vm(500, "customer-db", status="running")
    fake_proxmox.add_vm(777, "shop-vps-777", lock="clone")  # a clone still running

    summary = reconcile_by_cron(shop)
    assert summary["proxmox"]["orphans_reported"] == 2 and summary["proxmox"]["orphans_destroyed"] == 0
    alerts = [t for t in admin_texts(shop) if "no live server owns it" in t]
    assert len(alerts) == 2 and any("VM 999 (shop-vps-999)" in t for t in alerts)

    clock.advance(ORPHAN_GRACE - timedelta(minutes=5))
    assert reconcile_by_cron(shop)["proxmox"]["orphans_reported"] == 0
    assert len([t for t in admin_texts(shop) if "no live server owns it" in t]) == 2  # once only
    assert "shop-vps-999" in _vm_names(fake_proxmox)

    clock.advance(timedelta(minutes=10))
    assert reconcile_by_cron(shop)["proxmox"]["orphans_destroyed"] == 2
    assert _vm_names(fake_proxmox) == ["customer-db", "shop-vps-1", "shop-vps-777"]
    with db_session:
        assert DriftFinding.select().count() == 0
        assert VpsServer.select().first().status == "running"
    assert not fake_proxmox.calls_to("DELETE", "/qemu/500") and not fake_proxmox.calls_to("DELETE", "/qemu/777")


def test_an_orphan_that_a_server_claims_is_forgotten(vps_shop, fake_proxmox):
    shop = vps_shop
    fake_proxmox.add_vm(321, "shop-vps-321", tags="shop")
    reconcile(shop.rt)
    with db_session:
        assert DriftFinding.get(kind="orphan_vm", key="321") is not None
        VpsServer.select().first().vmid = 321  # e.g. a retried job recorded this id meanwhile
    clock.advance(ORPHAN_GRACE * 2)
    assert reconcile(shop.rt)["proxmox"]["orphans_destroyed"] == 0
    assert "shop-vps-321" in _vm_names(fake_proxmox)
    with db_session:
        assert DriftFinding.get(kind="orphan_vm", key="321") is None


def test_a_live_server_whose_vm_vanished_is_reported_once(vps_shop, fake_proxmox):
    shop = vps_shop
    with db_session:
        server = VpsServer.select().first()
        server_id, vmid = server.id, server.vmid
    vm = fake_proxmox.vm(vmid)
    fake_proxmox.lose_vm(vmid)  # an operator deleted it outside the shop

    assert reconcile_by_cron(shop)["proxmox"]["missing_reported"] == 1
    assert reconcile_by_cron(shop)["proxmox"]["missing_reported"] == 0
    alerts = [t for t in admin_texts(shop) if "is missing from node" in t]
    assert alerts == [f"⚠️ Server #{server_id} (customer {VPS_USER}, IP 203.0.113.10) is running in the shop, "
                      f"but its VM {vmid} is missing from node {fake_proxmox.node}."]
    assert _vm_names(fake_proxmox) == []  # reported, never "repaired" by making a new VM

    fake_proxmox.add_vm(vmid, vm["name"], status="running", tags="shop")
    summary = reconcile(shop.rt)["proxmox"]
    assert summary["missing"] == 0 and summary["orphans"] == 0
    with db_session:
        assert DriftFinding.select().count() == 0


def test_proxmox_unreachable_counts_an_error_and_changes_nothing(vps_shop, fake_proxmox):
    fake_proxmox.fail_next("list", times=1, message="pveproxy down")
    summary = reconcile(vps_shop.rt)
    assert summary["proxmox"]["errors"] == 1 and "pveproxy down" in summary["proxmox"]["error"]
    assert summary["payments"]["errors"] == 0
    with db_session:
        assert DriftFinding.select().count() == 0


# ---- throttle -------------------------------------------------------------------------------
def test_the_reconciler_runs_once_per_interval(shop):
    assert shop.cron_tick().get_json()["reconcile"] is True
    assert shop.cron_tick().get_json()["reconcile"] is False
    shop.run_jobs()
    assert json.loads(shop.redis.get(LAST))["payments"]["checked"] == 0


def test_a_run_still_going_makes_the_next_one_step_aside(shop):
    from jobs import reconcile as reconcile_job
    from lib.exclusive import exclusive
    with exclusive("reconcile", 30, redis=shop.redis) as held:
        assert held and reconcile_job.run() == {"busy": True}
    assert reconcile_job.run()["payments"]["errors"] == 0
