"""VPN peers: reserving an address and keys for an order, activation, renewal, the client config.

The database is the truth; the live interface is made to match it one peer at a time by
jobs (jobs.fulfil_order, jobs.sync_peer). Functions here run inside the caller's transaction.
"""
from datetime import datetime

from lib import clock
from lib.billing.orders import mark_fulfilled
from lib.models.database import after_commit
from lib.events import emit_event
from lib.lifecycle.reminders import next_reminder_at
from lib.models import Order, VpnPeer
from lib import tasks
from lib.tasks import enqueue
from lib.vpn.wireguard.addressing import client_prefix, next_free_address
from lib.vpn.wireguard.client_config import render_client_config
from lib.vpn.wireguard.keys import generate_peer_keys

LIVE = ("provisioning", "active", "paused", "removing")  # states that hold an address


class SubnetFull(RuntimeError):
    """No client address is left in WG_SUBNET."""


def reserve_peer(rt, order_id: int, server_public_key: str) -> int:
    """The order's peer, created with fresh keys and the lowest free address if it has none yet."""
    order = Order.get_for_update(id=order_id)  # two copies of the job queue up here, not both past
    if order.peer is not None:
        return order.peer.id
    settings = rt.settings
    taken = VpnPeer.select(lambda p: p.interface == settings.wg_interface and p.live_address is not None)
    address = next_free_address(settings.wg_subnet, [p.live_address for p in taken])
    if address is None:
        raise SubnetFull(f"no free address left in {settings.wg_subnet}")
    keys = generate_peer_keys()
    plan = settings.catalog.get(order.plan_id)
    expires_at = clock.now() + plan.duration
    peer = VpnPeer(user=order.user, order=order, plan_id=order.plan_id, interface=settings.wg_interface,
                   address=address, live_address=address, public_key=keys.public_key,
                   private_key_enc=rt.box.seal(keys.private_key), preshared_key_enc=rt.box.seal(keys.preshared_key),
                   server_public_key=server_public_key, status="provisioning", expires_at=expires_at,
                   remind_at=next_reminder_at(expires_at, settings.reminder_offsets, clock.now()),
                   created_at=clock.now())
    peer.flush()  # a concurrent reservation of the same address fails here, and is retried
    return peer.id


def activate_peer(rt, order_id: int) -> bool:
    """Mark the order fulfilled and its peer active, once; queue the config delivery."""
    order = Order.get_for_update(id=order_id)
    if order.status != "paid" or order.peer is None:
        return False
    peer = order.peer
    peer.status = "active"
    mark_fulfilled(order)
    emit_event(rt.redis, "vpn.created", vpn_event_data(peer))
    after_commit(enqueue, rt.redis, tasks.SEND_VPN_CONFIG, peer.id, "created")
    return True


def extend_peer(rt, order_id: int) -> int | None:
    """Renewal: add one period, from the old expiry if it has not passed, else from now."""
    order = Order.get_for_update(id=order_id)
    if order.status != "paid" or order.renew_peer is None:
        return None
    peer = order.renew_peer
    plan = rt.settings.catalog.get(order.plan_id)
    peer.expires_at = max(peer.expires_at, clock.now()) + plan.duration
    peer.remind_at = next_reminder_at(peer.expires_at, rt.settings.reminder_offsets, clock.now())
    reason = "renewed"
    if peer.status == "expired":  # it left the server at expiry: it comes back, with its address if free
        reason = "readdressed" if _take_address_again(rt, peer) else "renewed"
        peer.status = "active"
    mark_fulfilled(order)
    emit_event(rt.redis, "vpn.renewed", vpn_event_data(peer))
    after_commit(enqueue, rt.redis, tasks.SYNC_PEER, peer.id)
    after_commit(enqueue, rt.redis, tasks.SEND_VPN_CONFIG, peer.id, reason)
    return peer.id


def _take_address_again(rt, peer: VpnPeer) -> bool:
    """Hold an address for a returning peer; True when it had to get a new one."""
    taken = VpnPeer.select(lambda p: p.interface == peer.interface and p.live_address is not None)
    held = {p.live_address for p in taken}
    moved = peer.address in held
    if moved:  # someone has it now: a new address, and a new config to download
        address = next_free_address(rt.settings.wg_subnet, held)
        if address is None:
            raise SubnetFull(f"no free address left in {rt.settings.wg_subnet}")
        peer.address = address
    peer.live_address = peer.address
    peer.flush()
    return moved


def should_be_on_server(peer: VpnPeer, moment: datetime | None = None) -> bool:
    return peer.status == "active" and peer.expires_at > (moment or clock.now())


def release_address(peer: VpnPeer, status: str) -> None:
    """The peer is off the server: let its address be reused."""
    peer.status, peer.live_address = status, None


def client_config(rt, peer: VpnPeer) -> str:
    return render_client_config(
        private_key=rt.box.open(peer.private_key_enc), address=peer.address, subnet=rt.settings.wg_subnet,
        dns=rt.settings.wg_dns, server_public_key=peer.server_public_key,
        preshared_key=rt.box.open(peer.preshared_key_enc), endpoint=rt.settings.wg_endpoint)


def vpn_event_data(peer: VpnPeer) -> dict:
    return {"telegram_id": peer.user.id, "peer_id": peer.id, "address": peer.address,
            "plan": peer.plan_id, "expires_at": clock.iso(peer.expires_at)}


def wg_prefix(rt) -> int:
    return client_prefix(rt.settings.wg_subnet)
