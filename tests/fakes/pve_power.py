"""Endpoints of FakeProxmox that start, stop and remove VMs: status/{op} and destroy."""
from . import pve_rules as rules
from .pve_rules import PveError

SHUTDOWN_TIMEOUT = "VM quit/powerdown failed - got timeout"


class PvePowerApi:
    """Mixin of FakeProxmox; handlers run under its lock and return the "data" value."""

    def _power(self, params, vmid, op):
        rules.unknown_params(params, {"timeout", "forceStop", "keepActive", "skiplock",
                                      "overrule-shutdown", "migratedfrom", "machine"})
        vm = self._get_vm(vmid)
        timeout = rules.integer(params, "timeout", 0)
        force = rules.boolean(params, "forceStop")
        skiplock = rules.boolean(params, "skiplock")
        rules.boolean(params, "keepActive")
        running = vm["status"] == "running"
        lock_error = None
        if vm["lock"] and not skiplock:
            lock_error = "VM %d is locked (%s)" % (vmid, vm["lock"])
        duration = None
        if op == "start":
            if running and self.start_running_http_error:
                raise PveError(500, "VM %d already running" % vmid)
            error = ("you can't start a vm if it's a template" if vm["template"] else lock_error
                     or ("VM %d already running" % vmid if running else None))
        elif op == "reboot":
            if not running:
                raise PveError(500, "VM %d not running" % vmid)
            error = lock_error
        else:
            error = lock_error
        guest_ignores = op in ("shutdown", "reboot") and running and not self.shutdown_works
        if guest_ignores and not error:
            wait = 60 if timeout is None else timeout
            duration = min(wait, self.shutdown_timeout_cap)

        def finish(failed):
            vm = self._vms.get(vmid)
            if failed or vm is None:
                return failed or "VM %d does not exist" % vmid
            if guest_ignores and not (op == "shutdown" and force):
                return SHUTDOWN_TIMEOUT
            was_running = vm["status"] == "running"
            vm["status"] = "running" if op in ("start", "reboot") else "stopped"
            if op in ("start", "reboot") and (op == "reboot" or not was_running):
                vm["started_at"] = self.clock()
            return "WARNINGS: 1" if guest_ignores else "OK"
        return self._start_task(op, vmid, finish, duration=duration, fails_with=error)

    def _destroy(self, params, vmid):
        rules.unknown_params(params, {"purge", "destroy-unreferenced-disks", "skiplock"})
        for name in ("purge", "destroy-unreferenced-disks", "skiplock"):
            rules.boolean(params, name)
        vm = self._get_vm(vmid)
        if vm["config"].get("protection"):
            raise PveError(500, "can't remove VM %d - protection mode enabled" % vmid)
        if vm["status"] == "running":
            raise PveError(500, "VM %d is running - destroy failed" % vmid)
        error = None
        if vm["lock"] and not rules.boolean(params, "skiplock"):
            error = "VM %d is locked (%s)" % (vmid, vm["lock"])
        else:
            vm["lock"] = "destroyed"

        def finish(failed):
            vm = self._vms.get(vmid)
            if failed:
                if vm is not None and vm["lock"] == "destroyed":
                    vm["lock"] = None
                return failed
            self._vms.pop(vmid, None)
            return "OK"
        return self._start_task("destroy", vmid, finish, fails_with=error)
