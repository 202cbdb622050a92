"""WireGuard as a VPN backend: `wg set` per key through the location's command, wg-quick client configs."""
from lib.vpn.backend import ClientConfig, KeyMaterial, KeyOnServer, PeerSecrets, VpnBackend
from lib.vpn.wireguard.addressing import client_prefix
from lib.vpn.wireguard.cli import WireGuardServer
from lib.vpn.wireguard.client_config import config_filename, render_client_config
from lib.vpn.wireguard.keys import generate_peer_keys


class WireGuardBackend(VpnBackend):
    def __init__(self, location, timeout: float = 15.0):
        self.location = location
        self.server = WireGuardServer(location.command, location.interface, timeout=timeout)
        self.prefix = client_prefix(location.subnet)

    @property
    def interface(self) -> str:
        return self.location.interface

    def server_identity(self) -> str:
        return self.server.public_key()

    def issue_key(self) -> KeyMaterial:
        keys = generate_peer_keys()
        return KeyMaterial(keys.public_key, keys.private_key, keys.preshared_key)

    def add_key(self, peer: PeerSecrets) -> None:
        self.server.add_peer(peer.public_key, peer.preshared_key, peer.address, self.prefix)

    def remove_key(self, public_key: str) -> None:
        self.server.remove_peer(public_key)

    def keys(self) -> dict:
        return self.server.peers()

    def client_config(self, peer: PeerSecrets) -> ClientConfig:
        text = render_client_config(private_key=peer.private_key, address=peer.address, subnet=self.location.subnet,
                                    dns=self.location.dns, server_public_key=peer.server_public_key,
                                    preshared_key=peer.preshared_key, endpoint=self.location.endpoint)
        return ClientConfig(text, config_filename(peer.peer_id))

    def drift(self, address: str, live: KeyOnServer | None) -> str | None:
        if live is None:
            return "missing from the interface"
        want = f"{address}/{self.prefix}"
        return None if live.allowed_ips == (want,) else f"allowed-ips {','.join(live.allowed_ips)} not {want}"
