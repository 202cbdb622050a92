"""Making the live interface match the database for one peer (idempotent, safe to repeat)."""
from lib import clock
from lib.models.database import run_transaction
from lib.models import VpnPeer
from lib.vpn.peers import release_address, should_be_on_server, wg_prefix
from lib.vpn.wireguard.server import WireGuardServer


def wg_server(rt) -> WireGuardServer:
    return WireGuardServer(rt.settings.wg_command, rt.settings.wg_interface)


def _desired(rt, peer_id):
    peer = VpnPeer.get(id=peer_id)
    if peer is None:
        return None
    return {"on": should_be_on_server(peer), "status": peer.status, "public_key": peer.public_key,
            "address": peer.address, "psk": rt.box.open(peer.preshared_key_enc)}


def _settle(peer_id, was_removed):
    peer = VpnPeer[peer_id]
    if was_removed and peer.status == "removing":
        release_address(peer, "failed")
    elif was_removed and peer.status == "active" and peer.expires_at <= clock.now():
        release_address(peer, "expired")


def sync_peer(rt, peer_id: int) -> str:
    """Add the peer to the server if it should be there, else remove it; returns what was done."""
    desired = run_transaction(_desired, rt, peer_id)
    if desired is None:
        return "unknown"
    server = wg_server(rt)
    if desired["on"]:
        server.add_peer(desired["public_key"], desired["psk"], desired["address"], wg_prefix(rt))
        return "added"
    server.remove_peer(desired["public_key"])
    run_transaction(_settle, peer_id, True)
    return "removed"


def _set_paused(peer_id, user_id, paused):
    peer = VpnPeer.get(id=peer_id)
    if peer is None or peer.user.id != user_id:
        return "not_found"
    wanted_from, wanted_to = ("active", "paused") if paused else ("paused", "active")
    if peer.status != wanted_from:
        return "not_changeable"
    peer.status = wanted_to
    return "ok"


def set_peer_paused(peer_id: int, user_id: int, paused: bool) -> str:
    """Owner's pause/resume in the database: 'ok', 'not_found' or 'not_changeable'. Sync follows."""
    return run_transaction(_set_paused, peer_id, user_id, paused)
