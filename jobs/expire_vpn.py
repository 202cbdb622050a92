"""A VPN key reached its expiry: take it off its server, then record it (once) and tell the owner."""
from lib.lifecycle.expiry import record_vpn_expired, vpn_expiry_due
from lib.models.database import run_transaction
from lib.runtime import current
from lib.vpn.locations import backend


def run(peer_id: int) -> str:
    rt = current()
    due = run_transaction(vpn_expiry_due, peer_id)
    if due is None:
        return "not due"
    public_key, interface = due
    backend(rt, interface).remove_key(public_key)  # the address is reused only once the key is gone
    return "expired" if run_transaction(record_vpn_expired, rt, peer_id) else "already done"
