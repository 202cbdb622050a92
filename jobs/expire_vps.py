"""A VPS reached its expiry (stop it: suspended) or the end of its grace (destroy it: expired)."""
from lib import tasks
from lib.exclusive import busy_for, exclusive
from lib.lifecycle.expiry import record_vps_deleted, record_vps_suspended, vps_expiry_step
from lib.models.database import run_transaction
from lib.runtime import current
from lib.tasks import enqueue_in
from lib.vps import servers
from lib.vps.vm import destroy_vm, proxmox, stop_vm


def run(server_id: int) -> str:
    rt = current()
    if not rt.settings.vps_enabled:
        return "vps off"
    # The lock power actions take too: an expiry never runs beside a reinstall.
    with exclusive(f"vps:{server_id}") as held:
        if not held:  # a power action or a dead job's lapsing lock: try again once it is free
            enqueue_in(rt.redis, busy_for(f"vps:{server_id}") + 0.5, tasks.EXPIRE_VPS, server_id)
            return "busy"
        step = run_transaction(vps_expiry_step, rt, server_id)
        if step is None:
            return "not due"
        server = run_transaction(servers.snapshot, rt, server_id)
        px = proxmox(rt)
        if step == "suspend":
            if server["vmid"] is not None and px.config(server["vmid"]) is not None:
                stop_vm(px, server["vmid"])
            return "suspended" if run_transaction(record_vps_suspended, rt, server_id) else "already done"
        if server["vmid"] is not None:
            destroy_vm(px, server["vmid"], server["name"])
        return "deleted" if run_transaction(record_vps_deleted, rt, server_id) else "already done"
