"""Endpoints of FakeProxmox that change a VM's config: clone, config, resize."""
import re

from . import pve_rules as rules
from .pve_rules import PveError, not_locked, param_error
from .pve_state import template_config

CONFIG_KEYS = {"cores", "sockets", "memory", "balloon", "name", "tags", "description", "ciuser",
               "cipassword", "citype", "cicustom", "sshkeys", "nameserver", "searchdomain",
               "agent", "onboot", "protection", "cpu", "boot", "ostype", "vga", "serial0",
               "scsihw", "numa", "kvm", "startup", "delete", "digest", "skiplock", "revert",
               "force", "background_delay", "re:ipconfig\\d+", "re:net\\d+",
               "re:(?:scsi|virtio|sata|ide)\\d+", "re:unused\\d+"}


class PveWriteApi:
    """Mixin of FakeProxmox; handlers run under its lock and return the "data" value."""

    def _clone(self, params, vmid):
        rules.unknown_params(params, {"newid", "name", "full", "storage", "target", "format",
                                      "description", "pool", "snapname", "bwlimit"})
        newid = rules.integer(params, "newid", 100, 999999999, required=True)
        full = rules.boolean(params, "full")
        rules.dns_name(params, "name")
        source = self._get_vm(vmid)
        target = params.get("target")
        if target and target not in (self.node, "localhost"):
            raise PveError(500, "no such cluster node '%s'" % target)
        storage = params.get("storage")
        if storage and storage not in ("local", "local-lvm"):
            raise PveError(500, "storage '%s' does not exist" % storage)
        not_locked(source)
        if full is None:
            full = not source["template"]
        if storage and not full:
            raise PveError(500, "parameter 'storage' not allowed for linked clones")
        if newid in self._vms:
            raise PveError(500, "unable to create VM %d: config file already exists" % newid)
        conf = {k: v for k, v in source["config"].items() if k not in ("template", "digest")}
        conf["name"] = params.get("name") or "Copy-of-VM-" + source["config"].get("name", str(vmid))
        if params.get("description"):
            conf["description"] = params["description"]
        fresh = template_config(newid, conf["name"], "1G")
        conf.update(net0=fresh["net0"], smbios1=fresh["smbios1"], vmgenid=fresh["vmgenid"])
        for key, drive in source["config"].items():
            if rules.DISK_KEY.fullmatch(key) and ("media=cdrom" not in drive
                                                  or "cloudinit" in drive):
                store, volume = drive.split(",")[0].split(":", 1)
                disk = re.sub(r"^(?:base|vm)-\d+-", "vm-%d-" % newid, volume)
                if not full and "cloudinit" not in drive:
                    disk = volume + "/" + disk
                if full and storage:
                    store = storage
                conf[key] = ",".join(["%s:%s" % (store, disk)] + drive.split(",")[1:])
        self._vms[newid] = {"vmid": newid, "name": conf["name"], "node": self.node,
                            "template": False, "status": "stopped", "lock": "clone",
                            "config": conf, "started_at": self.clock()}

        def finish(failed):
            if failed:  # the worker removes the half-made VM
                self._vms.pop(newid, None)
                return failed
            self._vms[newid]["lock"] = None
            return "OK"
        return self._start_task("clone", vmid, finish)

    def _put_config(self, params, vmid):
        """Synchronous: applied at once, answers null."""
        self._config_change(params, vmid)()

    def _post_config(self, params, vmid):
        """Asynchronous: answers a qmconfig task UPID; applied when the task ends."""
        return self._start_task("config", vmid, self._config_change(params, vmid))

    def _config_change(self, params, vmid):
        rules.unknown_params(params, CONFIG_KEYS)
        vm = self._get_vm(vmid)
        changes = dict(params)
        for name in ("cores", "sockets"):
            rules.integer(params, name, 1, 1024)
        rules.integer(params, "memory", 16)
        rules.integer(params, "balloon", 0)
        for name in ("onboot", "protection", "numa", "kvm", "skiplock", "force"):
            rules.boolean(params, name)
        rules.dns_name(params, "name")
        if "tags" in params:
            changes["tags"] = rules.tags(params)
        if "sshkeys" in params:
            changes["sshkeys"] = rules.sshkeys(params)
        for key in params:
            if key.startswith("ipconfig"):
                rules.ipconfig(params, key)
        digest = changes.pop("digest", None)
        if digest and digest != self._digest(vm):
            raise PveError(500, "detected modified configuration - file changed by other user? "
                                "Try again.")
        if not rules.boolean(params, "skiplock"):
            not_locked(vm)
        for name in ("skiplock", "force", "background_delay", "revert"):
            changes.pop(name, None)
        delete = [k for k in re.split(r"[,; ]+", changes.pop("delete", "")) if k]
        for name in ("cores", "sockets", "memory", "balloon", "onboot", "protection"):
            if name in changes:
                changes[name] = int(changes[name])

        def apply(failed=None):
            if failed or vmid not in self._vms:
                return failed
            conf = self._vms[vmid]["config"]
            conf.update(changes)
            for key in delete:
                conf.pop(key, None)
            self._vms[vmid]["name"] = conf.get("name")
            return "OK"
        return apply

    def _resize(self, params, vmid):
        rules.unknown_params(params, {"disk", "size", "digest", "skiplock"})
        vm = self._get_vm(vmid)
        disk, size = params.get("disk"), params.get("size")
        if disk is None or size is None:
            raise param_error(**{k: "property is missing and it is not optional"
                                 for k in ("disk", "size") if params.get(k) is None})
        if not rules.DISK_KEY.fullmatch(disk):
            raise param_error(disk="value '%s' does not have a value in the enumeration" % disk)
        relative, number = rules.parse_size(size)
        if not rules.boolean(params, "skiplock"):
            not_locked(vm)
        if disk not in vm["config"]:
            raise PveError(500, "disk '%s' does not exist" % disk)
        current = rules.drive_size(vm["config"][disk])
        new = number + current if relative else number
        if new < current:
            raise PveError(500, "shrinking disks is not supported")

        def apply(failed=None):
            if failed or vmid not in self._vms:
                return failed
            conf = self._vms[vmid]["config"]
            conf[disk] = rules.with_size(conf[disk], new)
            return "OK"
        if not self.resize_returns_task:
            apply()
            return None
        return self._start_task("resize", vmid, apply)
