"""WireGuard drift: the interface is made to hold exactly the peers the database says are live.

The interface is read before the database, so every peer seen on it was committed (as
"provisioning") before it was added: a fulfilment job adding one right now is never mistaken
for a stranger. Each repair re-reads its peer first, and no transaction is open during `wg`.
"""
import logging

from lib.models.database import run_transaction
from lib.models import VpnPeer
from lib.vpn.peers import should_be_on_server, wg_prefix
from lib.vpn.sync import wg_server
from lib.vpn.wireguard.server import WireGuardError

log = logging.getLogger(__name__)
KNOWN = ("provisioning", "active")  # may be on the interface; any other status must not be


def _known(rt) -> tuple:
    """Public keys allowed on the interface, and those that must be there → (peer id, address)."""
    interface = rt.settings.wg_interface
    peers = VpnPeer.select(lambda p: p.interface == interface and p.status in KNOWN)[:]
    must = {p.public_key: (p.id, p.address) for p in peers if should_be_on_server(p)}
    return {p.public_key for p in peers}, must


def _now(rt, public_key: str) -> dict:
    """What the database says about one key at this moment (the psk only when it must be added)."""
    peer = VpnPeer.get(public_key=public_key)
    if peer is None or peer.interface != rt.settings.wg_interface:
        return {"known": False, "on": False, "why": "unknown to the database"}
    on = should_be_on_server(peer)
    return {"known": peer.status in KNOWN, "on": on, "id": peer.id, "address": peer.address,
            "why": f"peer #{peer.id} is {peer.status}",
            "psk": rt.box.open(peer.preshared_key_enc) if on else None}


def _wrong(status, address: str, prefix: int) -> str | None:
    """Why a peer that must be on the interface needs adding again, or None if it is fine."""
    if status is None:
        return "missing from the interface"
    want = f"{address}/{prefix}"
    return None if status.allowed_ips == (want,) else f"allowed-ips {','.join(status.allowed_ips)} not {want}"


def reconcile_wireguard(rt) -> dict:
    """Re-add live peers missing from the interface; remove peers the database does not hold live."""
    server, prefix = wg_server(rt), wg_prefix(rt)
    live = server.peers()  # first, see the module docstring
    known, must = run_transaction(_known, rt)
    counts = {"live": len(live), "added": 0, "removed": 0, "errors": 0}
    for key, (peer_id, address) in must.items():
        why = _wrong(live.get(key), address, prefix)
        if why is None:
            continue
        peer = run_transaction(_now, rt, key)
        if not peer["on"]:  # paused or expired since the first read
            continue
        try:
            server.add_peer(key, peer["psk"], peer["address"], prefix)
        except WireGuardError as exc:
            counts["errors"] += 1
            log.error("reconcile: could not re-add VPN peer #%s: %s", peer_id, exc)
            continue
        counts["added"] += 1
        log.warning("reconcile: re-added VPN peer #%s (%s) on %s: %s", peer_id, peer["address"],
                    server.interface, why)
    for key in sorted(live.keys() - known):
        peer = run_transaction(_now, rt, key)
        if peer["known"]:  # it became live since the first read
            continue
        try:
            server.remove_peer(key)
        except WireGuardError as exc:
            counts["errors"] += 1
            log.error("reconcile: could not remove peer %s… from %s: %s", key[:8], server.interface, exc)
            continue
        counts["removed"] += 1
        log.warning("reconcile: removed peer %s… (%s) from %s: %s", key[:8], ",".join(live[key].allowed_ips),
                    server.interface, peer["why"])
    return counts
