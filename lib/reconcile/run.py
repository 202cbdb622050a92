"""Each reconciler part in turn; one failing part does not stop the others."""
import logging

log = logging.getLogger(__name__)


def reconcile(rt) -> dict:
    summary = {}
    return summary
