"""Fulfilling a VPN order: reserve the peer, put its key on the server, activate; undo on failure."""
from lib.errors import CannotFulfil
from lib.models import Order, VpnPeer
from lib.models.database import run_transaction
from lib.vpn.backend import BackendError
from lib.vpn.locations import backend_for, location_of
from lib.vpn.peers import SubnetFull, activate_peer, extend_peer, release_address, reserve_peer, secrets_of


def fulfil_vpn(rt, order_id: int, renew: bool) -> str:
    """A new key on the server (or one more period); safe to run again."""
    if renew:
        run_transaction(extend_peer, rt, order_id)
        return "renewed"
    location = location_of(rt.settings)
    server = backend_for(location)
    try:
        peer_id = run_transaction(reserve_peer, rt, order_id, location, server.server_identity(), server.issue_key())
    except SubnetFull as exc:
        raise CannotFulfil(str(exc)) from None
    server.add_key(run_transaction(lambda: secrets_of(rt, VpnPeer[peer_id])))
    run_transaction(activate_peer, rt, order_id)
    return "created"


def _settle(order_id, removed):
    order = Order[order_id]
    if order.peer is not None and order.peer.status == "provisioning":
        if removed:
            release_address(order.peer, "failed")
        else:  # may still be on the server: the address stays held until sync_peer removes it
            order.peer.status = "removing"


def _half_made(order_id):
    peer = Order[order_id].peer
    return (peer.public_key, peer.interface) if peer else (None, None)


def undo_vpn(rt, order_id: int) -> None:
    """Take a half-made peer off the server before the order is failed."""
    public_key, interface = run_transaction(_half_made, order_id)
    removed = True
    if public_key:
        try:
            backend_for(location_of(rt.settings, interface)).remove_key(public_key)
        except BackendError:
            removed = False
    run_transaction(_settle, order_id, removed)
