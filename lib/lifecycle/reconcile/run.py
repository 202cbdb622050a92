"""Each reconciler part in turn; one failing part does not stop the others."""
import json
import logging

from lib import clock

log = logging.getLogger(__name__)
TOTALS = "shop:reconcile:totals"  # repairs counted since Redis was last emptied, for metrics
LAST = "shop:reconcile:summary"  # the last run's summary, for an operator's look


def _parts(settings):
    from lib.lifecycle.reconcile.payments import reconcile_payments
    from lib.lifecycle.reconcile.proxmox import reconcile_proxmox
    from lib.lifecycle.reconcile.wireguard import reconcile_wireguard
    return (("payments", reconcile_payments, True), ("wireguard", reconcile_wireguard, settings.vpn_enabled),
            ("proxmox", reconcile_proxmox, settings.vps_enabled))


def _count(rt, summary: dict) -> None:
    """Add this run's numbers to running totals; counting never fails the run."""
    try:
        pipe = rt.redis.pipeline()
        for part, numbers in summary.items():
            for name, value in numbers.items() if isinstance(numbers, dict) else ():
                if isinstance(value, int) and value and name not in ("live", "vms", "orphans", "missing"):
                    pipe.hincrby(TOTALS, f"{part}.{name}", value)
        pipe.set(LAST, json.dumps(summary))
        pipe.execute()
    except Exception as exc:  # Redis is transport: the repairs are done and logged already
        log.warning("reconcile totals not counted: %s", type(exc).__name__)


def reconcile(rt) -> dict:
    """Payments, then WireGuard, then Proxmox drift; a JSON-able summary of what each found and did."""
    summary = {}
    for name, part, enabled in _parts(rt.settings):
        if not enabled:
            summary[name] = "off"
            continue
        try:
            summary[name] = part(rt)
        except Exception as exc:  # one broken provider or node must not keep the others unrepaired
            log.error("reconcile: %s part failed: %s: %s", name, type(exc).__name__, exc)
            summary[name] = {"errors": 1, "error": f"{type(exc).__name__}: {exc}"[:300]}
    summary["at"] = clock.iso(clock.now())
    _count(rt, summary)
    return summary
