"""The mini app's VPS endpoints: the customer's servers, power actions, password, SSH key."""
import re

from lib import clock
from lib.models.database import run_transaction
from lib.models import User, VpsServer
from lib import tasks
from lib.tasks import enqueue
from lib.vps.pending import pending_key

POWER = ("start", "stop", "reboot", "refresh")
PENDING_TTL = 1800  # an action the job never got to (Redis lost it) stops blocking after this
_SSH_KEY = re.compile(r"^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+=*( [^\n]{0,200})?$")


def _api_error(status, code, message=None):
    from lib.miniapp.api import ApiError
    return ApiError(status, code, message)


def server_json(rt, server) -> dict:
    plan = rt.settings.catalog.get(server.plan_id)
    pending = rt.redis.get(pending_key(server.id))
    return {"id": server.id, "ip": server.ip, "status": server.status, "step": server.step,
            "pending": pending.decode() if pending else None,
            "plan": server.plan_id, "plan_title": plan.title_in(server.user.language) if plan else server.plan_id,
            "cores": plan.cores if plan else None, "memory_mb": plan.memory_mb if plan else None,
            "disk_gb": plan.disk_gb if plan else None, "expires_at": clock.iso(server.expires_at),
            "status_checked_at": clock.iso(server.status_checked_at)}


def servers_json(rt, user) -> list:
    servers = VpsServer.select(lambda s: s.user == user and s.status not in ("failed", "deleted"))
    return [server_json(rt, s) for s in servers.order_by(VpsServer.id)]


def _owned(rt, server_id, user_id):
    server = VpsServer.get(id=server_id)
    if server is None or server.user.id != user_id or server.status in ("failed", "deleted"):
        raise _api_error(404, "not_found")
    return server


def power(rt, customer, body, server_id, action="refresh"):
    """Queue a power action (status is read live from Proxmox by the job); 202 with the server."""
    server = run_transaction(lambda: server_json(rt, _owned(rt, server_id, customer["id"])))
    if action != "refresh":
        busy = server["status"] not in ("running", "stopped")
        if busy or not rt.redis.set(pending_key(server_id), action, nx=True, ex=PENDING_TTL):
            raise _api_error(409, "vps_busy_now")
        server["pending"] = action
    enqueue(rt.redis, tasks.VPS_CONTROL, server_id, action, None if action == "refresh" else customer["id"])
    return 202, {"server": server, "queued": action}


def reinstall(rt, customer, body, server_id):
    if not isinstance(body, dict) or body.get("confirm") is not True:
        raise _api_error(400, "confirm_required", 'reinstalling wipes the disk: send {"confirm": true}')
    return power(rt, customer, body, server_id, "reinstall")


def password(rt, customer, body, server_id):
    def load():
        server = _owned(rt, server_id, customer["id"])
        return {"ip": server.ip, "user": rt.settings.proxmox.ci_user if rt.settings.proxmox else "root",
                "password": rt.box.open(server.password_enc)}
    return 200, run_transaction(load)


def set_ssh_key(rt, customer, body):
    key = " ".join(str((body or {}).get("ssh_key", "")).split()) if isinstance(body, dict) else ""
    if len(key) > 4000 or not _SSH_KEY.match(key):
        raise _api_error(400, "ssh_key_invalid")

    def save():
        User[customer["id"]].ssh_key = key
    run_transaction(save)
    return 200, {"ssh_key": key}
