"""Reinstall and SSH keys through both doors: a reinstall only after its confirmation and only of one's own server; a
key stored whole or refused alike."""
import pytest

from tests.support.buying import rsa_public_key
from tests.support.doors import (
    ANN,
    BOB,
    alike,
    app_refuses,
    bot_refuses,
    call,
    nothing_changes,
    password_in,
    text,
)
from tests.support.doors_vps import (
    RUNNING,
    bot_sets_key,
    both_buy,
    cut_short,
    open_card,
    server_of,
    servers_of,
    ssh_key_of,
    wrapped_mid_blob,
)
from tests.support.invariants import check_invariants

KEY_ANN, KEY_BOB = rsa_public_key("ann@laptop"), rsa_public_key("bob@laptop")


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


def test_setting_an_ssh_key_stores_it_for_its_owner(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox)
    bot_sets_key(shop, KEY_ANN)
    assert shop.last_text(ANN) == text("ssh_key_saved")
    assert call(shop, BOB, "post", "ssh_key", json={"ssh_key": KEY_BOB}).get_json() == {"ssh_key": KEY_BOB}
    assert (ssh_key_of(ANN), ssh_key_of(BOB)) == (KEY_ANN, KEY_BOB)
    for user, key in ((ANN, KEY_ANN), (BOB, KEY_BOB)):
        assert call(shop, user, "get", "me").get_json()["user"]["ssh_key"] == key


@pytest.mark.parametrize("bad", [
    "ssh-ed25519 not*base64 me", cut_short(rsa_public_key()), wrapped_mid_blob(rsa_public_key()),
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
