"""In-memory state of FakeProxmox: VMs, worker tasks on a clock, injected faults.

Time is simulated lazily: a task ends `duration` seconds after it started and its
effect is applied the next time anything looks at the state (`_tick`), in end order.
"""
import copy
import hashlib
import itertools
import os
import time

from .pve_rules import PveError, drive_size, encode_upid

DEFAULT_DURATIONS = {"clone": 0.2, "config": 0.1, "resize": 0.1, "start": 0.1, "shutdown": 0.1,
                     "stop": 0.1, "reboot": 0.1, "destroy": 0.1}
TASK_TYPES = {"clone": "qmclone", "config": "qmconfig", "resize": "qmresize", "start": "qmstart",
              "shutdown": "qmshutdown", "stop": "qmstop", "reboot": "qmreboot",
              "destroy": "qmdestroy"}
QUICK = 0.05  # how long a worker that fails its first check runs


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


class PveState:
    """Mixin holding the cluster state; the owner provides `self._lock` and `self.node`."""

    def _init_state(self, durations):
        self._vms = {}
        self._tasks = {}  # upid -> task, in creation order
        self._faults = {}  # action -> [PveError, ...]
        self._task_faults = {}  # action -> [exitstatus, ...]
        self._pids = itertools.count(0x1A2B0)
        self._pstart = 0x0100000 + int.from_bytes(os.urandom(2), "big")
        self.durations = dict(DEFAULT_DURATIONS, **(durations or {}))
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
                               "config": conf, "started_at": time.monotonic()}
            return self.vm(vmid)

    def set_status(self, vmid, status):
        """Flip a VM to "running"/"stopped" directly (no task)."""
        with self._lock:
            vm = self._vms[int(vmid)]
            vm["status"], vm["started_at"] = status, time.monotonic()

    def set_lock(self, vmid, lock):
        with self._lock:
            self._vms[int(vmid)]["lock"] = lock

    def set_durations(self, **seconds):
        """Seconds per task: clone, config, resize, start, shutdown, stop, reboot, destroy."""
        with self._lock:
            unknown = set(seconds) - set(DEFAULT_DURATIONS)
            if unknown:
                raise ValueError("unknown actions: %s" % sorted(unknown))
            self.durations.update(seconds)

    def fail_next(self, action, times=1, status=500, message="injected failure", errors=None):
        """The next `times` requests of `action` answer HTTP `status` with `message` and no effect.

        Actions: clone, config (PUT/POST), get_config, resize, start, shutdown, stop, reboot,
        destroy, nextid, status (status/current), task_status, resources, list, version, nodes,
        node_status, storage.
        """
        with self._lock:
            self._faults.setdefault(action, []).extend(
                [PveError(status, message, errors)] * times)

    def fail_task(self, action, times=1, exitstatus="some error"):
        """The next `times` tasks of `action` end with `exitstatus` instead of "OK", no effect."""
        with self._lock:
            if action not in TASK_TYPES:
                raise ValueError("no task for action %r" % action)
            self._task_faults.setdefault(action, []).extend([exitstatus] * times)

    def complete_tasks(self, within=0):
        """Fast-forward: every running task ends now (or at the latest `within` seconds from now)."""
        with self._lock:
            now = time.monotonic()
            for task in self._tasks.values():
                if task["status"] == "running":
                    task["duration"] = min(task["duration"], now + within - task["started"])
            self._tick()

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

    @property
    def tasks(self):
        """Snapshots of all tasks, oldest first."""
        with self._lock:
            self._tick()
            return [self._task_view(t) for t in self._tasks.values()]

    def task(self, upid):
        with self._lock:
            self._tick()
            return self._task_view(self._tasks[upid]) if upid in self._tasks else None

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
        return int(time.monotonic() - vm["started_at"]) if vm["status"] == "running" else 0

    @staticmethod
    def _disk_bytes(vm):
        return drive_size(vm["config"].get("scsi0", "x,size=0"))

    def _start_task(self, action, task_id, finish, duration=None, fails_with=None):
        """Start a worker; `finish(planned_exitstatus_or_None)` applies it, returns the exitstatus.

        `fails_with` is the error of a check the worker makes first (it then ends quickly).
        """
        planned = fails_with
        injected = self._task_faults.get(action)
        if planned is None and injected:
            planned = injected.pop(0)
        if duration is None:
            duration = self.durations[action]
        if fails_with is not None:
            duration = min(duration, QUICK)
        starttime = int(time.time())
        user = "%s!%s" % (self.user, self.token_name)
        upid = encode_upid(self.node, next(self._pids), self._pstart, starttime,
                           TASK_TYPES[action], task_id, user)
        self._tasks[upid] = {"upid": upid, "action": action, "type": TASK_TYPES[action],
                             "id": str(task_id), "node": self.node, "user": self.user,
                             "tokenid": self.token_name, "starttime": starttime,
                             "started": time.monotonic(), "duration": duration,
                             "status": "running", "exitstatus": None,
                             "_planned": planned, "_finish": finish}
        return upid

    def _tick(self):
        now = time.monotonic()
        due = [t for t in self._tasks.values()
               if t["status"] == "running" and now >= t["started"] + t["duration"]]
        for task in sorted(due, key=lambda t: t["started"] + t["duration"]):
            exitstatus = task["_finish"](task["_planned"])
            task.update(status="stopped", exitstatus=exitstatus or task["_planned"] or "OK",
                        endtime=task["starttime"] + int(round(task["duration"])))

    @staticmethod
    def _task_view(task):
        view = {k: v for k, v in task.items()
                if not k.startswith("_") and k not in ("started", "duration", "action")}
        if task["status"] == "running":
            view.pop("exitstatus")
            view.pop("endtime", None)
        view["pid"] = int(task["upid"].split(":")[2], 16)
        view["pstart"] = int(task["upid"].split(":")[3], 16)
        return view
