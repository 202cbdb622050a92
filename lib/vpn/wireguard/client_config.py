"""The client's wg-quick config (pure)."""
from lib.vpn.wireguard.addressing import client_prefix


def render_client_config(*, private_key, address, subnet, dns, server_public_key, preshared_key, endpoint) -> str:
    """A wg-quick config that sends all of the client's traffic through the tunnel."""
    return "\n".join([
        "[Interface]",
        f"PrivateKey = {private_key}",
        f"Address = {address}/{client_prefix(subnet)}",
        f"DNS = {dns}",
        "",
        "[Peer]",
        f"PublicKey = {server_public_key}",
        f"PresharedKey = {preshared_key}",
        f"Endpoint = {endpoint}",
        "AllowedIPs = 0.0.0.0/0, ::/0",
        "PersistentKeepalive = 25",
        "",
    ])


def config_filename(peer_id: int) -> str:
    """A file name WireGuard apps accept as an interface name (≤15 chars, no spaces)."""
    return f"vpn{peer_id}.conf"
