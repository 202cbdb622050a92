"""Configs the shop delivers connect, through a real WireGuard server in a network namespace: a key
renewed after it expired, and a key bought and downloaded in the mini app."""
from datetime import timedelta

from pony.orm import db_session

from lib import clock
from lib.models import VpnPeer
from tests.support.initdata import auth
from tests.support.invariants import check_invariants

USER = 740001
ANN, BOB = 900001, 900002


def buy_vpn(shop, plan="1 month"):
    shop.send(USER, "/start")
    shop.click(USER, "Buy VPN")
    shop.click(USER, plan)
    shop.click(USER, "Sandbox")
    shop.click(USER, "Pay in sandbox")


def expiry_of(entity, ident=1):
    with db_session:
        return entity[ident].expires_at


def move_to(moment):
    clock.advance(moment - clock.now())


def tick(shop):
    assert shop.cron_tick().status_code == 200
    shop.run_jobs()


def api(shop, method, path, user_id=ANN, **kw):
    headers = auth(shop.settings.bot_token, user_id)
    return getattr(shop.client, method)(f"/miniapp_api/api/{path}", headers=headers, **kw)


def buy_with_sandbox(shop, user_id=ANN):
    created = api(shop, "post", "orders", user_id, json={"product": "vpn", "plan": "vpn-1m", "provider": "sandbox"})
    assert created.status_code == 201, created.get_json()
    order_id = created.get_json()["order_id"]
    assert created.get_json() == {"order_id": order_id, "status": "pending", "pay_url": None}
    assert api(shop, "post", f"orders/{order_id}/sandbox_pay", user_id).status_code == 200
    shop.run_jobs()
    return order_id


def test_renewing_an_expired_key_brings_it_back_and_it_connects(make_shop, lab):
    shop = make_shop(wg=lab, SANDBOX_PAYMENTS="true")
    buy_vpn(shop)
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
    order_id = buy_with_sandbox(shop)
    assert api(shop, "get", f"orders/{order_id}").get_json() == {"order_id": order_id, "status": "fulfilled"}
    peer = api(shop, "get", "me").get_json()["vpn"][0]
    assert peer["status"] == "active" and peer["address"] == "10.8.0.2"

    config = api(shop, "get", f"vpn/{peer['id']}/config")
    assert config.status_code == 200 and config.mimetype == "text/plain"
    assert 'filename="vpn1.conf"' in config.headers["Content-Disposition"]
    assert lab.connect_client(config.get_data(as_text=True)).ping(lab.server_address, timeout_s=5)
    qr = api(shop, "get", f"vpn/{peer['id']}/qr")
    assert qr.mimetype == "image/png" and qr.data.startswith(b"\x89PNG")
    assert api(shop, "get", f"vpn/{peer['id']}/qr?format=svg").mimetype == "image/svg+xml"

    for path in (f"vpn/{peer['id']}/config", f"vpn/{peer['id']}/qr", f"orders/{order_id}"):
        assert api(shop, "get", path, user_id=BOB).status_code == 404
    assert api(shop, "post", f"vpn/{peer['id']}/pause", user_id=BOB).status_code == 404
    renew_other = {"product": "vpn", "plan": "vpn-1m", "provider": "sandbox", "renew": peer["id"]}
    assert api(shop, "post", "orders", user_id=BOB, json=renew_other).status_code == 404


