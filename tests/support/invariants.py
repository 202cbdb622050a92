"""What must hold after any test that moves money or services (issue: lifecycle and recovery)."""
from collections import Counter
from decimal import Decimal

from pony.orm import db_session, select

from lib.models import LedgerEntry, Order, User, VpnPeer, VpsServer


def check_invariants(lab=None, proxmox=None, allow_paid=()):
    """Assert the books and the outside world agree; `allow_paid`: order ids still legitimately in flight."""
    with db_session:
        for order in Order.select(lambda o: o.status == "paid"):
            assert order.id in allow_paid, f"order {order.id} is paid but neither fulfilled nor refunded"
        for order in Order.select(lambda o: o.status == "failed" and o.paid_at is not None):
            assert LedgerEntry.get(kind="refund", ref=f"order:{order.id}"), f"failed order {order.id} kept the money"
        for user in User.select():
            total = sum((e.amount for e in user.ledger), Decimal("0"))
            assert user.balance == total, f"user {user.id}: balance {user.balance} but ledger says {total}"
            assert user.balance >= 0
        live_peers = {p.public_key: p for p in VpnPeer.select(lambda p: p.live_address is not None)}
        assert len({p.live_address for p in live_peers.values()}) == len(live_peers)
        active_keys = {p.public_key for p in VpnPeer.select(lambda p: p.status == "active")}
        live_ips = select(s.live_ip for s in VpsServer if s.live_ip is not None)[:]
        assert len(set(live_ips)) == len(live_ips)
        owned_vmids = set(select(s.vmid for s in VpsServer if s.vmid is not None)[:])
    if lab is not None:
        on_server = lab.peers()
        ips = Counter(ip for peer in on_server for ip in peer.allowed_ips)
        assert all(n == 1 for n in ips.values()), f"an address is on the interface twice: {ips}"
        strangers = [p.public_key for p in on_server if p.public_key not in active_keys]
        assert not strangers, f"peers on the server without a live owner: {strangers}"
    if proxmox is not None:
        orphans = [vm["vmid"] for vm in proxmox.vms() if vm["vmid"] not in owned_vmids]
        assert not orphans, f"VMs without a live owner: {orphans}"
