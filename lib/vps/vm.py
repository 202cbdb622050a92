"""The VM steps every VPS path shares (provisioning, power actions, reinstall, expiry, cleanup).

Each step first looks at what is already there, so a retried or duplicated job continues where
the last one stopped instead of doing it twice.
"""
from urllib.parse import quote

from lib.models import VpsServer
from lib.models.database import run_transaction
from lib.vps import servers
from lib.vps.proxmox import Proxmox, ProxmoxError, disk_size_gb, ipconfig

CLONE_TIMEOUT, START_TIMEOUT, STOP_TIMEOUT, DESTROY_TIMEOUT = 900, 180, 120, 300
SHUTDOWN_GRACE = 60  # seconds the guest gets to shut down before it is stopped hard
VMID_TRIES = 5


def proxmox(rt) -> Proxmox:
    return Proxmox(rt.settings.proxmox)


def clone_vm_from_template(px: Proxmox, server_id: int, name: str) -> int:
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


def configure_vm(rt, px: Proxmox, server: dict, plan) -> None:
    """Size, cloud-init user, password, SSH key, address; the disk grown to the plan's size."""
    s = rt.settings.proxmox
    params = {"cores": plan.cores, "memory": plan.memory_mb, "ciuser": s.ci_user, "cipassword": server["password"],
              "ipconfig0": ipconfig(server["address"], s.gateway), "nameserver": s.nameserver, "tags": "shop"}
    if server["ssh_key"]:
        params["sshkeys"] = quote(server["ssh_key"].strip(), safe="")  # Proxmox wants it percent-encoded
    px.set_config(server["vmid"], **params)
    if disk_size_gb(px.config(server["vmid"]) or {}, s.disk) < plan.disk_gb:
        px.resize(server["vmid"], s.disk, f"{plan.disk_gb}G")  # absolute: a repeat changes nothing


def start_vm(px: Proxmox, vmid: int) -> None:
    if (px.status(vmid) or {}).get("status") != "running":
        px.wait(px.power(vmid, "start"), START_TIMEOUT, "start")
    px.wait_until(vmid, lambda s: s.get("status") == "running", START_TIMEOUT, "start")


def stop_vm(px: Proxmox, vmid: int) -> None:
    """ACPI shutdown first; a guest that ignores it is stopped hard."""
    try:
        px.wait(px.power(vmid, "shutdown", timeout=SHUTDOWN_GRACE), SHUTDOWN_GRACE + 30, "shutdown")
    except ProxmoxError:
        pass
    if (px.status(vmid) or {}).get("status") != "stopped":
        px.wait(px.power(vmid, "stop"), STOP_TIMEOUT, "stop")


def reboot_vm(px: Proxmox, vmid: int) -> None:
    if (px.status(vmid) or {}).get("status") == "running":
        px.wait(px.power(vmid, "reboot"), START_TIMEOUT, "reboot")


def destroy_vm(px: Proxmox, vmid: int, name: str) -> None:
    """Stop and destroy our VM; a VM that is gone (or not ours) is left alone."""
    config = px.config(vmid)
    if config is None or config.get("name") != name:
        return
    px.wait_until(vmid, lambda s: not s.get("lock"), CLONE_TIMEOUT, "unlock")
    if (px.status(vmid) or {}).get("status") == "running":
        px.wait(px.power(vmid, "stop"), STOP_TIMEOUT, "stop")
    px.wait(px.destroy(vmid), DESTROY_TIMEOUT, "destroy")
