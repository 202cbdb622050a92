"""A server through both doors: bought, powered, one action at a time, its password — the same VM state and notices for
both customers."""
import pytest

from tests.support.doors import (
    ANN,
    BOB,
    alike,
    app_refuses,
    bot_refuses,
    call,
    database,
    nothing_changes,
    password_in,
    tap,
    text,
)
from tests.support.doors_vps import RUNNING, both_buy, open_card, outcome, reboots, server_of, servers_of
from tests.support.invariants import check_invariants


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
