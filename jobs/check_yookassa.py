"""Re-read a payment or refund YooKassa notified us about, and apply it if YooKassa itself says so."""
import logging

from lib.billing.settlement import settle, settle_refund
from lib.payments import ProviderOff, RefundFact, get_provider
from lib.runtime import current

log = logging.getLogger(__name__)


def run(kind: str, object_id: str) -> str:
    rt = current()
    try:
        provider = get_provider(rt.settings, "yookassa")
    except ProviderOff:
        return "yookassa off"
    fact = provider.fact_for(kind, object_id)  # unreachable: PaymentProviderError, and RQ tries again later
    if fact is None:
        log.info("YooKassa knows no %s %s: the notification is dropped", kind, object_id)
        return "not_found"
    return settle_refund(rt, fact) if isinstance(fact, RefundFact) else settle(rt, fact)
