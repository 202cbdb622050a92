"""Fulfil a paid order: a WireGuard peer for a new VPN, or one more period for a renewal.

Safe to run twice or twice at once: a Redis lock lets one copy work while the other returns,
the peer row (one per order, unique address) is found again by a retry, `wg set` of the same
peer changes nothing, and the order moves to fulfilled only once. When the attempts run out,
the half-made peer is removed, the money goes back to the balance and the customer is told.
"""
import logging

from redis.exceptions import LockError

from lib.billing.orders import FULFIL_RETRIES, fail_order
from lib.db import run_transaction
from lib.models import Order
from lib.runtime import current
from lib.vpn import SubnetFull, activate_peer, extend_peer, release_address, reserve_peer, wg_prefix
from lib.vpn_sync import wg_server
from lib.wireguard.server import WireGuardError

log = logging.getLogger(__name__)
MAX_ATTEMPTS = FULFIL_RETRIES + 1


class CannotFulfil(RuntimeError):
    """Retrying will not help (product off, subnet full): fail the order now."""


def _order_info(order_id):
    order = Order.get(id=order_id)
    if order is None:
        return None
    return {"status": order.status, "product": order.product, "renew": order.renew_peer is not None}


def _peer_material(rt, peer_id):
    from lib.models import VpnPeer
    peer = VpnPeer[peer_id]
    return peer.public_key, rt.box.open(peer.preshared_key_enc), peer.address


def _fulfil(rt, order_id) -> str:
    info = run_transaction(_order_info, order_id)
    if info is None or info["status"] != "paid":
        return "nothing to do"
    if info["product"] != "vpn" or not rt.settings.vpn_enabled:
        raise CannotFulfil(f"{info['product'].upper()} sales are not available")
    if info["renew"]:
        run_transaction(extend_peer, rt, order_id)
        return "renewed"
    server = wg_server(rt)
    try:
        peer_id = run_transaction(reserve_peer, rt, order_id, server.public_key())
    except SubnetFull as exc:
        raise CannotFulfil(str(exc)) from None
    public_key, psk, address = run_transaction(_peer_material, rt, peer_id)
    server.add_peer(public_key, psk, address, wg_prefix(rt))
    run_transaction(activate_peer, rt, order_id)
    return "created"


def _count_attempt(order_id, error):
    order = Order[order_id]
    order.attempts += 1
    order.error = error[:500]
    return order.attempts


def _close_failed(rt, order_id, error, removed):
    order = Order[order_id]
    if order.peer is not None and order.peer.status == "provisioning":
        if removed:
            release_address(order.peer, "failed")
        else:  # still maybe on the server: keep the address held until sync_peer removes it
            order.peer.status = "removing"
    fail_order(rt.redis, order, error)


def _give_up(rt, order_id, error) -> None:
    peer_key = run_transaction(lambda: (Order[order_id].peer.public_key if Order[order_id].peer else None))
    removed = True
    if peer_key:
        try:
            wg_server(rt).remove_peer(peer_key)
        except WireGuardError:
            removed = False
    run_transaction(_close_failed, rt, order_id, error, removed)
    log.warning("order %s failed for good: %s", order_id, error)


def run(order_id: int) -> str:
    rt = current()
    lock = rt.redis.lock(f"shop:lock:fulfil:{order_id}", timeout=600)
    if not lock.acquire(blocking=False):
        return "busy"  # another copy is working on this order right now
    try:
        return _fulfil(rt, order_id)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        attempts = run_transaction(_count_attempt, order_id, error)
        if isinstance(exc, CannotFulfil) or attempts >= MAX_ATTEMPTS:
            _give_up(rt, order_id, str(exc))
            return "failed"
        raise  # RQ runs the job again after the back-off
    finally:
        try:
            lock.release()
        except LockError:
            pass
