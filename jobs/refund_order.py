"""Refund an order: money back (balance or provider), the service it bought removed, ledger unwound.

`via`: "balance" (credit the balance), "provider" (pay back through the provider that took the
money; one that cannot, like Crypto Pay, refunds to the balance), or "notified" (the provider
already paid back — YooKassa's refund.succeeded — so only the books and the service follow).
"""
import logging

from lib import tasks
from lib.billing.refunds import RefundRefused, record_refund, refundable
from lib.exclusive import busy_for, exclusive
from lib.models import VpnPeer
from lib.models.database import run_transaction
from lib.payments import ProviderOff, RefundUnsupported, get_provider
from lib.runtime import current
from lib.tasks import enqueue_in
from lib.vpn.locations import backend
from lib.vpn.peers import release_address
from lib.vps.provisioning import remove_server

log = logging.getLogger(__name__)


def _remove_service(rt, facts) -> None:
    if facts["renewal"]:
        return  # a renewal only gives its period back (record_refund shortens it)
    if facts["peer_id"]:
        key, interface = run_transaction(lambda: (VpnPeer[facts["peer_id"]].public_key,
                                                  VpnPeer[facts["peer_id"]].interface))
        backend(rt, interface).remove_key(key)
        run_transaction(lambda: release_address(VpnPeer[facts["peer_id"]], "failed"))
    if facts["server_id"] and not remove_server(rt, facts["server_id"]):
        raise RuntimeError("the VM could not be removed yet; the refund is retried")


def _pay_back(rt, order_id, facts) -> bool:
    """True when the provider paid the money back; False: it goes to the balance instead."""
    if facts["payment_id"] is None:
        return False
    try:
        get_provider(rt.settings, facts["provider"]).refund(facts["payment_id"], order_id, *facts["paid"])
    except (RefundUnsupported, ProviderOff):
        return False
    return True


def run(order_id: int, via: str = "balance", reason: str = "refund") -> str:
    rt = current()
    with exclusive(f"order:{order_id}") as held:  # never beside a fulfilment
        if not held:  # back when the holder's lock would lapse (a dead holder's does within JOB_LOCK_TTL)
            enqueue_in(rt.redis, busy_for(f"order:{order_id}") + 0.5, tasks.REFUND_ORDER, order_id, via, reason)
            return "busy"
        try:
            facts = run_transaction(refundable, order_id)
        except RefundRefused as refused:
            return f"refused: {refused}"
        to_provider = via == "notified" or (via == "provider" and _pay_back(rt, order_id, facts))
        _remove_service(rt, facts)
        done = run_transaction(record_refund, rt, order_id, to_provider, reason)
        log.info("order %s refunded via %s: %s", order_id, "provider" if to_provider else "balance", done)
        return "refunded" if done else "already refunded"
