"""Proxmox drift: the shop's VMs that no live server owns, and live servers whose VM is gone.

The database is read before the VM list: a VM destroyed and released meanwhile is then still
owned in what we read, and a clone started meanwhile is locked in the list, so neither is
taken for an orphan. An orphan is reported once and destroyed only after ORPHAN_GRACE.
"""
import logging
import re
from datetime import timedelta

from pony.orm import select

from lib import clock, tasks
from lib.exclusive import is_held
from lib.models import DriftFinding, VpsServer
from lib.models.database import after_commit, run_transaction
from lib.tasks import enqueue
from lib.vps.proxmox import ProxmoxError
from lib.vps.vm import destroy_vm, proxmox

log = logging.getLogger(__name__)
ORPHAN_GRACE = timedelta(hours=1)
NAME_PREFIX, TAG = "shop-vps-", "shop"
HOLDS_VM = ("reserved", "running", "stopped", "suspended", "reinstalling", "removing")
MUST_EXIST = ("running", "stopped", "suspended")
WHEN = "%Y-%m-%d %H:%M UTC"


def is_ours(vm: dict) -> bool:
    """Named or tagged by the shop (Proxmox joins tags with ';', older versions also ',' or ' ')."""
    tags = re.split(r"[;,\s]+", str(vm.get("tags") or ""))
    return str(vm.get("name") or "").startswith(NAME_PREFIX) or TAG in tags


def _servers(rt) -> list:
    now = clock.now()
    rows = select((s.id, s.vmid, s.status, s.ip, s.node, s.expires_at, s.user.id) for s in VpsServer
                  if s.vmid is not None and s.status in HOLDS_VM)[:]
    return [{"id": r[0], "vmid": r[1], "status": r[2], "ip": r[3], "node": r[4], "user_id": r[6],
             # a suspended server past its grace is being deleted by expire_vps right now
             "deleting": r[2] == "suspended" and r[5] <= now - rt.settings.vps_grace} for r in rows]


def _alert(rt, key: str, params: dict) -> None:
    after_commit(enqueue, rt.redis, tasks.NOTIFY_ADMINS, key, params)


def _note(rt, kind: str, found: dict, alert_key: str) -> tuple:
    """Record new findings of `kind` (alerting once), drop cleared ones: (how many new, keys past the grace)."""
    now, old, new = clock.now(), [], 0
    for finding in DriftFinding.select(lambda f: f.kind == kind)[:]:
        if finding.key not in found:
            log.info("reconcile: %s %s cleared", kind, finding.key)
            finding.delete()
        elif finding.first_seen <= now - ORPHAN_GRACE:
            old.append(finding.key)
    for key, params in found.items():
        if DriftFinding.get(kind=kind, key=key) is None:
            DriftFinding(kind=kind, key=key, first_seen=now, reported_at=now)
            _alert(rt, alert_key, params)
            new += 1
            log.warning("reconcile: %s %s found: %s", kind, key, params)
    return new, old


def _still_orphan(vmid: int) -> bool:
    return VpsServer.get(vmid=vmid) is None


def _forget(kind: str, key: str) -> None:
    finding = DriftFinding.get(kind=kind, key=key)
    if finding is not None:
        finding.delete()


def _destroy(px, vmid: int, name: str, counts: dict) -> None:
    if not run_transaction(_still_orphan, vmid):  # a server took it since the list was read
        return
    try:
        destroy_vm(px, vmid, name)  # checks the name itself, so a reused id is never destroyed
    except ProxmoxError as exc:
        counts["errors"] += 1
        log.error("reconcile: could not destroy orphan VM %s (%s): %s", vmid, name, exc)
        return
    run_transaction(_forget, "orphan_vm", str(vmid))
    counts["orphans_destroyed"] += 1
    log.warning("reconcile: destroyed orphan VM %s (%s): no live server owned it for %s", vmid, name, ORPHAN_GRACE)


def reconcile_proxmox(rt) -> dict:
    """Report and, after the grace, destroy orphan VMs; report live servers missing from the node."""
    node, px = rt.settings.proxmox.node, proxmox(rt)
    servers = run_transaction(_servers, rt)  # before the list: see the module docstring
    vms = {int(vm["vmid"]): vm for vm in px.vms()}
    held = {s["vmid"] for s in servers}
    orphans = {str(vmid): {"vmid": vmid, "name": vm.get("name") or "", "node": node,
                           "when": (clock.now() + ORPHAN_GRACE).strftime(WHEN)}
               for vmid, vm in vms.items()
               if is_ours(vm) and not vm.get("template") and not vm.get("lock") and vmid not in held}
    missing = {str(s["id"]): {"server_id": s["id"], "vmid": s["vmid"], "ip": s["ip"], "status": s["status"],
                              "user_id": s["user_id"], "node": node}
               for s in servers if s["status"] in MUST_EXIST and s["node"] == node and s["vmid"] not in vms
               and not s["deleting"] and not is_held(f"vps:{s['id']}", rt.redis)}  # lock: an action runs
    counts = {"vms": len(vms), "orphans": len(orphans), "orphans_reported": 0, "orphans_destroyed": 0,
              "missing": len(missing), "missing_reported": 0, "errors": 0}
    counts["orphans_reported"], due = run_transaction(_note, rt, "orphan_vm", orphans, "admin_orphan_vm")
    counts["missing_reported"], _ = run_transaction(_note, rt, "missing_vm", missing, "admin_missing_vm")
    for key in due:
        _destroy(px, int(key), orphans[key]["name"], counts)
    return counts
