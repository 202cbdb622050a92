"""The fake Proxmox VE over HTTPS, driven by the real proxmoxer: resize, power and its refusals, destroy, VMs lost
behind the shop's back, its clock, failures, tasks and nodes."""
import time

import pytest
from proxmoxer.tools import Tasks

from tests.fakes.proxmox import FakeProxmox
from tests.support.fake_checks import START
from tests.support.pve_checks import clone, error, ready_vm, wait


def test_resize_grows_never_shrinks(pve, api):
    vm = ready_vm(api)
    e = error(vm.resize.put, disk="scsi0", size="5G")
    assert (e.status_code, e.content) == (500, "shrinking disks is not supported")
    e = error(vm.resize.put, disk="scsi0", size="ten")
    assert e.errors == {"size": "value does not match the regex pattern"}
    e = error(vm.resize.put, disk="scsi1", size="+1G")
    assert e.content == "disk 'scsi1' does not exist"
    upid = vm.resize.put(disk="scsi0", size="+10G")  # PVE 8: a task
    assert wait(api, upid)["exitstatus"] == "OK"
    assert vm.config.get()["scsi0"] == "local-lvm:vm-100-disk-0,size=20G"
    wait(api, vm.resize.put(disk="scsi0", size="30G"))
    assert pve.vm(100)["config"]["scsi0"].endswith(",size=30G")
    assert vm.status.current.get()["maxdisk"] == 30 * 2 ** 30
    pve.resize_returns_task = False  # PVE 7: synchronous, data null
    assert vm.resize.put(disk="scsi0", size="+512M") is None
    assert pve.vm(100)["config"]["scsi0"].endswith(",size=31232M")


def test_start_stop_and_their_refusals(pve, api):
    vm = ready_vm(api)
    assert vm.status.current.get()["status"] == "stopped"
    e = error(vm.status.reboot.post)
    assert (e.status_code, e.content) == (500, "VM 100 not running")
    upid = vm.status.start.post()
    assert Tasks.decode_upid(upid)["type"] == "qmstart"
    assert wait(api, upid)["exitstatus"] == "OK"
    status = vm.status.current.get()
    assert (status["status"], status["qmpstatus"], status["cpus"], status["maxmem"]) == \
        ("running", "running", 2, 2048 * 2 ** 20)
    # PVE answers a UPID and the worker fails; start_running_http_error=True answers 500.
    assert wait(api, vm.status.start.post())["exitstatus"] == "VM 100 already running"
    pve.start_running_http_error = True
    e = error(vm.status.start.post)
    assert (e.status_code, e.content) == (500, "VM 100 already running")
    e = error(api.nodes("pve1").qemu(100).delete, purge=1)
    assert e.content == "VM 100 is running - destroy failed"
    assert wait(api, vm.status.reboot.post())["exitstatus"] == "OK"
    assert wait(api, vm.status.shutdown.post(timeout=30))["exitstatus"] == "OK"
    assert pve.vm(100)["status"] == "stopped"
    assert wait(api, vm.status.stop.post())["exitstatus"] == "OK"  # already stopped: no-op
    assert wait(api, api.nodes("pve1").qemu(9000).status.start.post())["exitstatus"] == \
        "you can't start a vm if it's a template"


def test_guest_ignoring_acpi_needs_a_stop(pve, api):
    vm = ready_vm(api, running=True)
    pve.shutdown_works = False
    pve.shutdown_timeout_cap = 0.3  # the task waits min(timeout, cap) seconds
    started = time.monotonic()
    done = wait(api, vm.status.shutdown.post(timeout=1))
    assert done["exitstatus"] == "VM quit/powerdown failed - got timeout"
    assert time.monotonic() - started >= 0.3 and pve.vm(100)["status"] == "running"
    assert wait(api, vm.status.reboot.post(timeout=1))["exitstatus"].endswith("got timeout")
    assert wait(api, vm.status.stop.post())["exitstatus"] == "OK"
    assert pve.vm(100)["status"] == "stopped"
    vm.status.start.post()
    pve.complete_tasks()
    done = wait(api, vm.status.shutdown.post(timeout=1, forceStop=1))
    assert done["exitstatus"] == "WARNINGS: 1"  # stopped after the timeout, with a warning
    assert pve.vm(100)["status"] == "stopped"


def test_destroy(pve, api):
    pve.set_durations(clone=30)
    upid = clone(api, 101)
    done = wait(api, api.nodes("pve1").qemu(101).delete(purge=1))
    assert done["exitstatus"] == "VM 101 is locked (clone)"
    pve.complete_tasks()
    assert api.nodes("pve1").tasks(upid).status.get()["exitstatus"] == "OK"
    e = error(api.nodes("pve1").qemu(101).delete, purge=True)
    assert e.errors == {"purge": "type check ('boolean') failed - got 'True'"}
    upid = api.nodes("pve1").qemu(101).delete(**{"purge": 1, "destroy-unreferenced-disks": 1})
    assert Tasks.decode_upid(upid)["type"] == "qmdestroy"
    assert pve.vm(101)["lock"] == "destroyed"
    assert wait(api, upid)["exitstatus"] == "OK"
    assert pve.vm(101) is None and pve.vms() == []
    e = error(api.nodes("pve1").qemu(101).status.current.get)
    assert e.content == "Configuration file 'nodes/pve1/qemu-server/101.conf' does not exist"
    assert api.cluster.nextid.get() == "100"


def test_a_vm_lost_behind_the_shops_back(pve, api):
    ready_vm(api, running=True)
    calls, tasks = len(pve.calls), pve.tasks
    lost = pve.lose_vm(100)  # an operator deleted it in the web UI
    assert (lost["vmid"], lost["name"], lost["status"]) == (100, "vps-100", "running")
    assert pve.vm(100) is None and pve.vms() == [] and pve.tasks == tasks
    assert len(pve.calls) == calls  # nothing went through the API
    e = error(api.nodes("pve1").qemu(100).status.current.get)
    assert e.content == "Configuration file 'nodes/pve1/qemu-server/100.conf' does not exist"
    assert {q["vmid"] for q in api.nodes("pve1").qemu.get()} == {9000}
    with pytest.raises(ValueError):
        pve.lose_vm(100)


def test_uptime_and_task_start_times_follow_the_fakes_clock(pve, api):
    vm = ready_vm(api, running=True)
    assert vm.status.current.get()["uptime"] == 0
    pve.clock.advance(3 * 3600)
    assert vm.status.current.get()["uptime"] == 3 * 3600
    assert {q["vmid"]: q["uptime"] for q in api.nodes("pve1").qemu.get()}[100] == 3 * 3600
    upid = vm.status.reboot.post()
    assert Tasks.decode_upid(upid)["starttime"] == START + 3 * 3600
    done = wait(api, upid)  # the task itself still takes real time: the client really waits
    assert done["starttime"] == START + 3 * 3600 and done["endtime"] >= done["starttime"]
    assert vm.status.current.get()["uptime"] == 0  # a reboot starts the count again
    assert wait(api, vm.status.stop.post())["exitstatus"] == "OK"
    pve.clock.advance(60)
    assert pve.vm(100)["uptime"] == 0  # a stopped VM has none


def test_fail_next(pve, api):
    pve.fail_next("clone", status=500, message="storage 'local-lvm' is busy")
    e = error(clone, api, 100)
    assert (e.status_code, e.content) == (500, "storage 'local-lvm' is busy")
    assert pve.vms() == []
    wait(api, clone(api, 100))
    pve.fail_next("nextid", times=2, status=503, message="cluster not ready - no quorum?")
    for _ in range(2):
        assert error(api.cluster.nextid.get).status_code == 503
    assert api.cluster.nextid.get() == "101"
    pve.fail_next("status", status=595, message="Connection refused")
    e = error(api.nodes("pve1").qemu(100).status.current.get)
    assert (e.status_code, e.status_message) == (595, "Errors during connection establishment, "
                                                      "proxy handshake")
    pve.fail_next("config", status=400, message="Parameter verification failed.",
                  errors={"cores": "value must have a minimum value of 1"})
    e = error(api.nodes("pve1").qemu(100).config.put, cores=0)
    assert e.errors == {"cores": "value must have a minimum value of 1"}
    for op in ("start", "shutdown", "stop", "destroy", "resize", "task_status"):
        pve.fail_next(op)
    qemu = api.nodes("pve1").qemu(100)
    for call in (qemu.status.start.post, qemu.status.shutdown.post, qemu.status.stop.post,
                 qemu.delete):
        assert error(call).content == "injected failure"
    assert error(qemu.resize.put, disk="scsi0", size="+1G").status_code == 500
    upid = qemu.status.start.post()
    assert error(api.nodes("pve1").tasks(upid).status.get).status_code == 500
    assert wait(api, upid)["exitstatus"] == "OK"


def test_fail_task(pve, api):
    pve.fail_task("clone", exitstatus="clone failed: lvcreate 'pve/vm-100-disk-0' error")
    pve.set_durations(clone=30)
    upid = clone(api, 100)
    assert pve.vm(100)["lock"] == "clone"
    pve.complete_tasks(within=0.1)
    pve.set_durations(clone=0.2)
    done = wait(api, upid)
    assert (done["status"], done["exitstatus"]) == \
        ("stopped", "clone failed: lvcreate 'pve/vm-100-disk-0' error")
    assert pve.vm(100) is None  # a failed clone removes its config
    vm = ready_vm(api)
    pve.fail_task("start", times=2, exitstatus="start failed: QEMU exited with code 1")
    for _ in range(2):
        assert wait(api, vm.status.start.post())["exitstatus"].startswith("start failed")
    assert pve.vm(100)["status"] == "stopped"
    assert wait(api, vm.status.start.post())["exitstatus"] == "OK"
    with pytest.raises(ValueError):
        pve.fail_task("nextid")


def test_blocking_status_gives_none_on_timeout(pve, api):
    pve.set_durations(clone=30)
    upid = clone(api, 100)
    assert Tasks.blocking_status(api, upid, timeout=0.2, polling_interval=0.05) is None
    pve.complete_tasks()
    assert api.nodes("pve1").tasks(upid).status.get()["exitstatus"] == "OK"
    # it checks the deadline before looking at the answer: timeout=0 is always None
    assert Tasks.blocking_status(api, upid, timeout=0, polling_interval=0.01) is None


def test_tasks_nodes_and_unknown_paths(pve, api):
    ghost = "UPID:pve1:00001234:00ABCDEF:65A1B2C3:qmstart:777:shop@pve!shop:"
    status = api.nodes("pve1").tasks(ghost).status.get()
    assert (status["status"], status["exitstatus"]) == \
        ("stopped", "unable to open file - No such file or directory")
    e = error(api.nodes("pve1").tasks("nonsense").status.get)
    assert e.errors == {"upid": "unable to parse worker upid 'nonsense'"}
    e = error(api.nodes("pve2").qemu(9000).config.get)
    assert e.content.startswith("hostname lookup 'pve2' failed")
    e = error(api.nodes("pve1").qemu(9000).snapshot.get)
    assert (e.status_code, e.content) == \
        (501, "Method 'GET /nodes/pve1/qemu/9000/snapshot' not implemented")
    assert api.nodes("pve1").status.get()["memory"]["total"] > 0
    assert {s["storage"] for s in api.nodes("pve1").storage.get()} == {"local", "local-lvm"}
    assert api.nodes.get()[0]["status"] == "online"
    assert pve.tasks == []


def test_calls_are_recorded(pve, api):
    wait(api, clone(api, 100, name="vps-a"))
    api.nodes("pve1").qemu(100).config.put(cores=2)
    assert ("POST", "/nodes/pve1/qemu/9000/clone",
            {"newid": "100", "name": "vps-a", "full": "1"}) in pve.calls
    assert pve.calls_to("PUT", "/config") == [("PUT", "/nodes/pve1/qemu/100/config",
                                               {"cores": "2"})]
    assert len(pve.calls_to("GET", "/tasks/")) >= 1
    assert [t["type"] for t in pve.tasks] == ["qmclone"]


def test_seeding(pve):
    assert pve.vm(9000)["template"] is True
    assert pve.vm(9000)["config"]["scsi0"] == "local-lvm:base-9000-disk-0,size=10G"
    snap = pve.add_vm(120, "old-vps", status="running", tags="shop", disk="40G")
    assert (snap["status"], snap["config"]["tags"], snap["lock"]) == ("running", "shop", None)
    other = FakeProxmox(template_vmid=None, node="pve7", clone_seconds=0)
    assert other.vms() == [] and other.vm(9000) is None and other.durations["clone"] == 0
