"""The reconciler and Proxmox drift: orphan VMs reported once and destroyed after the grace, a server whose VM vanished
reported once, Proxmox down changes nothing."""
from datetime import timedelta

import pytest
from pony.orm import db_session

from lib import clock
from lib.lifecycle.reconcile.proxmox import ORPHAN_GRACE
from lib.lifecycle.reconcile.run import reconcile
from lib.models import DriftFinding, VpsServer
from tests.support.buying import VPS_USER, pay_vps
from tests.support.reconcile import ADMIN, admin_texts, reconcile_by_cron


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
