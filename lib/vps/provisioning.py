"""Provisioning a VM for a paid order: reserve → clone → configure → start → ready.

Every step first looks at what is already there, so a retried or duplicated job continues
where the last one stopped instead of cloning again. Undo stops and destroys the VM and puts
the address back in the pool; if Proxmox cannot be reached, the server stays "removing" with
its address and VM id held until jobs.cleanup_vps succeeds.
"""
from urllib.parse import quote

from lib.models.database import run_transaction
from lib.models import Order, VpsServer
from lib.vps import servers
from lib.vps.progress import report_progress
from lib.vps.proxmox import Proxmox, ProxmoxError, disk_size_gb, ipconfig

CLONE_TIMEOUT, START_TIMEOUT, STOP_TIMEOUT, DESTROY_TIMEOUT = 900, 180, 120, 300
VMID_TRIES = 5


def proxmox(rt) -> Proxmox:
    return Proxmox(rt.settings.proxmox)


def _ensure_clone(px: Proxmox, server_id: int, name: str) -> int:
    """The VM with our name at our recorded id, cloned if missing; its id."""
    for _ in range(VMID_TRIES):
        vmid = run_transaction(lambda: VpsServer[server_id].vmid)
        if vmid is None:
            vmid = run_transaction(servers.record_vmid, server_id, px.next_vmid())
        config = px.config(vmid)
        if config is not None and config.get("name") != name:
            run_transaction(servers.forget_vmid, server_id)  # someone else's VM took the id first
            continue
        if config is not None:  # a first try cloned it; wait out a clone still running
            px.wait_until(vmid, lambda s: not s.get("lock"), CLONE_TIMEOUT, "clone")
            return vmid
        try:
            upid = px.clone(vmid, name)
        except ProxmoxError as exc:
            if "already exists" in str(exc):
                run_transaction(servers.forget_vmid, server_id)
                continue
            raise
        px.wait(upid, CLONE_TIMEOUT, "clone")
        return vmid
    raise ProxmoxError("no free VM id after several tries")


def _configure(rt, px: Proxmox, server: dict, plan) -> None:
    s = rt.settings.proxmox
    params = {"cores": plan.cores, "memory": plan.memory_mb, "ciuser": s.ci_user, "cipassword": server["password"],
              "ipconfig0": ipconfig(server["address"], s.gateway), "nameserver": s.nameserver, "tags": "shop"}
    if server["ssh_key"]:
        params["sshkeys"] = quote(server["ssh_key"].strip(), safe="")  # Proxmox wants it percent-encoded
    px.set_config(server["vmid"], **params)
    if disk_size_gb(px.config(server["vmid"]) or {}, s.disk) < plan.disk_gb:
        px.resize(server["vmid"], s.disk, f"{plan.disk_gb}G")  # absolute: a repeat changes nothing


def _start(px: Proxmox, vmid: int) -> None:
    if (px.status(vmid) or {}).get("status") != "running":
        px.wait(px.power(vmid, "start"), START_TIMEOUT, "start")
    px.wait_until(vmid, lambda s: s.get("status") == "running", START_TIMEOUT, "start")


def _step(rt, server_id, step):
    run_transaction(servers.set_step, server_id, step)
    report_progress(rt, server_id)


def fulfil_vps(rt, order_id: int, renew: bool) -> str:
    if renew:
        run_transaction(servers.extend_server, rt, order_id)
        return "renewed"
    server_id = run_transaction(servers.reserve_server, rt, order_id)
    report_progress(rt, server_id)
    px = proxmox(rt)
    name = run_transaction(lambda: servers.snapshot(rt, server_id)["name"])
    _step(rt, server_id, "cloning")
    _ensure_clone(px, server_id, name)
    _step(rt, server_id, "configuring")
    server = run_transaction(servers.snapshot, rt, server_id)
    _configure(rt, px, server, rt.settings.catalog.get(server["plan_id"]))
    _step(rt, server_id, "starting")
    _start(px, server["vmid"])
    if run_transaction(servers.activate_server, rt, order_id):
        report_progress(rt, server_id)
    return "created"


def destroy_vm(px: Proxmox, vmid: int, name: str) -> None:
    """Stop and destroy our VM; a VM that is gone (or not ours) is left alone."""
    config = px.config(vmid)
    if config is None or config.get("name") != name:
        return
    px.wait_until(vmid, lambda s: not s.get("lock"), CLONE_TIMEOUT, "unlock")
    if (px.status(vmid) or {}).get("status") == "running":
        px.wait(px.power(vmid, "stop"), STOP_TIMEOUT, "stop")
    px.wait(px.destroy(vmid), DESTROY_TIMEOUT, "destroy")


def remove_server(rt, server_id: int) -> bool:
    """Destroy the server's VM and free its address; False (and held) if Proxmox would not."""
    server = run_transaction(servers.snapshot, rt, server_id)
    try:
        if server["vmid"] is not None:
            destroy_vm(proxmox(rt), server["vmid"], server["name"])
    except ProxmoxError:
        run_transaction(servers.set_step, server_id, "removing", "removing")
        return False
    run_transaction(servers.release_server, server_id)
    return True


def undo_vps(rt, order_id: int) -> None:
    """Before a failed order is closed: no half-made VM and no reserved address survive."""
    server_id = run_transaction(lambda: Order[order_id].server.id if Order[order_id].server else None)
    if server_id is not None and run_transaction(lambda: servers.snapshot(rt, server_id)["status"]) != "running":
        remove_server(rt, server_id)
