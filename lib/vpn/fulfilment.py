"""Fulfilling a VPN order: reserve the peer, add it to the interface, activate; undo on failure."""
from lib.models.database import run_transaction
from lib.fulfilment import CannotFulfil
from lib.models import Order, VpnPeer
from lib.vpn.peers import SubnetFull, activate_peer, extend_peer, release_address, reserve_peer, wg_prefix
from lib.vpn.sync import wg_server
from lib.vpn.wireguard.server import WireGuardError


def _peer_material(rt, peer_id):
    peer = VpnPeer[peer_id]
    return peer.public_key, rt.box.open(peer.preshared_key_enc), peer.address


def fulfil_vpn(rt, order_id: int, renew: bool) -> str:
    """A new peer on the live interface (or one more period); safe to run again."""
    if renew:
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


def _settle(order_id, removed):
    order = Order[order_id]
    if order.peer is not None and order.peer.status == "provisioning":
        if removed:
            release_address(order.peer, "failed")
        else:  # may still be on the server: the address stays held until sync_peer removes it
            order.peer.status = "removing"


def undo_vpn(rt, order_id: int) -> None:
    """Take a half-made peer off the server before the order is failed."""
    peer_key = run_transaction(lambda: Order[order_id].peer.public_key if Order[order_id].peer else None)
    removed = True
    if peer_key:
        try:
            wg_server(rt).remove_peer(peer_key)
        except WireGuardError:
            removed = False
    run_transaction(_settle, order_id, removed)
