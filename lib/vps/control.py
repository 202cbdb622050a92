"""Power and lifecycle actions on a customer's VM, each run by jobs.vps_control under a lock."""
from lib import clock
from lib.models import VpsServer
from lib.models.database import run_transaction
from lib.vps import servers
from lib.vps.vm import clone_vm_from_template, configure_vm, destroy_vm, proxmox, reboot_vm, start_vm, stop_vm

ACTIONS = ("start", "stop", "reboot", "reinstall", "refresh")
CONTROLLABLE = ("running", "stopped")


def _record_status(server_id, status):
    server = VpsServer[server_id]
    if server.status in CONTROLLABLE or server.status == "reinstalling":
        server.status = status
    server.status_checked_at = clock.now()


def _new_password(rt, server_id):
    server = VpsServer[server_id]
    server.password_enc, server.status = rt.box.seal(servers.new_password()), "reinstalling"


def _reinstall(rt, px, server_id, server):
    run_transaction(_new_password, rt, server_id)
    destroy_vm(px, server["vmid"], server["name"])
    clone_vm_from_template(px, server_id, server["name"])
    server = run_transaction(servers.snapshot, rt, server_id)
    configure_vm(rt, px, server, rt.settings.catalog.get(server["plan_id"]))
    start_vm(px, server["vmid"])
    return server


def run_action(rt, server_id: int, action: str) -> str:
    """Do the action and return the server's resulting status."""
    server = run_transaction(servers.snapshot, rt, server_id)
    px, vmid = proxmox(rt), server["vmid"]
    if action == "reinstall":
        server = _reinstall(rt, px, server_id, server)
    elif action == "start":
        start_vm(px, vmid)
    elif action == "stop":
        stop_vm(px, vmid)
    elif action == "reboot":
        reboot_vm(px, vmid)
    live = (px.status(server["vmid"]) or {}).get("status", "missing")
    status = live if live in CONTROLLABLE else server["status"]
    run_transaction(_record_status, server_id, status)
    return status
