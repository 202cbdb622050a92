"""After a real WireGuard server restarts empty, one reconcile brings every live key back (and a client connects again)
and removes the ones the shop does not hold live."""


from lib.lifecycle.reconcile.run import reconcile
from lib.vpn.actions import set_paused
from tests.support import wgnet
from tests.support.buying import VPN_USER as USER
from tests.support.buying import pay_by_crypto
from tests.support.reconcile import _peers, reconcile_by_cron


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
