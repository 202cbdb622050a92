"""Configs the shop delivers connect, through a real WireGuard server in a network namespace: a key
renewed after it expired, and a key bought and downloaded in the mini app."""
from datetime import timedelta

from pony.orm import db_session

from lib import clock
from lib.models import VpnPeer
from tests.support.invariants import check_invariants
from tests.support.lifecycle import buy_vpn_in_the_app, buy_vpn_in_the_bot, expiry_of, move_to, tick

USER = 740001
ANN, BOB = 900001, 900002


def test_renewing_an_expired_key_brings_it_back_and_it_connects(make_shop, lab):
    shop = make_shop(wg=lab, SANDBOX_PAYMENTS="true")
    buy_vpn_in_the_bot(shop, USER)
    config = shop.telegram.documents(USER)[-1]["data"].decode()
    move_to(expiry_of(VpnPeer) + timedelta(hours=1))
    tick(shop)
    shop.click(USER, "Renew")
    shop.click(USER, "1 month")
    shop.click(USER, "Sandbox")
    shop.click(USER, "Pay in sandbox")
    assert len(lab.peers()) == 1
    with db_session:
        peer = VpnPeer[1]
        assert peer.status == "active" and peer.expires_at > clock.now() + timedelta(days=29)
    assert lab.connect_client(config).ping(lab.server_address, timeout_s=5)
    check_invariants(lab=lab)


def test_a_bought_key_serves_config_and_qr_to_its_owner_only(make_shop, lab):
    shop = make_shop(wg=lab, SANDBOX_PAYMENTS="true")
    order_id = buy_vpn_in_the_app(shop, ANN)
    assert shop.api(ANN, "get", f"orders/{order_id}").get_json() == {"order_id": order_id, "status": "fulfilled"}
    peer = shop.api(ANN, "get", "me").get_json()["vpn"][0]
    assert peer["status"] == "active" and peer["address"] == "10.8.0.2"

    config = shop.api(ANN, "get", f"vpn/{peer['id']}/config")
    assert config.status_code == 200 and config.mimetype == "text/plain"
    assert 'filename="vpn1.conf"' in config.headers["Content-Disposition"]
    assert lab.connect_client(config.get_data(as_text=True)).ping(lab.server_address, timeout_s=5)
    qr = shop.api(ANN, "get", f"vpn/{peer['id']}/qr")
    assert qr.mimetype == "image/png" and qr.data.startswith(b"\x89PNG")
    assert shop.api(ANN, "get", f"vpn/{peer['id']}/qr?format=svg").mimetype == "image/svg+xml"

    for path in (f"vpn/{peer['id']}/config", f"vpn/{peer['id']}/qr", f"orders/{order_id}"):
        assert shop.api(BOB, "get", path).status_code == 404
    assert shop.api(BOB, "post", f"vpn/{peer['id']}/pause").status_code == 404
    renew_other = {"product": "vpn", "plan": "vpn-1m", "provider": "sandbox", "renew": peer["id"]}
    assert shop.api(BOB, "post", "orders", json=renew_other).status_code == 404


