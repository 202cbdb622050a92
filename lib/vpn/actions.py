"""What a customer does with their VPN keys, from the bot or the mini app: list, look, get the config, pause."""
from lib import clock, tasks
from lib.errors import UserError
from lib.models import VpnPeer
from lib.models.database import run_transaction
from lib.tasks import enqueue
from lib.vpn.backend import BackendError, ClientConfig
from lib.vpn.locations import backend
from lib.vpn.peers import secrets_of

NO_CONFIG = ("failed", "provisioning")  # a key in these states has nothing to import yet (or any more)
PAUSE = {True: ("active", "paused"), False: ("paused", "active")}  # paused → (from, to)


def _facts(peer: VpnPeer) -> dict:
    return {"id": peer.id, "status": peer.status, "address": peer.address, "plan_id": peer.plan_id,
            "expires_at": peer.expires_at, "created_at": peer.created_at, "public_key": peer.public_key,
            "interface": peer.interface}


def _owned(peer_id, user_id) -> VpnPeer:
    peer = VpnPeer.get(id=peer_id)
    if peer is None or peer.user.id != user_id:
        raise UserError("not_found")
    return peer


def keys_of(user_id: int) -> list:
    """The customer's keys, oldest first (closed ones left out), in the caller's transaction."""
    peers = VpnPeer.select(lambda p: p.user.id == user_id and p.status != "failed").order_by(VpnPeer.id)
    return [_facts(p) for p in peers]


def keys(rt, user_id: int) -> list:
    """The customer's keys, oldest first (closed ones left out)."""
    return run_transaction(keys_of, user_id)


def key(rt, user_id: int, peer_id: int, live: bool = False) -> dict:
    """One of the customer's keys; with `live`, its last handshake read from the server.

    handshake: a datetime, 0 when the key never connected, None when the server did not answer."""
    facts = run_transaction(lambda: _facts(_owned(peer_id, user_id)))
    if live:
        try:
            seen = backend(rt, facts["interface"]).keys().get(facts["public_key"])
            facts["handshake"] = clock.from_epoch(seen.latest_handshake) if seen and seen.latest_handshake else 0
        except BackendError:
            facts["handshake"] = None
    return facts


def client_config(rt, user_id: int, peer_id: int) -> ClientConfig:
    """The key's config to import (a WireGuard .conf); not found until the key is made, and once closed."""
    def read():
        peer = _owned(peer_id, user_id)
        if peer.status in NO_CONFIG:
            raise UserError("not_found")
        return secrets_of(rt, peer), peer.interface
    secrets, interface = run_transaction(read)
    return backend(rt, interface).client_config(secrets)


def _set_paused(peer_id, user_id, paused):
    peer = _owned(peer_id, user_id)
    wanted_from, wanted_to = PAUSE[paused]
    if peer.status != wanted_from:
        raise UserError("peer_not_changeable")
    peer.status = wanted_to
    return _facts(peer)


def set_paused(rt, user_id: int, peer_id: int, paused: bool) -> dict:
    """Pause (take off the server, the paid period runs on) or resume the customer's key; a job syncs it."""
    facts = run_transaction(_set_paused, peer_id, user_id, paused)
    enqueue(rt.redis, tasks.SYNC_PEER, peer_id)
    return facts
