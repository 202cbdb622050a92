"""The WireGuard lab itself: a real handshake and ping through wireguard-go."""
import os
import shlex
import subprocess
import time

import pytest

from tests.support import wgnet

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module", autouse=True)
def _no_stale_labs():
    wgnet.require_wireguard()
    wgnet.cleanup_stale()  # namespaces left by crashed runs


lab = pytest.fixture(wgnet.wireguard_lab)


def add_peer(lab, tmp_path, address="10.8.0.2"):
    """Server side of issuing a config, the way the shop does it: wg set ... peer."""
    priv, psk = wgnet.genkey(), wgnet.genpsk()
    pub = wgnet.pubkey(priv)
    psk_file = tmp_path / "psk"
    psk_file.write_text(psk + "\n")
    psk_file.chmod(0o600)
    subprocess.run(shlex.split(lab.wg_command) + ["set", lab.interface, "peer", pub, "preshared-key",
                   str(psk_file), "allowed-ips", f"{address}/32"], check=True, timeout=10)
    return priv, pub, psk


def client_conf(lab, priv, psk, server_pub=None, address="10.8.0.2"):
    return f"""[Interface]
PrivateKey = {priv}
Address = {address}/32
DNS = 1.1.1.1

[Peer]
PublicKey = {server_pub or lab.server_public_key}
PresharedKey = {psk}
Endpoint = {lab.endpoint}
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25
"""


def test_client_config_connects(lab, tmp_path):
    assert lab.wg_command == "wg"  # the shop can run plain wg for a namespaced interface
    priv, pub, psk = add_peer(lab, tmp_path)
    client = lab.connect_client(client_conf(lab, priv, psk))
    assert client.ping(lab.server_address)
    [peer] = lab.peers()
    assert peer.public_key == pub and peer.preshared_key == psk
    assert peer.allowed_ips == ["10.8.0.2/32"]
    assert peer.latest_handshake > 0 and peer.rx > 0 and peer.tx > 0
    assert peer.endpoint.startswith(lab.endpoint.split(":")[0].rsplit(".", 1)[0] + ".2:")


def test_wrong_server_key_does_not_connect(lab, tmp_path):
    priv, _, psk = add_peer(lab, tmp_path)
    client = lab.connect_client(client_conf(lab, priv, psk, server_pub=wgnet.pubkey(wgnet.genkey())))
    t0 = time.monotonic()
    assert not client.ping(lab.server_address, count=1, timeout_s=2)
    assert time.monotonic() - t0 < 6
    assert lab.peers()[0].latest_handshake == 0


def test_restart_server_empty(lab, tmp_path):
    priv, pub, psk = add_peer(lab, tmp_path)
    client = lab.connect_client(client_conf(lab, priv, psk))
    assert client.ping(lab.server_address)
    lab.restart_server_empty()
    assert lab.peers() == []
    assert not client.ping(lab.server_address, count=1, timeout_s=2)
    # Restoring the peer is the shop's job; the client needs a fresh session at once.
    psk_file = tmp_path / "psk2"
    psk_file.write_text(psk + "\n")
    lab.wg("set", lab.interface, "peer", pub, "preshared-key", str(psk_file), "allowed-ips", "10.8.0.2/32")
    client.apply()
    assert client.ping(lab.server_address)


def test_close_removes_everything():
    with wgnet.WireGuardLab() as lab:
        names = (lab.srv_ns, lab.cli_ns)
        sock = os.path.join(wgnet.SOCK_DIR, lab.interface + ".sock")
        assert os.path.exists(sock)
    assert not set(names) & set(wgnet._netns_list())
    assert not os.path.exists(sock)
