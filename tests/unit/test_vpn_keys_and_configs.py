"""WireGuard keys, client addresses, the client's config, and what the backend sees as drift (no `wg` call)."""
import ipaddress
import subprocess

import pytest

from lib.vpn.backend import KeyOnServer, PeerSecrets
from lib.vpn.locations import Location
from lib.vpn.wireguard.addressing import next_free_address
from lib.vpn.wireguard.backend import WireGuardBackend
from lib.vpn.wireguard.client_config import render_client_config
from lib.vpn.wireguard.keys import generate_peer_keys, is_valid_key, public_key_of


@pytest.mark.skipif(subprocess.run(["which", "wg"], capture_output=True).returncode != 0, reason="wg missing")
def test_python_keys_match_wg_pubkey():
    keys = generate_peer_keys()
    by_wg = subprocess.run(["wg", "pubkey"], input=keys.private_key, capture_output=True, text=True).stdout.strip()
    assert by_wg == keys.public_key == public_key_of(keys.private_key)
    assert is_valid_key(keys.preshared_key) and keys.preshared_key != keys.private_key


def test_addresses_skip_the_server_and_taken_ones_and_run_out():
    assert next_free_address("10.8.0.0/24", []) == "10.8.0.2"
    assert next_free_address("10.8.0.0/24", ["10.8.0.2", "10.8.0.4"]) == "10.8.0.3"
    assert next_free_address("10.8.0.0/30", ["10.8.0.2"]) is None


def test_client_config_has_every_field_the_issue_names():
    config = render_client_config(private_key="PRIV", address="10.8.0.9", subnet="10.8.0.0/24", dns="1.1.1.1",
                                  server_public_key="SERVERPUB", preshared_key="PSK", endpoint="vpn.example:51820")
    assert config.splitlines() == [
        "[Interface]", "PrivateKey = PRIV", "Address = 10.8.0.9/32", "DNS = 1.1.1.1", "",
        "[Peer]", "PublicKey = SERVERPUB", "PresharedKey = PSK", "Endpoint = vpn.example:51820",
        "AllowedIPs = 0.0.0.0/0, ::/0", "PersistentKeepalive = 25"]


def location(subnet="10.8.0.0/24"):
    return Location(id="default", protocol="wireguard", interface="wg0", command=("wg",),
                    endpoint="vpn.example:51820", subnet=ipaddress.ip_network(subnet), dns="9.9.9.9")


def peer(peer_id=7, address="10.8.0.7"):
    return PeerSecrets(peer_id=peer_id, public_key="CLIENTPUB", private_key="CLIENTPRIV", preshared_key="PSK",
                       address=address, server_public_key="SERVERPUB")


def live(*allowed_ips):
    return KeyOnServer(public_key="CLIENTPUB", endpoint=None, allowed_ips=allowed_ips, latest_handshake=0,
                       rx_bytes=0, tx_bytes=0)


def test_the_customer_gets_a_wg_quick_file_for_their_key_on_this_location():
    config = WireGuardBackend(location()).client_config(peer())
    assert config.filename == "vpn7.conf" and config.media_type == "text/plain"
    lines = config.text.splitlines()
    assert "PrivateKey = CLIENTPRIV" in lines and "Address = 10.8.0.7/32" in lines and "DNS = 9.9.9.9" in lines
    assert "PublicKey = SERVERPUB" in lines and "PresharedKey = PSK" in lines
    assert "Endpoint = vpn.example:51820" in lines and "AllowedIPs = 0.0.0.0/0, ::/0" in lines


def test_a_config_file_name_stays_a_valid_interface_name_up_to_a_trillion_keys():
    name = WireGuardBackend(location()).client_config(peer(peer_id=999_999_999_999)).filename
    assert name.endswith(".conf") and len(name.removesuffix(".conf")) <= 15 and " " not in name


def test_an_ipv6_location_gives_clients_a_single_address():
    backend = WireGuardBackend(location("fd00:8::/64"))
    assert "Address = fd00:8::7/128" in backend.client_config(peer(address="fd00:8::7")).text.splitlines()
    assert backend.drift("fd00:8::7", live("fd00:8::7/128")) is None


def test_a_key_on_the_server_as_stored_has_no_drift():
    assert WireGuardBackend(location()).drift("10.8.0.7", live("10.8.0.7/32")) is None


@pytest.mark.parametrize("on_server, reason", [
    (None, "missing from the interface"),
    (live("10.8.0.8/32"), "allowed-ips 10.8.0.8/32 not 10.8.0.7/32"),
    (live("10.8.0.7/32", "10.8.0.9/32"), "allowed-ips 10.8.0.7/32,10.8.0.9/32 not 10.8.0.7/32"),
    (live(), "allowed-ips  not 10.8.0.7/32"),
])
def test_a_key_missing_or_routed_elsewhere_is_drift_with_the_reason(on_server, reason):
    assert WireGuardBackend(location()).drift("10.8.0.7", on_server) == reason
