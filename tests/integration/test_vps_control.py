"""Running a server: power buttons, reinstall with confirmation, password, ownership — bot and mini app."""
from pony.orm import db_session

from lib.models import VpsServer
from tests.support.buying import VPS_USER as USER
from tests.support.buying import bought_server, rsa_public_key
from tests.support.initdata import auth

OTHER = 730002


def api(shop, method, path, user_id=USER, **kw):
    return getattr(shop.client, method)(f"/miniapp_api/api/{path}", headers=auth(shop.settings.bot_token, user_id),
                                        **kw)


def open_card(shop):
    shop.send(USER, "/start")
    shop.click(USER, "My servers")
    shop.click(USER, "203.0.113.10")


def test_stop_start_reboot_from_the_bot(make_shop, fake_proxmox):
    shop, server_id, vmid = bought_server(make_shop, fake_proxmox)
    open_card(shop)
    card = shop.last_text(USER)
    assert "running" in card and "203.0.113.10" in card and "1 CPU, 1 GB RAM, 20 GB disk" in card
    shop.click(USER, "Stop")
    assert fake_proxmox.vm(vmid)["status"] == "stopped"
    assert shop.last_text(USER) == f"⏹ Server #{server_id} is stopped."
    open_card(shop)
    assert "stopped" in shop.last_text(USER)
    shop.click(USER, "Start")
    assert fake_proxmox.vm(vmid)["status"] == "running"
    open_card(shop)
    shop.click(USER, "Reboot")
    assert fake_proxmox.calls_to("POST", "/status/reboot")


def test_a_guest_that_ignores_shutdown_is_stopped_hard(make_shop, fake_proxmox):
    shop, server_id, vmid = bought_server(make_shop, fake_proxmox)
    fake_proxmox.shutdown_works = False
    assert api(shop, "post", f"vps/{server_id}/stop").status_code == 202
    shop.run_jobs()
    assert fake_proxmox.calls_to("POST", "/status/shutdown") and fake_proxmox.calls_to("POST", "/status/stop")
    assert fake_proxmox.vm(vmid)["status"] == "stopped"
    with db_session:
        assert VpsServer[server_id].status == "stopped"


def test_reinstall_needs_confirmation_keeps_the_ip_and_changes_the_password(make_shop, fake_proxmox):
    shop, server_id, vmid = bought_server(make_shop, fake_proxmox)
    old_password = api(shop, "get", f"vps/{server_id}/password").get_json()["password"]
    assert api(shop, "post", f"vps/{server_id}/reinstall", json={}).status_code == 400
    shop.send(USER, "/start")
    shop.click(USER, "My servers")
    shop.click(USER, "203.0.113.10")
    shop.click(USER, "Reinstall")
    assert "cannot be undone" in shop.last_text(USER)
    assert len(fake_proxmox.calls_to("POST", "/clone")) == 1  # nothing happened before the confirmation
    shop.click(USER, "Yes, wipe and reinstall")
    new = api(shop, "get", f"vps/{server_id}/password").get_json()
    assert new["password"] != old_password and new["ip"] == "203.0.113.10"
    assert len(fake_proxmox.calls_to("POST", "/clone")) == 2 and len(fake_proxmox.vms()) == 1
    vm = fake_proxmox.vm(vmid)
    assert vm["status"] == "running" and vm["config"]["cipassword"] == new["password"]
    assert vm["config"]["ipconfig0"].startswith("ip=203.0.113.10/")
    assert new["password"] in shop.last_text(USER) and "reinstalled" in shop.last_text(USER)


def test_show_password_again_only_to_the_owner(make_shop, fake_proxmox):
    shop, server_id, _ = bought_server(make_shop, fake_proxmox)
    shop.send(USER, "/start")
    shop.click(USER, "My servers")
    shop.click(USER, "203.0.113.10")
    shop.click(USER, "Password")
    with db_session:
        password = shop.rt.box.open(VpsServer[server_id].password_enc)
    assert password in shop.last_text(USER)
    shop.send(OTHER, "/start")
    menu = shop.telegram.last_message(OTHER)
    for data in (f"sv:{server_id}", f"pwd:{server_id}", f"pw:{server_id}:stop", f"reinok:{server_id}"):
        shop.press(OTHER, data, menu)
    assert all(password not in text for text in shop.texts(OTHER))
    assert shop.texts(OTHER).count("Not found. It may belong to another account or be gone.") == 4
    assert fake_proxmox.vms()[0]["status"] == "running"


def test_another_users_server_is_404_in_the_mini_app(make_shop, fake_proxmox):
    shop, server_id, _ = bought_server(make_shop, fake_proxmox)
    for method, path in (("get", f"vps/{server_id}/password"), ("post", f"vps/{server_id}/stop"),
                         ("post", f"vps/{server_id}/refresh")):
        assert api(shop, method, path, user_id=OTHER).status_code == 404
    assert api(shop, "post", f"vps/{server_id}/reinstall", user_id=OTHER, json={"confirm": True}).status_code == 404
    renew = {"product": "vps", "plan": "vps-start", "provider": "cryptobot", "renew": server_id}
    assert api(shop, "post", "orders", user_id=OTHER, json=renew).status_code == 404


def test_mini_app_lists_servers_and_buys_and_renews_vps(make_shop, fake_proxmox):
    shop, server_id, _ = bought_server(make_shop, fake_proxmox, SANDBOX_PAYMENTS="true")
    me = api(shop, "get", "me").get_json()
    assert me["vps"][0]["ip"] == "203.0.113.10" and me["vps"][0]["status"] == "running"
    assert me["vps"][0]["cores"] == 1 and me["vps"][0]["disk_gb"] == 20
    assert [p["id"] for p in api(shop, "get", "plans").get_json()["vps"]] == ["vps-start", "vps-pro"]
    before = me["vps"][0]["expires_at"]
    renew = api(shop, "post", "orders", json={"product": "vps", "plan": "vps-start", "provider": "sandbox",
                                               "renew": server_id}).get_json()
    api(shop, "post", f"orders/{renew['order_id']}/sandbox_pay")
    shop.run_jobs()
    after = api(shop, "get", "me").get_json()["vps"][0]["expires_at"]
    assert after > before and len(fake_proxmox.vms()) == 1
    assert api(shop, "post", "ssh_key", json={"ssh_key": "not a key"}).status_code == 400
    assert api(shop, "post", "ssh_key", json={"ssh_key": "ssh-rsa AAAAB3NzaC1yc2E= me"}).status_code == 400  # cut short
    key = rsa_public_key()
    assert api(shop, "post", "ssh_key", json={"ssh_key": key}).get_json() == {"ssh_key": key}


def test_vps_sales_off_without_proxmox(shop):
    refused = api(shop, "post", "orders", json={"product": "vps", "plan": "vps-start", "provider": "cryptobot"})
    assert refused.status_code == 409 and refused.get_json()["error"] == "product_off"
    assert api(shop, "get", "plans").get_json()["vps"] == []


def test_a_second_action_while_one_is_queued_is_refused_in_the_user_language(make_shop, fake_proxmox):
    shop, server_id, _ = bought_server(make_shop, fake_proxmox)
    assert api(shop, "post", f"vps/{server_id}/stop").get_json()["server"]["pending"] == "stop"
    second = api(shop, "post", f"vps/{server_id}/reboot")
    assert second.status_code == 409 and second.get_json()["error"] == "vps_busy_now"
    shop.run_jobs()
    assert api(shop, "get", "me").get_json()["vps"][0]["pending"] is None
    assert api(shop, "post", f"vps/{server_id}/start").status_code == 202


def test_renewal_keeps_the_server_size(make_shop, fake_proxmox):
    shop, server_id, _ = bought_server(make_shop, fake_proxmox)
    bigger = {"product": "vps", "plan": "vps-pro", "provider": "cryptobot", "renew": server_id}
    refused = api(shop, "post", "orders", json=bigger)
    assert refused.status_code == 409 and refused.get_json()["error"] == "plan_mismatch"
    open_card(shop)
    shop.click(USER, "Renew")
    labels = [b["text"] for b in shop.telegram.buttons(shop.telegram.last_message(USER))]
    assert any(label.startswith("Start") for label in labels) and not any(label.startswith("Pro") for label in labels)
