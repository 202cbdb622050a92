"""Power and lifecycle actions on a customer's VM, each run by jobs.vps_control under a lock."""
from lib import clock
from lib.models.database import run_transaction
from lib.models import VpsServer
from lib.vps import servers
from lib.vps.provisioning import (START_TIMEOUT, STOP_TIMEOUT, _configure, _ensure_clone, _start, destroy_vm,
                                  proxmox)

ACTIONS = ("start", "stop", "reboot", "reinstall", "refresh")
SHUTDOWN_GRACE = 60  # seconds the guest gets to shut down before it is stopped hard
CONTROLLABLE = ("running", "stopped")


def owned_server(server_id: int, user_id: int) -> dict | None:
    """The server as a dict if it is this user's and exists, else None."""
    server = VpsServer.get(id=server_id)
    if server is None or server.user.id != user_id or server.status in ("failed", "deleted"):
        return None
    return {"id": server.id, "status": server.status, "ip": server.ip, "plan_id": server.plan_id,
            "expires_at": server.expires_at, "vmid": server.vmid}


def _record_status(server_id, status):
    server = VpsServer[server_id]
    if server.status in CONTROLLABLE or server.status == "reinstalling":
        server.status = status
    server.status_checked_at = clock.now()


def _new_password(rt, server_id):
    server = VpsServer[server_id]
    server.password_enc, server.status = rt.box.seal(servers.new_password()), "reinstalling"


def stop_gracefully(px, vmid: int) -> None:
    """ACPI shutdown first; a guest that ignores it is stopped hard."""
    from lib.vps.proxmox import ProxmoxError
    try:
        px.wait(px.power(vmid, "shutdown", timeout=SHUTDOWN_GRACE), SHUTDOWN_GRACE + 30, "shutdown")
    except ProxmoxError:
        pass
    if (px.status(vmid) or {}).get("status") != "stopped":
        px.wait(px.power(vmid, "stop"), STOP_TIMEOUT, "stop")


def run_action(rt, server_id: int, action: str) -> str:
    """Do the action and return the server's resulting status."""
    server = run_transaction(servers.snapshot, rt, server_id)
    px, vmid = proxmox(rt), server["vmid"]
    if action == "reinstall":
        run_transaction(_new_password, rt, server_id)
        destroy_vm(px, vmid, server["name"])
        _ensure_clone(px, server_id, server["name"])
        server = run_transaction(servers.snapshot, rt, server_id)
        _configure(rt, px, server, rt.settings.catalog.get(server["plan_id"]))
        _start(px, server["vmid"])
    elif action == "start":
        _start(px, vmid)
    elif action == "stop":
        stop_gracefully(px, vmid)
    elif action == "reboot" and (px.status(vmid) or {}).get("status") == "running":
        px.wait(px.power(vmid, "reboot"), START_TIMEOUT, "reboot")
    live = (px.status(server["vmid"]) or {}).get("status", "missing")
    status = live if live in CONTROLLABLE else server["status"]
    run_transaction(_record_status, server_id, status)
    return status
