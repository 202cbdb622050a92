"""What a customer does with their servers, from the bot or the mini app: list, look, power, reinstall,
password, SSH key. Power actions run in jobs.vps_control; one may wait per server at a time."""
from lib import tasks
from lib.errors import UserError
from lib.models import User, VpsServer
from lib.models.database import run_transaction
from lib.tasks import enqueue
from lib.vps import pending
from lib.vps.proxmox import ProxmoxError
from lib.vps.ssh_keys import checked_ssh_key

GONE = ("failed", "deleted")
CONTROLLABLE = ("running", "stopped")
POWER = ("start", "stop", "reboot")  # reinstall wipes the disk: only reinstall() queues it


def _facts(rt, server: VpsServer) -> dict:
    return {"id": server.id, "ip": server.ip, "status": server.status, "step": server.step,
            "plan_id": server.plan_id, "vmid": server.vmid, "expires_at": server.expires_at,
            "status_checked_at": server.status_checked_at, "pending": pending.pending_action(rt.redis, server.id)}


def _owned(server_id, user_id) -> VpsServer:
    server = VpsServer.get(id=server_id)
    if server is None or server.user.id != user_id or server.status in GONE:
        raise UserError("not_found")
    return server


def servers_of(rt, user_id: int) -> list:
    """The customer's servers, oldest first (failed and deleted ones left out), in the caller's transaction."""
    rows = VpsServer.select(lambda s: s.user.id == user_id and s.status not in GONE).order_by(VpsServer.id)
    return [_facts(rt, s) for s in rows]


def servers(rt, user_id: int) -> list:
    """The customer's servers, oldest first (failed and deleted ones left out)."""
    return run_transaction(servers_of, rt, user_id)


def server(rt, user_id: int, server_id: int, live: bool = False) -> dict:
    """One of the customer's servers; with `live`, `live_status` as Proxmox says now (None if unknown)."""
    facts = run_transaction(lambda: _facts(rt, _owned(server_id, user_id)))
    if live:
        facts["live_status"] = None
        if rt.settings.vps_enabled and facts["vmid"] and facts["status"] in CONTROLLABLE:
            from lib.vps.vm import proxmox  # the SDK only where a live look is asked for
            try:
                facts["live_status"] = (proxmox(rt).status(facts["vmid"]) or {}).get("status")
            except ProxmoxError:
                pass  # Proxmox unreachable: the last known state is shown
    return facts


def _queue_action(rt, user_id: int, server_id: int, action: str) -> dict:
    facts = server(rt, user_id, server_id)
    if facts["status"] not in CONTROLLABLE or not pending.claim(rt.redis, server_id, action):
        raise UserError("vps_busy_now", "vps_busy", server_id=server_id)
    enqueue(rt.redis, tasks.VPS_CONTROL, server_id, action, user_id)
    facts["pending"] = action
    return facts


def request_power(rt, user_id: int, server_id: int, action: str) -> dict:
    """Queue start, stop or reboot; one action waits per server at a time."""
    if action not in POWER:
        raise UserError("not_found")
    return _queue_action(rt, user_id, server_id, action)


def reinstall(rt, user_id: int, server_id: int, confirmed: bool) -> dict:
    """Wipe the disk and start again from the template (same IP, new password), only when confirmed."""
    server(rt, user_id, server_id)  # someone else's server is not found, confirmed or not
    if confirmed is not True:
        raise UserError("confirm_required")
    return _queue_action(rt, user_id, server_id, "reinstall")


def refresh(rt, user_id: int, server_id: int) -> dict:
    """Have a job read the server's state from Proxmox (the mini app polls the result)."""
    facts = server(rt, user_id, server_id)
    enqueue(rt.redis, tasks.VPS_CONTROL, server_id, "refresh", None)
    return facts


def password(rt, user_id: int, server_id: int) -> dict:
    """Login, password and address of the customer's own server."""
    def read():
        found = _owned(server_id, user_id)
        return {"id": found.id, "ip": found.ip, "password": rt.box.open(found.password_enc),
                "user": rt.settings.proxmox.ci_user if rt.settings.proxmox else "root"}
    return run_transaction(read)


def set_ssh_key(rt, user_id: int, text) -> str:
    """Keep the customer's public key for their next servers (and reinstalls)."""
    key = checked_ssh_key(text)

    def save():
        User[user_id].ssh_key = key
    run_transaction(save)
    return key

