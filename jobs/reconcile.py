"""Run the reconciler once (queued by cron_tick every RECONCILE_EVERY)."""
import logging

from lib.runtime import current

log = logging.getLogger(__name__)


def run() -> dict:
    from lib.reconcile.run import reconcile
    summary = reconcile(current())
    log.info("reconcile: %s", summary)
    return summary
