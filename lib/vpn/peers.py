"""VPN peers in the database: reserving an address and keys for an order, activation, renewal, release.

The database is the truth; the server is made to match it one key at a time by jobs
(jobs.fulfil_order, jobs.sync_peer). Functions here run inside the caller's transaction.
"""
from datetime import datetime

from lib import clock, tasks
from lib.events import emit_event
from lib.models import Order, VpnPeer
from lib.models import order_states as states
from lib.models.database import after_commit
from lib.models.subscriptions import next_reminder_at, set_expiry
from lib.tasks import enqueue
from lib.vpn.backend import KeyMaterial, PeerSecrets
from lib.vpn.locations import Location, location_of
from lib.vpn.wireguard.addressing import next_free_address

LIVE = ("provisioning", "active", "paused", "removing")  # states that hold an address


class SubnetFull(RuntimeError):
    """No client address is left in the location's subnet."""


def _held_addresses(interface: str) -> set:
    return {p.live_address for p in VpnPeer.select(lambda p: p.interface == interface and p.live_address is not None)}


def reserve_peer(rt, order_id: int, location: Location, server_identity: str, keys: KeyMaterial) -> int:
    """The order's peer, created with `keys` and the lowest free address if it has none yet."""
    order = Order.get_for_update(id=order_id)  # two copies of the job queue up here, not both past
    if order.peer is not None:
        return order.peer.id
    address = next_free_address(location.subnet, _held_addresses(location.interface))
    if address is None:
        raise SubnetFull(f"no free address left in {location.subnet}")
    plan = rt.settings.catalog.get(order.plan_id)
    expires_at = clock.now() + plan.duration
    peer = VpnPeer(user=order.user, order=order, plan_id=order.plan_id, interface=location.interface,
                   address=address, live_address=address, public_key=keys.public_key,
                   private_key_enc=rt.box.seal(keys.private_key), preshared_key_enc=rt.box.seal(keys.preshared_key),
                   server_public_key=server_identity, status="provisioning", expires_at=expires_at,
                   remind_at=next_reminder_at(expires_at, rt.settings.reminder_offsets, clock.now()),
                   created_at=clock.now())
    peer.flush()  # a concurrent reservation of the same address fails here, and is retried
    return peer.id


def activate_peer(rt, order_id: int) -> bool:
    """Mark the order fulfilled and its peer active, once; queue the config delivery."""
    order = Order.get_for_update(id=order_id)
    if order.status != states.PAID or order.peer is None:
        return False
    peer = order.peer
    peer.status = "active"
    states.move(order, states.FULFILLED)
    emit_event(rt.redis, "vpn.created", vpn_event_data(peer))
    after_commit(enqueue, rt.redis, tasks.SEND_VPN_CONFIG, peer.id, "created")
    return True


def extend_peer(rt, order_id: int) -> int | None:
    """Renewal: add one period, from the old expiry if it has not passed, else from now."""
    order = Order.get_for_update(id=order_id)
    if order.status != states.PAID or order.renew_peer is None:
        return None
    peer = order.renew_peer
    plan = rt.settings.catalog.get(order.plan_id)
    set_expiry(peer, max(peer.expires_at, clock.now()) + plan.duration, rt.settings.reminder_offsets)
    reason = "renewed"
    if peer.status == "expired":  # it left the server at expiry: it comes back, with its address if free
        reason = "readdressed" if _take_address_again(location_of(rt.settings, peer.interface), peer) else "renewed"
        peer.status = "active"
    states.move(order, states.FULFILLED)
    emit_event(rt.redis, "vpn.renewed", vpn_event_data(peer))
    after_commit(enqueue, rt.redis, tasks.SYNC_PEER, peer.id)
    after_commit(enqueue, rt.redis, tasks.SEND_VPN_CONFIG, peer.id, reason)
    return peer.id


def _take_address_again(location: Location, peer: VpnPeer) -> bool:
    """Hold an address for a returning peer; True when it had to get a new one."""
    held = _held_addresses(peer.interface)
    moved = peer.address in held
    if moved:  # someone has it now: a new address, and a new config to download
        address = next_free_address(location.subnet, held)
        if address is None:
            raise SubnetFull(f"no free address left in {location.subnet}")
        peer.address = address
    peer.live_address = peer.address
    peer.flush()
    return moved


def should_be_on_server(peer: VpnPeer, moment: datetime | None = None) -> bool:
    return peer.status == "active" and peer.expires_at > (moment or clock.now())


def release_address(peer: VpnPeer, status: str) -> None:
    """The peer is off the server: let its address be reused."""
    peer.status, peer.live_address = status, None


def secrets_of(rt, peer: VpnPeer) -> PeerSecrets:
    """The peer's keys opened (SECRET_KEY), for its config or for putting it on the server."""
    return PeerSecrets(peer_id=peer.id, public_key=peer.public_key, private_key=rt.box.open(peer.private_key_enc),
                       preshared_key=rt.box.open(peer.preshared_key_enc), address=peer.address,
                       server_public_key=peer.server_public_key)


def vpn_event_data(peer: VpnPeer) -> dict:
    return {"telegram_id": peer.user.id, "peer_id": peer.id, "address": peer.address,
            "plan": peer.plan_id, "expires_at": clock.iso(peer.expires_at)}
