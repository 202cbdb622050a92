"""WireGuard drift: the interface is made to hold exactly the peers the database says are live.

The interface is read before the database, so every peer seen on it was committed (as
"provisioning") before it was added: a fulfilment job adding one right now is never mistaken
for a stranger. Each repair re-reads its peer first, and no transaction is open during `wg`.
"""
import logging

from lib.models import VpnPeer
from lib.models.database import run_transaction
from lib.vpn.backend import BackendError
from lib.vpn.locations import backend_for, location_of
from lib.vpn.peers import secrets_of, should_be_on_server

log = logging.getLogger(__name__)
KNOWN = ("provisioning", "active")  # may be on the interface; any other status must not be


def _known(interface) -> tuple:
    """Public keys allowed on the interface, and those that must be there → (peer id, address)."""
    peers = VpnPeer.select(lambda p: p.interface == interface and p.status in KNOWN)[:]
    must = {p.public_key: (p.id, p.address) for p in peers if should_be_on_server(p)}
    return {p.public_key for p in peers}, must


def _now(rt, interface, public_key: str) -> dict:
    """What the database says about one key at this moment (its secrets only when it must be added)."""
    peer = VpnPeer.get(public_key=public_key)
    if peer is None or peer.interface != interface:
        return {"known": False, "on": False, "why": "unknown to the database"}
    on = should_be_on_server(peer)
    return {"known": peer.status in KNOWN, "on": on, "id": peer.id, "address": peer.address,
            "why": f"peer #{peer.id} is {peer.status}", "secrets": secrets_of(rt, peer) if on else None}


def reconcile_wireguard(rt) -> dict:
    """Re-add live peers missing from the interface; remove peers the database does not hold live."""
    location = location_of(rt.settings)
    server = backend_for(location)
    live = server.keys()  # first, see the module docstring
    known, must = run_transaction(_known, location.interface)
    counts = {"live": len(live), "added": 0, "removed": 0, "errors": 0}
    for key, (peer_id, address) in must.items():
        why = server.drift(address, live.get(key))
        if why is None:
            continue
        peer = run_transaction(_now, rt, location.interface, key)
        if not peer["on"]:  # paused or expired since the first read
            continue
        try:
            server.add_key(peer["secrets"])
        except BackendError as exc:
            counts["errors"] += 1
            log.error("reconcile: could not re-add VPN peer #%s: %s", peer_id, exc)
            continue
        counts["added"] += 1
        log.warning("reconcile: re-added VPN peer #%s (%s) on %s: %s", peer_id, peer["address"],
                    location.interface, why)
    for key in sorted(live.keys() - known):
        peer = run_transaction(_now, rt, location.interface, key)
        if peer["known"]:  # it became live since the first read
            continue
        try:
            server.remove_key(key)
        except BackendError as exc:
            counts["errors"] += 1
            log.error("reconcile: could not remove peer %s… from %s: %s", key[:8], location.interface, exc)
            continue
        counts["removed"] += 1
        log.warning("reconcile: removed peer %s… (%s) from %s: %s", key[:8], ",".join(live[key].allowed_ips),
                    location.interface, peer["why"])
    return counts
