"""Run one power or lifecycle action on a VM and tell its owner how it went."""
import logging

from lib import tasks
from lib.exclusive import exclusive
from lib.models.database import run_transaction
from lib.runtime import current
from lib.tasks import enqueue
from lib.vps import pending, servers
from lib.vps.control import ACTIONS, run_action
from lib.vps.proxmox import ProxmoxError

log = logging.getLogger(__name__)


def _tell(rt, user_id, key, params) -> None:
    if user_id:
        enqueue(rt.redis, tasks.NOTIFY_USER, user_id, key, params)


def run(server_id: int, action: str, user_id: int | None = None) -> str:
    rt = current()
    if action not in ACTIONS or not rt.settings.vps_enabled:
        return "refused"
    with exclusive(f"vps:{server_id}") as held:
        if not held:
            _tell(rt, user_id, "vps_busy", {"server_id": server_id})
            return "busy"
        try:
            status = run_action(rt, server_id, action)
        except ProxmoxError as exc:
            log.warning("action %s on server %s failed: %s", action, server_id, exc)
            _tell(rt, user_id, "vps_action_failed", {"server_id": server_id})
            return "failed"
        finally:
            if action != "refresh":
                pending.release(rt.redis, server_id)
    if action == "reinstall":
        server = run_transaction(servers.snapshot, rt, server_id)
        _tell(rt, user_id, "vps_reinstalled", {"server_id": server_id, "ip": server["ip"],
                                               "user": rt.settings.proxmox.ci_user, "password": server["password"]})
    elif action != "refresh":
        _tell(rt, user_id, f"vps_{action}_done", {"server_id": server_id})
    return status
