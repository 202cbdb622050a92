"""The VPS sale on the fake Proxmox: paid order → one running VM, with progress, and clean failure."""
import threading

import pytest
from pony.orm import count, db_session, select

from jobs import fulfil_order
from lib.models import Event, Order, User, VpsServer
from tests.support.buying import SSH_KEY, buy_vps_in_the_bot, pay_vps
from tests.support.buying import VPS_USER as USER


def test_a_paid_order_becomes_one_running_vm_and_the_customer_gets_the_ip(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox)
    shop.send(USER, SSH_KEY)
    assert shop.last_text(USER).startswith("✅ SSH key saved")
    buy_vps_in_the_bot(shop)
    body, headers = shop.cryptopay.pay(shop.cryptopay.invoices[-1]["invoice_id"])
    assert shop.cryptopay_webhook(body, headers).status_code == 200
    shop.run_jobs()

    vms = fake_proxmox.vms()
    assert len(vms) == 1
    vm = fake_proxmox.vm(vms[0]["vmid"])
    config = vm["config"]
    assert vm["status"] == "running" and vm["name"] == "shop-vps-1"
    assert (config["cores"], config["memory"]) in ((1, 1024), ("1", "1024"))
    assert "size=20G" in config["scsi0"]
    assert config["ipconfig0"] == "ip=203.0.113.10/24,gw=203.0.113.1"
    assert config["sshkeys"].strip() == SSH_KEY and config["ciuser"] == "root"
    with db_session:
        server = VpsServer.select().first()
        assert server.status == "running" and server.vmid == vm["vmid"] and server.live_ip == "203.0.113.10"
        password = shop.rt.box.open(server.password_enc)
        assert config["cipassword"] == password and password not in server.password_enc
        assert Order[server.order.id].status == "fulfilled"
        assert [e.data["ip"] for e in Event.select() if e.name == "vps.created"] == ["203.0.113.10"]
    ready = shop.last_text(USER)
    assert "Server #1 is ready" in ready and "203.0.113.10" in ready and password in ready


def test_progress_is_one_message_edited_through_the_steps(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox)
    pay_vps(shop)
    shop.run_jobs()
    with db_session:
        message_id = VpsServer.select().first().progress_message_id
    versions = [m["text"] for m in shop.telegram.messages(USER) if m["message_id"] == message_id]
    steps = ["⏳ Copying the system", "⏳ Configuring", "⏳ Starting", "is ready"]
    positions = [next(i for i, text in enumerate(versions) if step in text) for step in steps]
    assert positions == sorted(positions), versions
    assert "✅ Address reserved: 203.0.113.10" in versions[0]


def test_more_paid_orders_than_addresses_never_share_one(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox, pool="203.0.113.10-203.0.113.11", ADMIN_IDS="1")
    orders = [pay_vps(shop) for _ in range(4)]
    threads = [threading.Thread(target=fulfil_order.run, args=(order_id,)) for order_id in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    shop.run_jobs()
    with db_session:
        statuses = sorted(Order[o].status for o in orders)
        assert statuses == ["failed", "failed", "fulfilled", "fulfilled"]
        live = select(s.live_ip for s in VpsServer if s.live_ip is not None)[:]
        assert sorted(live) == ["203.0.113.10", "203.0.113.11"]
        assert User[USER].balance == 800  # both failed orders paid back
    assert sorted(vm["name"] for vm in fake_proxmox.vms()) == sorted(
        f"shop-vps-{o}" for o in orders if _status(o) == "fulfilled")


def _status(order_id):
    with db_session:
        return Order[order_id].status


@pytest.mark.parametrize("action", ["clone", "config", "resize", "start"])
def test_a_step_failing_once_is_retried_without_a_second_vm(make_shop, fake_proxmox, action):
    shop = make_shop(proxmox=fake_proxmox)
    fake_proxmox.fail_next(action, times=1, status=500, message="proxmox hiccup")
    order_id = pay_vps(shop)
    shop.run_jobs()
    assert _status(order_id) == "fulfilled"
    assert len(fake_proxmox.vms()) == 1
    assert len(fake_proxmox.calls_to("POST", "/clone")) == 1 + (action == "clone")


@pytest.mark.parametrize("action", ["clone", "config", "resize", "start"])
def test_a_step_failing_for_good_leaves_nothing_behind(make_shop, fake_proxmox, action):
    shop = make_shop(proxmox=fake_proxmox, ADMIN_IDS="42")
    fake_proxmox.fail_next(action, times=100, status=500, message="proxmox is broken")
    order_id = pay_vps(shop)
    shop.run_jobs()
    assert _status(order_id) == "failed"
    assert fake_proxmox.vms() == [], "no half-made VM may survive a failed order"
    with db_session:
        server = VpsServer.select().first()
        assert server.status == "failed" and server.live_ip is None and server.vmid is None
        assert User[USER].balance == 400
        assert [e.name for e in Event.select() if e.name == "provisioning.failed"] == ["provisioning.failed"]
    assert any("went back to your balance" in t for t in shop.texts(USER))
    assert shop.last_text(42).startswith(f"⚠️ Order #{order_id} (vps, 400 ₽")


def test_a_failed_clone_task_is_cleaned_up_too(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox)
    fake_proxmox.fail_task("clone", times=100, exitstatus="clone failed: storage full")
    order_id = pay_vps(shop)
    shop.run_jobs()
    assert _status(order_id) == "failed" and fake_proxmox.vms() == []


def test_the_job_run_twice_or_twice_at_once_makes_one_vm(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox)
    fake_proxmox.set_durations(clone=1.0)
    order_id = pay_vps(shop)
    results = []
    threads = [threading.Thread(target=lambda: results.append(fulfil_order.run(order_id))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == ["busy", "created"]
    assert fulfil_order.run(order_id) == "nothing to do"
    shop.run_jobs()  # the copy queued by the webhook finds the order fulfilled
    assert len(fake_proxmox.vms()) == 1 and len(fake_proxmox.calls_to("POST", "/clone")) == 1
    with db_session:
        assert count(s for s in VpsServer) == 1


def test_proxmox_unreachable_at_cleanup_holds_the_address_until_cron_finishes(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox)
    fake_proxmox.fail_next("start", times=100, message="start broken")
    fake_proxmox.fail_next("destroy", times=1, message="destroy broken once")
    order_id = pay_vps(shop)
    shop.run_jobs()
    with db_session:
        assert Order[order_id].status == "failed"
        server = VpsServer.select().first()
        assert server.status == "removing" and server.live_ip == "203.0.113.10"  # not handed out again yet
    assert shop.cron_tick().get_json()["servers_to_remove"] == 1
    shop.run_jobs()
    assert fake_proxmox.vms() == []
    with db_session:
        assert VpsServer.select().first().live_ip is None
