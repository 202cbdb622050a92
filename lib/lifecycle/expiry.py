"""Expiry in the database: each move happens once, under a row lock, only while still due.

The jobs (expire_vpn, expire_vps) change the outside world first — remove the peer, stop or
destroy the VM, all safe to repeat — and then call these to record it, emit the event and
tell the customer.
"""
from lib import clock, tasks
from lib.events import emit_event
from lib.models import VpnPeer, VpsServer
from lib.models.database import after_commit
from lib.tasks import enqueue
from lib.texts.formats import when
from lib.vpn.peers import release_address, vpn_event_data
from lib.vps.servers import release_server, vps_event_data


def _tell(rt, user_id, key, params, button=None):
    """Message the customer once the change is committed; `button` is ["renew", kind, id] or None."""
    after_commit(enqueue, rt.redis, tasks.NOTIFY_USER, user_id, key, params, button)


def vpn_expiry_due(peer_id: int) -> tuple | None:
    """(public key, interface) of the peer if it has expired and is still on the books as live."""
    peer = VpnPeer.get(id=peer_id)
    if peer is None or peer.status not in ("active", "paused") or peer.expires_at > clock.now():
        return None
    return peer.public_key, peer.interface


def record_vpn_expired(rt, peer_id: int) -> bool:
    peer = VpnPeer.get_for_update(id=peer_id)
    if peer is None or peer.status not in ("active", "paused") or peer.expires_at > clock.now():
        return False
    release_address(peer, "expired")  # off the server now, so the address may serve someone else
    peer.remind_at = None
    emit_event(rt.redis, "vpn.expired", vpn_event_data(peer))
    _tell(rt, peer.user.id, "vpn_expired", {"peer_id": peer.id}, ["renew", "vpn", peer.id])
    return True


def vps_expiry_step(rt, server_id: int) -> str | None:
    """'suspend' or 'delete' when one is due for this server, else None."""
    server = VpsServer.get(id=server_id)
    if server is None:
        return None
    now = clock.now()
    if server.status in ("running", "stopped") and server.expires_at <= now:
        return "suspend"
    if server.status == "suspended" and server.expires_at <= now - rt.settings.vps_grace:
        return "delete"
    return None


def record_vps_suspended(rt, server_id: int) -> bool:
    server = VpsServer.get_for_update(id=server_id)
    if server is None or vps_expiry_step(rt, server_id) != "suspend":
        return False
    server.status, server.remind_at = "suspended", None
    emit_event(rt.redis, "vps.suspended", vps_event_data(server))
    deleted_at = server.expires_at + rt.settings.vps_grace
    _tell(rt, server.user.id, "vps_suspended", {"server_id": server.id, "deleted_at": when(deleted_at)},
          ["renew", "vps", server.id])
    return True


def record_vps_deleted(rt, server_id: int) -> bool:
    server = VpsServer.get_for_update(id=server_id)
    if server is None or vps_expiry_step(rt, server_id) != "delete":
        return False
    emit_event(rt.redis, "vps.expired", vps_event_data(server))
    release_server(server_id, "deleted")  # the address goes back to the pool
    _tell(rt, server.user.id, "vps_deleted", {"server_id": server.id, "ip": server.ip})
    return True
