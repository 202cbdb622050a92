"""Refund an order: money back (balance or provider), the service it bought removed, ledger unwound.

`via`: "balance" (credit the balance), "provider" (pay back through YooKassa; Crypto Pay has no
refund call, so its orders are refunded to the balance), or "notified" (the provider already
paid back — its refund.succeeded notification — so only the books and the service follow).
"""
import logging

from lib.billing.refunds import RefundRefused, record_refund, refundable
from lib.models.database import run_transaction
from lib.exclusive import exclusive
from lib.models import VpnPeer
from lib.payments.yookassa_gateway import refund_payment
from lib.runtime import current
from lib.vpn.peers import release_address
from lib.vpn.sync import wg_server
from lib.vps.provisioning import remove_server

log = logging.getLogger(__name__)


def _remove_service(rt, facts) -> None:
    if facts["renewal"]:
        return  # a renewal only gives its period back (record_refund shortens it)
    if facts["peer_id"]:
        key = run_transaction(lambda: VpnPeer[facts["peer_id"]].public_key)
        wg_server(rt).remove_peer(key)
        run_transaction(lambda: release_address(VpnPeer[facts["peer_id"]], "failed"))
    if facts["server_id"] and not remove_server(rt, facts["server_id"]):
        raise RuntimeError("the VM could not be removed yet; the refund is retried")


def run(order_id: int, via: str = "balance", reason: str = "refund") -> str:
    rt = current()
    with exclusive(f"order:{order_id}", wait=60) as held:  # never beside a fulfilment
        if not held:
            raise RuntimeError(f"order {order_id} is busy; the refund is retried")
        try:
            facts = run_transaction(refundable, order_id)
        except RefundRefused as refused:
            return f"refused: {refused}"
        to_provider = via == "notified" or (via == "provider" and facts["yookassa_payment"] is not None)
        if via == "provider" and to_provider:
            refund_payment(rt.settings, payment_id=facts["yookassa_payment"], order_id=order_id,
                           amount=f"{facts['amount']:.2f}", currency="RUB")
        _remove_service(rt, facts)
        done = run_transaction(record_refund, rt, order_id, to_provider, reason)
        log.info("order %s refunded via %s: %s", order_id, "provider" if to_provider else "balance", done)
        return "refunded" if done else "already refunded"
