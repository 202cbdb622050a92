"""Each server action once through the bot (Ann) and once through the mini app (Bob), on the fake Proxmox:
same outcome, and the same refusal by the same rule. (Keys and money: test_both_doors_vpn.py.)"""
from datetime import timedelta

import pytest
from pony.orm import db_session

from lib.models import User, VpsServer
from tests.support.buying import rsa_public_key
from tests.support.doors import (
    ANN,
    BOB,
    alike,
    app_refuses,
    bot_refuses,
    call,
    database,
    events_of,
    money_of,
    nothing_changes,
    password_in,
    tap,
    text,
)
from tests.support.invariants import check_invariants

POOL = "203.0.113.10-203.0.113.12/24"
RUNNING = {"plan": "vps-start", "status": "running", "vm": "running", "size": ("1", "1024"), "ip_on_vm": True,
           "password_on_vm": True, "days": 30}


@pytest.fixture
def vps_shop(make_shop, fake_proxmox):
    return make_shop(proxmox=fake_proxmox, pool=POOL, SANDBOX_PAYMENTS="true")


def bot_buys(shop):
    shop.send(ANN, "/start")
    shop.click(ANN, "Buy VPS")
    shop.click(ANN, "Start · 1 CPU · 1 GB · 20 GB")
    shop.click(ANN, "Sandbox")
    shop.click(ANN, "Pay in sandbox")


def app_buys(shop):
    order = call(shop, BOB, "post", "orders", 201,
                 json={"product": "vps", "plan": "vps-start", "provider": "sandbox"}).get_json()
    call(shop, BOB, "post", f"orders/{order['order_id']}/sandbox_pay")
    shop.run_jobs()


def both_buy(shop) -> dict:
    """Each buys a server through their door; their server ids."""
    bot_buys(shop)
    app_buys(shop)
    return {user: server_of(shop, user)["id"] for user in (ANN, BOB)}


def open_card(shop, server_id):
    shop.send(ANN, "/start")
    shop.click(ANN, "My servers")
    shop.click(ANN, f"#{server_id} ·")


def server_of(shop, user_id) -> dict:
    with db_session:
        (server,) = VpsServer.select(lambda s: s.user.id == user_id)
        return {"id": server.id, "ip": server.ip, "vmid": server.vmid, "password": shop.rt.box.open(server.password_enc)}


def servers_of(shop, user_id, proxmox) -> list:
    """The user's servers as they would describe them, and what the node has of each."""
    def described(server):
        vm = proxmox.vm(server.vmid) or {"config": {}}
        config = vm["config"]
        return {"plan": server.plan_id, "status": server.status, "vm": vm.get("status"),
                "size": (str(config.get("cores")), str(config.get("memory"))),
                "ip_on_vm": config.get("ipconfig0", "").startswith(f"ip={server.ip}/"),
                "password_on_vm": config.get("cipassword") == shop.rt.box.open(server.password_enc),
                "days": round((server.expires_at - server.created_at) / timedelta(days=1))}
    with db_session:
        return [described(s) for s in VpsServer.select(lambda s: s.user.id == user_id).order_by(VpsServer.id)]


def outcome(shop, user_id, proxmox) -> dict:
    return {**money_of(user_id), "servers": servers_of(shop, user_id, proxmox), "events": events_of(user_id)}


def reboots(proxmox, vmid) -> int:
    return len(proxmox.calls_to("POST", f"/qemu/{vmid}/status/reboot"))


def test_buying_a_server_makes_one_running_vm_and_says_its_password(vps_shop, fake_proxmox):
    servers = both_buy(vps_shop)
    assert outcome(vps_shop, ANN, fake_proxmox) == outcome(vps_shop, BOB, fake_proxmox) == {
        "orders": [("vps", "vps-start", "sandbox", "fulfilled")], "balance": 0,
        "ledger": [("payment", 400), ("purchase", -400)], "servers": [RUNNING],
        "events": ["payment.received", "user.registered", "vps.created"]}
    assert len(fake_proxmox.vms()) == 2 and len({server_of(vps_shop, u)["ip"] for u in servers}) == 2
    for user in servers:
        assert password_in(vps_shop.last_text(user)) == server_of(vps_shop, user)["password"]
    assert alike(vps_shop.last_text(ANN)) == alike(vps_shop.last_text(BOB))
    check_invariants(proxmox=fake_proxmox)


@pytest.mark.parametrize("action, button, vm_status", [("stop", "Stop", "stopped"), ("start", "Start", "running"),
                                                       ("reboot", "Reboot", "running")])
def test_a_power_button_changes_the_vm_and_tells_its_owner(vps_shop, fake_proxmox, action, button, vm_status):
    servers = both_buy(vps_shop)
    if action == "start":  # both servers stopped first (through the app: the door under test is Start)
        for user, server_id in servers.items():
            call(vps_shop, user, "post", f"vps/{server_id}/stop", 202)
        vps_shop.run_jobs()
    open_card(vps_shop, servers[ANN])
    vps_shop.click(ANN, button)
    queued = call(vps_shop, BOB, "post", f"vps/{servers[BOB]}/{action}", 202).get_json()
    assert queued["queued"] == action and queued["server"]["pending"] == action
    vps_shop.run_jobs()
    assert servers_of(vps_shop, ANN, fake_proxmox) == servers_of(vps_shop, BOB, fake_proxmox) == [
        {**RUNNING, "status": vm_status, "vm": vm_status}]
    for user, server_id in servers.items():
        assert vps_shop.last_text(user) == text(f"vps_{action}_done", server_id=server_id)
        assert reboots(fake_proxmox, server_of(vps_shop, user)["vmid"]) == (action == "reboot")
    check_invariants(proxmox=fake_proxmox)


def test_a_second_action_while_one_waits_is_refused_in_both_doors(vps_shop, fake_proxmox):
    servers = both_buy(vps_shop)
    open_card(vps_shop, servers[ANN])
    card = vps_shop.telegram.last_message(ANN)
    tap(vps_shop, ANN, f"pw:{servers[ANN]}:stop", card)  # two quick taps: the second comes while stop waits
    tap(vps_shop, ANN, f"pw:{servers[ANN]}:reboot", card)
    call(vps_shop, BOB, "post", f"vps/{servers[BOB]}/stop", 202)
    before = database()
    app_refuses(vps_shop, BOB, "post", f"vps/{servers[BOB]}/reboot", 409, "vps_busy",
                params={"server_id": servers[BOB]})
    assert database() == before
    vps_shop.run_jobs()
    assert vps_shop.texts(ANN)[-3:] == [text("vps_action_queued", server_id=servers[ANN]),
                                        text("vps_busy", server_id=servers[ANN]),
                                        text("vps_stop_done", server_id=servers[ANN])]
    assert vps_shop.texts(BOB)[-1] == text("vps_stop_done", server_id=servers[BOB])
    assert servers_of(vps_shop, ANN, fake_proxmox) == servers_of(vps_shop, BOB, fake_proxmox) == [
        {**RUNNING, "status": "stopped", "vm": "stopped"}]
    assert not fake_proxmox.calls_to("POST", "/status/reboot")
    open_card(vps_shop, servers[ANN])  # done waiting: the next action is taken again
    vps_shop.click(ANN, "Start")
    call(vps_shop, BOB, "post", f"vps/{servers[BOB]}/start", 202)
    vps_shop.run_jobs()
    assert servers_of(vps_shop, ANN, fake_proxmox) == servers_of(vps_shop, BOB, fake_proxmox) == [RUNNING]
    check_invariants(proxmox=fake_proxmox)


def test_reinstall_asks_first_then_keeps_the_ip_and_sets_a_new_password(vps_shop, fake_proxmox):
    servers = both_buy(vps_shop)
    before = {user: server_of(vps_shop, user) for user in servers}
    given = {user: password_in(vps_shop.last_text(user)) for user in servers}
    open_card(vps_shop, servers[ANN])
    with nothing_changes(vps_shop):
        vps_shop.click(ANN, "Reinstall")
        assert "This cannot be undone." in vps_shop.last_text(ANN)
        for unconfirmed in ({}, {"confirm": "yes"}, None):
            app_refuses(vps_shop, BOB, "post", f"vps/{servers[BOB]}/reinstall", 400, "confirm_required",
                        json=unconfirmed)
    vps_shop.click(ANN, "Yes, wipe and reinstall")
    call(vps_shop, BOB, "post", f"vps/{servers[BOB]}/reinstall", 202, json={"confirm": True})
    vps_shop.run_jobs()
    for user in servers:
        now = server_of(vps_shop, user)
        assert {**now, "password": None} == {**before[user], "password": None}  # same id, IP and VM
        assert now["password"] != before[user]["password"] == given[user]
        assert password_in(vps_shop.last_text(user)) == now["password"]
    assert servers_of(vps_shop, ANN, fake_proxmox) == servers_of(vps_shop, BOB, fake_proxmox) == [RUNNING]
    assert alike(vps_shop.last_text(ANN)) == alike(vps_shop.last_text(BOB))
    assert len(fake_proxmox.vms()) == 2
    with nothing_changes(vps_shop):
        bot_refuses(vps_shop, ANN, f"reinok:{servers[BOB]}", "not_found")
        app_refuses(vps_shop, BOB, "post", f"vps/{servers[ANN]}/reinstall", 404, "not_found", json={"confirm": True})
    check_invariants(proxmox=fake_proxmox)


def test_reinstalling_someone_elses_server_is_not_found_before_any_confirmation(vps_shop, fake_proxmox):
    servers = both_buy(vps_shop)
    with nothing_changes(vps_shop):
        bot_refuses(vps_shop, ANN, f"rein:{servers[BOB]}", "not_found")
        app_refuses(vps_shop, BOB, "post", f"vps/{servers[ANN]}/reinstall", 404, "not_found", json={})


def test_a_reinstall_is_never_done_unconfirmed(vps_shop, fake_proxmox):
    servers = both_buy(vps_shop)
    with nothing_changes(vps_shop):
        app_refuses(vps_shop, BOB, "post", f"vps/{servers[BOB]}/reinstall", 400, "confirm_required", json={})
        open_card(vps_shop, servers[ANN])
        vps_shop.press(ANN, f"pw:{servers[ANN]}:reinstall")  # a press no screen shows: a forged one
        assert vps_shop.last_text(ANN) in (text("confirm_required"), text("not_found"))
    assert len(fake_proxmox.calls_to("POST", "/clone")) == 2  # one per purchase, none since


def test_the_password_shown_is_the_one_given_when_the_server_was_ready(vps_shop, fake_proxmox):
    servers = both_buy(vps_shop)
    given = {user: password_in(vps_shop.last_text(user)) for user in servers}
    open_card(vps_shop, servers[ANN])
    vps_shop.click(ANN, "Password")
    assert password_in(vps_shop.last_text(ANN)) == given[ANN]
    assert call(vps_shop, BOB, "get", f"vps/{servers[BOB]}/password").get_json() == {
        "ip": server_of(vps_shop, BOB)["ip"], "user": "root", "password": given[BOB]}
    assert f"({server_of(vps_shop, ANN)['ip']})\nUser: root\n" in vps_shop.last_text(ANN)
    with nothing_changes(vps_shop):
        bot_refuses(vps_shop, ANN, f"pwd:{servers[BOB]}", "not_found")
        app_refuses(vps_shop, BOB, "get", f"vps/{servers[ANN]}/password", 404, "not_found")
    assert not any(given[BOB] in said for said in vps_shop.texts(ANN))


KEY_ANN, KEY_BOB = rsa_public_key("ann@laptop"), rsa_public_key("bob@laptop")


def ssh_key_of(user_id):
    with db_session:
        return User[user_id].ssh_key


def bot_sets_key(shop, key):
    shop.send(ANN, "/start")
    shop.click(ANN, "Buy VPS")
    shop.click(ANN, "My SSH key")
    assert shop.last_text(ANN) == text("ssh_key_prompt")
    shop.send(ANN, key)


def test_setting_an_ssh_key_stores_it_for_its_owner(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox)
    bot_sets_key(shop, KEY_ANN)
    assert shop.last_text(ANN) == text("ssh_key_saved")
    assert call(shop, BOB, "post", "ssh_key", json={"ssh_key": KEY_BOB}).get_json() == {"ssh_key": KEY_BOB}
    assert (ssh_key_of(ANN), ssh_key_of(BOB)) == (KEY_ANN, KEY_BOB)
    for user, key in ((ANN, KEY_ANN), (BOB, KEY_BOB)):
        assert call(shop, user, "get", "me").get_json()["user"]["ssh_key"] == key


def _cut_short(key):
    kind, blob, comment = key.split(" ")
    return f"{kind} {blob[:len(blob) // 2]} {comment}"


def _wrapped_mid_blob(key):
    kind, blob, comment = key.split(" ")
    return f"{kind} {blob[:64]}\n{blob[64:]} {comment}"


@pytest.mark.parametrize("bad", [
    "ssh-ed25519 not*base64 me", _cut_short(rsa_public_key()), _wrapped_mid_blob(rsa_public_key()),
    "ssh-rsa " + rsa_public_key().split(" ")[1].replace("A", "B", 3) + " me",  # the blob of no key
], ids=["not-base64", "cut-short", "wrapped-mid-blob", "garbled"])
def test_an_invalid_ssh_key_is_refused_alike_and_the_old_one_kept(make_shop, fake_proxmox, bad):
    shop = make_shop(proxmox=fake_proxmox)
    bot_sets_key(shop, KEY_ANN)
    call(shop, BOB, "post", "ssh_key", json={"ssh_key": KEY_BOB})
    with nothing_changes(shop):
        shop.send(ANN, bad)
        assert shop.last_text(ANN) == text("ssh_key_invalid")
        app_refuses(shop, BOB, "post", "ssh_key", 400, "ssh_key_invalid", json={"ssh_key": bad})
    assert (ssh_key_of(ANN), ssh_key_of(BOB)) == (KEY_ANN, KEY_BOB)
