"""Making a location's server match the database for one peer (idempotent, safe to repeat)."""
from lib import clock
from lib.models import VpnPeer
from lib.models.database import run_transaction
from lib.vpn.locations import backend
from lib.vpn.peers import release_address, secrets_of, should_be_on_server


def _desired(rt, peer_id):
    peer = VpnPeer.get(id=peer_id)
    if peer is None:
        return None
    return {"on": should_be_on_server(peer), "interface": peer.interface, "secrets": secrets_of(rt, peer)}


def _settle(peer_id, was_removed):
    peer = VpnPeer[peer_id]
    if was_removed and peer.status == "removing":
        release_address(peer, "failed")
    elif was_removed and peer.status == "active" and peer.expires_at <= clock.now():
        release_address(peer, "expired")


def sync_peer(rt, peer_id: int) -> str:
    """Add the peer to its server if it should be there, else remove it; returns what was done."""
    desired = run_transaction(_desired, rt, peer_id)
    if desired is None:
        return "unknown"
    server = backend(rt, desired["interface"])
    if desired["on"]:
        server.add_key(desired["secrets"])
        return "added"
    server.remove_key(desired["secrets"].public_key)
    run_transaction(_settle, peer_id, True)
    return "removed"
