"""Read-only endpoints of FakeProxmox: version, cluster, node, VM lists, config, status, tasks."""
import hashlib
import json

from . import pve_rules as rules
from .pve_rules import param_error


class PveReadApi:
    """Mixin of FakeProxmox; handlers run under its lock and return the "data" value."""

    # ---- cluster and node ------------------------------------------------------
    def _version(self, params):
        return {"version": self.version, "release": self.version.rsplit(".", 1)[0],
                "repoid": "b46aac3b42da5d15"}

    def _nextid(self, params):
        if params.get("vmid") is not None:
            wanted = rules.vmid(params["vmid"])
            if wanted in self._vms:
                raise param_error(vmid="VM %d already exists" % wanted)
            return str(wanted)
        return str(next(i for i in range(100, 1000000000) if i not in self._vms))

    def _resources(self, params):
        kind = params.get("type")
        if kind not in (None, "vm", "node", "storage", "sdn"):
            raise param_error(type="value '%s' does not have a value in the enumeration "
                                   "'vm, storage, node, sdn'" % kind)
        out = []
        if kind in (None, "vm"):
            for vm in (self._vms[v] for v in sorted(self._vms)):
                item = dict(self._vm_summary(vm), id="qemu/%d" % vm["vmid"], type="qemu",
                            node=self.node, template=int(vm["template"]))
                out.append(item)
        if kind in (None, "node"):
            out.append(dict(self._nodes({})[0], type="node"))
        if kind in (None, "storage"):
            out += [dict(s, id="storage/%s/%s" % (self.node, s["storage"]), type="storage",
                         node=self.node) for s in self._storage({})]
        return out

    def _nodes(self, params):
        return [{"node": self.node, "status": "online", "id": "node/" + self.node, "type": "node",
                 "cpu": 0.031, "maxcpu": 16, "mem": 12 * 2 ** 30, "maxmem": 64 * 2 ** 30,
                 "uptime": 864000, "level": "", "ssl_fingerprint": "AA:BB"}]

    def _node_status(self, params):
        return {"cpu": 0.031, "uptime": 864000, "loadavg": ["0.42", "0.37", "0.30"],
                "memory": {"total": 64 * 2 ** 30, "used": 12 * 2 ** 30, "free": 52 * 2 ** 30},
                "swap": {"total": 0, "used": 0, "free": 0},
                "rootfs": {"total": 100 * 2 ** 30, "used": 8 * 2 ** 30, "avail": 92 * 2 ** 30,
                           "free": 92 * 2 ** 30},
                "cpuinfo": {"cpus": 16, "cores": 8, "sockets": 1, "model": "AMD EPYC 4344P"},
                "kversion": "Linux 6.8.12-1-pve", "pveversion": "pve-manager/%s" % self.version}

    def _storage(self, params):
        return [{"storage": "local", "type": "dir", "content": "iso,vztmpl,backup", "active": 1,
                 "enabled": 1, "shared": 0, "total": 100 * 2 ** 30, "used": 8 * 2 ** 30,
                 "avail": 92 * 2 ** 30},
                {"storage": "local-lvm", "type": "lvmthin", "content": "images,rootdir",
                 "active": 1, "enabled": 1, "shared": 0, "total": 800 * 2 ** 30,
                 "used": 100 * 2 ** 30, "avail": 700 * 2 ** 30}]

    def _list(self, params):
        return [self._vm_summary(self._vms[v]) for v in sorted(self._vms)]

    def _vm_summary(self, vm):
        conf = vm["config"]
        item = {"vmid": vm["vmid"], "name": conf.get("name", "VM %d" % vm["vmid"]),
                "status": vm["status"], "cpus": conf.get("cores", 1) * conf.get("sockets", 1),
                "maxmem": conf.get("memory", 512) * 2 ** 20, "maxdisk": self._disk_bytes(vm),
                "mem": 0, "cpu": 0, "disk": 0, "netin": 0, "netout": 0,
                "uptime": self._uptime(vm)}
        if vm["status"] == "running":
            item.update(mem=item["maxmem"] // 3, cpu=0.012, pid=40000 + vm["vmid"])
        if vm["template"]:
            item["template"] = 1
        if conf.get("tags"):
            item["tags"] = conf["tags"]
        if vm["lock"]:
            item["lock"] = vm["lock"]
        return item

    # ---- tasks -----------------------------------------------------------------
    def _task_status(self, params, upid):
        if not rules.UPID.fullmatch(upid):
            raise param_error(upid="unable to parse worker upid '%s'" % upid)
        if upid not in self._tasks:  # pveproxy reads a task log that is not there
            parts = upid.split(":")
            return {"upid": upid, "node": parts[1], "type": parts[5], "id": parts[6],
                    "user": parts[7].split("!")[0], "starttime": int(parts[4], 16),
                    "status": "stopped", "exitstatus": "unable to open file - No such file or "
                                                       "directory"}
        return self._task_view(self._tasks[upid])

    # ---- VMs ---------------------------------------------------------------------
    def _get_config(self, params, vmid):
        vm = self._get_vm(vmid)
        conf = dict(vm["config"])
        if "cipassword" in conf:
            conf["cipassword"] = "**********"
        if "sshkeys" in conf:
            conf["sshkeys"] = rules.encode_sshkeys(conf["sshkeys"])
        if vm["lock"]:
            conf["lock"] = vm["lock"]
        conf["digest"] = self._digest(vm)
        return conf

    @staticmethod
    def _digest(vm):
        return hashlib.sha1(json.dumps(vm["config"], sort_keys=True).encode()).hexdigest()

    def _status(self, params, vmid):
        vm = self._get_vm(vmid)
        item = dict(self._vm_summary(vm), qmpstatus=vm["status"], ha={"managed": 0})
        if str(vm["config"].get("agent", "0")).split(",")[0] in ("1", "enabled=1"):
            item["agent"] = 1
        return item
