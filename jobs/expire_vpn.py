"""A VPN peer reached its expiry: take it off the server, then record it (once) and tell the owner."""
from lib.models.database import run_transaction
from lib.lifecycle.expiry import record_vpn_expired, vpn_expiry_due
from lib.runtime import current
from lib.vpn.sync import wg_server


def run(peer_id: int) -> str:
    rt = current()
    public_key = run_transaction(vpn_expiry_due, peer_id)
    if public_key is None:
        return "not due"
    wg_server(rt).remove_peer(public_key)  # the address is reused only once the peer is gone
    return "expired" if run_transaction(record_vpn_expired, rt, peer_id) else "already done"
