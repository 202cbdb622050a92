"""Run the reconciler once (queued by cron_tick every RECONCILE_EVERY)."""
import logging

from lib.exclusive import exclusive
from lib.runtime import current

log = logging.getLogger(__name__)


def run() -> dict:
    from lib.lifecycle.reconcile.run import reconcile
    rt = current()
    # A slow run (a Proxmox destroy) can outlast RECONCILE_EVERY: the next one then steps aside.
    with exclusive("reconcile") as held:
        if not held:
            return {"busy": True}
        summary = reconcile(rt)
    log.info("reconcile: %s", summary)
    return summary
