"""Make the WireGuard interface match the database for one peer."""
from lib.runtime import current
from lib.vpn.sync import sync_peer


def run(peer_id: int) -> str:
    return sync_peer(current(), peer_id)
