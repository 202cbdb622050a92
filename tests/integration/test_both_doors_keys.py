"""A VPN key through both doors: pause and resume reach the server alike, and the config and its QR code are the ones
handed over at purchase."""


from tests.support.doors import (
    ANN,
    BOB,
    app_refuses,
    bot_refuses,
    call,
    nothing_changes,
    text,
)
from tests.support.doors_vpn import BOUGHT, LIVE_KEY, both_buy, conf_sent, keys_of, open_key, outcome, qr_sent, shape
from tests.support.invariants import check_invariants


def test_pausing_takes_the_key_off_the_server_and_resuming_puts_it_back(vpn_shop, fake_wg):
    keys = both_buy(vpn_shop)
    open_key(vpn_shop)
    vpn_shop.click(ANN, "Pause")
    assert vpn_shop.last_text(ANN) == text("peer_paused_done", peer_id=keys[ANN])
    assert call(vpn_shop, BOB, "post", f"vpn/{keys[BOB]}/pause").get_json()["peer"]["status"] == "paused"
    vpn_shop.run_jobs()
    assert keys_of(ANN, fake_wg) == keys_of(BOB, fake_wg) == [{**LIVE_KEY, "status": "paused", "on_server": False}]
    assert fake_wg.peers() == []
    with nothing_changes(vpn_shop):
        bot_refuses(vpn_shop, ANN, f"pause:{keys[ANN]}", "peer_not_changeable")
        app_refuses(vpn_shop, BOB, "post", f"vpn/{keys[BOB]}/pause", 409, "peer_not_changeable")
    open_key(vpn_shop)
    vpn_shop.click(ANN, "Resume")
    assert vpn_shop.last_text(ANN) == text("peer_resumed_done", peer_id=keys[ANN])
    assert call(vpn_shop, BOB, "post", f"vpn/{keys[BOB]}/resume").get_json()["peer"]["status"] == "active"
    vpn_shop.run_jobs()
    assert outcome(ANN, fake_wg) == outcome(BOB, fake_wg) == {
        **BOUGHT, "keys": [LIVE_KEY], "events": ["payment.received", "user.registered", "vpn.created"]}
    check_invariants(lab=fake_wg)


def test_the_config_and_its_qr_code_are_the_ones_handed_over_at_purchase(vpn_shop, fake_wg):
    keys = both_buy(vpn_shop)
    at_purchase = {user: (conf_sent(vpn_shop, user)["data"], qr_sent(vpn_shop, user)) for user in keys}
    open_key(vpn_shop)
    vpn_shop.click(ANN, "Config file")
    vpn_shop.click(ANN, "QR code")
    config = call(vpn_shop, BOB, "get", f"vpn/{keys[BOB]}/config")
    qr = call(vpn_shop, BOB, "get", f"vpn/{keys[BOB]}/qr")
    assert (conf_sent(vpn_shop, ANN)["data"], qr_sent(vpn_shop, ANN)) == at_purchase[ANN]
    assert (config.get_data(), qr.get_data()) == at_purchase[BOB] and qr.mimetype == "image/png"
    assert conf_sent(vpn_shop, ANN)["file_name"] == f"vpn{keys[ANN]}.conf"
    assert config.headers["Content-Disposition"] == f'attachment; filename="vpn{keys[BOB]}.conf"'
    assert shape(conf_sent(vpn_shop, ANN)["data"].decode()) == shape(config.get_data(as_text=True))
    files_before = len(vpn_shop.telegram.documents(ANN)), len(vpn_shop.telegram.photos(ANN))
    with nothing_changes(vpn_shop):
        for what in ("cfg", "qr"):
            bot_refuses(vpn_shop, ANN, f"{what}:{keys[BOB]}", "not_found")
        for what in ("config", "qr"):
            app_refuses(vpn_shop, BOB, "get", f"vpn/{keys[ANN]}/{what}", 404, "not_found")
    assert (len(vpn_shop.telegram.documents(ANN)), len(vpn_shop.telegram.photos(ANN))) == files_before
