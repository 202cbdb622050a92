"""In-memory state of FakeProxmox: VMs, injected request faults, recorded calls.

A VM's uptime counts on the fake's clock (see clock.py), so a test can advance it; worker
tasks, which the shop waits for in real time, live in pve_tasks.
"""
import copy
import hashlib
import os
import threading

from .pve_rules import PveError, drive_size
from .pve_tasks import PveTasks


def template_config(vmid, name, disk):
    return {"name": name, "template": 1, "cores": 2, "sockets": 1, "memory": 2048,
            "ostype": "l26", "scsihw": "virtio-scsi-pci", "boot": "order=scsi0", "agent": "1",
            "scsi0": "local-lvm:base-%d-disk-0,size=%s" % (vmid, disk),
            "ide2": "local-lvm:vm-%d-cloudinit,media=cdrom" % vmid,
            "net0": "virtio=BC:24:11:00:%02X:%02X,bridge=vmbr0" % (vmid // 256 % 256, vmid % 256),
            "serial0": "socket", "vga": "serial0",
            "smbios1": "uuid=%s" % _uuid(vmid), "vmgenid": _uuid(vmid + 1)}


def _uuid(seed):
    h = hashlib.md5(("%s-%s" % (seed, os.urandom(4).hex())).encode()).hexdigest()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])


class PveState(PveTasks):
    """Mixin holding the cluster state; the owner provides _lock, node and clock."""

    def _init_state(self, durations):
        self._init_tasks(durations)
        self._vms = {}
        self._faults = {}  # action -> [PveError, ...]
        self._holds, self._released = {}, threading.Event()  # action -> Event set once one is parked
        self.calls = []  # (method, path under /api2/json, params)

    # ---- test controls ---------------------------------------------------------
    def add_vm(self, vmid, name, template=False, status="stopped", disk="10G", config=None,
               tags=None, lock=None):
        """Put a VM (or template) on the node; `config` overrides/extends the defaults."""
        with self._lock:
            vmid = int(vmid)
            conf = template_config(vmid, name, disk)
            if not template:
                del conf["template"]
                conf["scsi0"] = "local-lvm:vm-%d-disk-0,size=%s" % (vmid, disk)
            if tags:
                conf["tags"] = tags
            conf.update(config or {})
            self._vms[vmid] = {"vmid": vmid, "name": name, "node": self.node,
                               "template": bool(template), "status": status, "lock": lock,
                               "config": conf, "started_at": self.clock()}
            return self.vm(vmid)

    def set_status(self, vmid, status):
        """Flip a VM to "running"/"stopped" directly (no task)."""
        with self._lock:
            vm = self._vms[int(vmid)]
            vm["status"], vm["started_at"] = status, self.clock()

    def set_lock(self, vmid, lock):
        with self._lock:
            self._vms[int(vmid)]["lock"] = lock

    def lose_vm(self, vmid):
        """Remove a VM as if an operator deleted it outside the shop; return its last snapshot.

        No task and no recorded call: the shop only finds out by looking.
        """
        with self._lock:
            snapshot = self.vm(vmid)
            if snapshot is None:
                raise ValueError("no VM %s on the node" % vmid)
            del self._vms[int(vmid)]
            return snapshot

    def hold_next(self, action):
        """Park the next request of `action` until release_holds(); it then fails with no effect (it never
        reached Proxmox). Returns an Event set once a request is parked: the moment to kill its caller."""
        reached = threading.Event()
        with self._lock:
            self._holds[action] = reached
        return reached

    def release_holds(self):
        self._released.set()

    def _park(self, action) -> bool:
        """Whether this request was parked (and is to be dropped now that it is released)."""
        with self._lock:
            reached = self._holds.pop(action, None)
        if reached is None:
            return False
        reached.set()
        self._released.wait(120)
        return True

    def fail_next(self, action, times=1, status=500, message="injected failure", errors=None):
        """The next `times` requests of `action` answer HTTP `status` with `message` and no effect.

        Actions: clone, config (PUT/POST), get_config, resize, start, shutdown, stop, reboot,
        destroy, nextid, status (status/current), task_status, resources, list, version, nodes,
        node_status, storage.
        """
        with self._lock:
            self._faults.setdefault(action, []).extend(
                [PveError(status, message, errors)] * times)

    # ---- assertions ------------------------------------------------------------
    def vms(self):
        """Snapshots of the non-template VMs, by vmid."""
        with self._lock:
            self._tick()
            return [self.vm(v) for v in sorted(self._vms) if not self._vms[v]["template"]]

    def vm(self, vmid):
        """A snapshot of one VM (config with decoded sshkeys, real cipassword), or None."""
        with self._lock:
            self._tick()
            vm = self._vms.get(int(vmid))
            if vm is None:
                return None
            snap = copy.deepcopy({k: v for k, v in vm.items() if k != "started_at"})
            snap["name"] = vm["config"].get("name")
            snap["uptime"] = self._uptime(vm)
            return snap

    def calls_to(self, method=None, path_contains=""):
        with self._lock:
            return [c for c in self.calls if (method is None or c[0] == method)
                    and path_contains in c[1]]

    # ---- internals -------------------------------------------------------------
    def _fault(self, action):
        queue = self._faults.get(action)
        if queue:
            raise queue.pop(0)

    def _get_vm(self, vmid):
        vm = self._vms.get(vmid)
        if vm is None:
            raise PveError(500, "Configuration file 'nodes/%s/qemu-server/%d.conf' does not exist"
                           % (self.node, vmid))
        return vm

    def _uptime(self, vm):
        return int(self.clock() - vm["started_at"]) if vm["status"] == "running" else 0

    @staticmethod
    def _disk_bytes(vm):
        return drive_size(vm["config"].get("scsi0", "x,size=0"))
