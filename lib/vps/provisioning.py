"""Provisioning a VM for a paid order: reserve → clone → configure → start → ready.

A retried or duplicated job continues where the last one stopped (lib.vps.vm). Undo stops and
destroys the VM and puts the address back in the pool; if Proxmox cannot be reached, the server
stays "removing" with its address and VM id held until jobs.cleanup_vps succeeds. Progress is
reported through `report(server_id)`, so this module knows nothing of how it is shown.
"""
from lib.models import Order
from lib.models.database import run_transaction
from lib.vps import servers
from lib.vps.proxmox import ProxmoxError
from lib.vps.vm import clone_vm_from_template, configure_vm, destroy_vm, proxmox, start_vm


def _quiet(server_id: int) -> None:
    """No progress reports (Telegram is off, or nobody watches)."""


def fulfil_vps(rt, order_id: int, renew: bool, report=_quiet) -> str:
    if renew:
        run_transaction(servers.extend_server, rt, order_id)
        return "renewed"
    server_id = run_transaction(servers.reserve_server, rt, order_id)
    report(server_id)
    px = proxmox(rt)
    name = run_transaction(lambda: servers.snapshot(rt, server_id)["name"])

    def step(name_of_step):
        run_transaction(servers.set_step, server_id, name_of_step)
        report(server_id)

    step("cloning")
    clone_vm_from_template(px, server_id, name)
    step("configuring")
    server = run_transaction(servers.snapshot, rt, server_id)
    configure_vm(rt, px, server, rt.settings.catalog.get(server["plan_id"]))
    step("starting")
    start_vm(px, server["vmid"])
    if run_transaction(servers.activate_server, rt, order_id):
        report(server_id)
    return "created"


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
