"""FakeProxmox keeps the Proxmox VE API's rules, driven by the real proxmoxer client over HTTPS."""
import threading
import time
import urllib.parse

import pytest
import requests
from proxmoxer import ProxmoxAPI, ResourceException
from proxmoxer.tools import Tasks

from tests.fakes.clock import FakeClock
from tests.fakes.proxmox import FakeProxmox

START = 1_750_000_000  # where the fake's frozen clock stands (VM uptime, UPID start times)
KEY1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx/Yk+3qZ2p9w0rTb8c= shop@host"
KEY2 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDc/9+x== admin@desk"


@pytest.fixture
def pve():
    fake = FakeProxmox(clock=FakeClock(start=START))
    fake.start()
    yield fake
    fake.stop()


def client(fake, **kwargs):
    options = dict(user=fake.user, token_name=fake.token_name, token_value=fake.token_value,
                   verify_ssl=fake.ca_path, timeout=5)
    options.update(kwargs)
    return ProxmoxAPI(fake.host, **options)


@pytest.fixture
def api(pve):
    return client(pve)


def error(call, *args, **kwargs):
    with pytest.raises(ResourceException) as info:
        call(*args, **kwargs)
    return info.value


def wait(api, upid):
    status = Tasks.blocking_status(api, upid, timeout=5, polling_interval=0.02)
    assert status is not None, "task did not finish"
    return status


def clone(api, newid, name=None, **params):
    upid = api.nodes("pve1").qemu(9000).clone.post(newid=newid, name=name or "vps-%d" % newid,
                                                   full=1, **params)
    return upid


def ready_vm(api, vmid=100, running=False):
    assert wait(api, clone(api, vmid))["exitstatus"] == "OK"
    if running:
        assert wait(api, api.nodes("pve1").qemu(vmid).status.start.post())["exitstatus"] == "OK"
    return api.nodes("pve1").qemu(vmid)


# ---------------------------------------------------------------- transport --
def test_https_with_the_fakes_ca(pve, api):
    assert pve.url.startswith("https://127.0.0.1:")
    assert api.version.get()["version"].startswith("8.")
    assert client(pve, verify_ssl=False).nodes.get()[0]["node"] == "pve1"
    with pytest.raises(requests.exceptions.SSLError):
        client(pve, verify_ssl=True).version.get()


def test_token_auth(pve):
    for kwargs, reason in [({"token_value": "wrong"}, "invalid token value!"),
                           ({"token_name": "other"}, "no such token 'other' for user 'shop@pve'"),
                           ({"user": "root@pam"}, "no such token 'shop' for user 'root@pam'")]:
        e = error(client(pve, **kwargs).cluster.nextid.get)
        assert (e.status_code, e.status_message, e.content) == (401, "Unauthorized", reason)
    answer = requests.get(pve.api_url + "/version", verify=pve.ca_path, timeout=5)
    assert (answer.status_code, answer.reason) == (401, "No ticket")
    assert answer.json() == {"data": None, "message": "No ticket\n"}
    assert pve.vms() == [] and len(pve.calls) == 4  # refused calls are recorded too


# ------------------------------------------------------------------- clone --
def test_clone_is_locked_until_its_task_ends(pve, api):
    pve.set_durations(clone=30)  # long enough for a loaded machine; cut short below
    assert api.cluster.nextid.get() == "100"  # a string, as PVE sends it
    upid = clone(api, 100)
    task = Tasks.decode_upid(upid)
    assert (task["node"], task["type"], task["id"], task["user"]) == \
        ("pve1", "qmclone", "9000", "shop@pve")
    assert pve.vm(100)["lock"] == "clone"
    assert api.cluster.nextid.get() == "101"
    vm = api.nodes("pve1").qemu(100)
    assert vm.status.current.get()["lock"] == "clone"
    assert vm.config.get()["lock"] == "clone"
    e = error(vm.config.put, cores=4)
    assert (e.status_code, e.content, e.errors) == (500, "VM 100 is locked (clone)", None)
    e = error(vm.resize.put, disk="scsi0", size="+10G")
    assert e.content == "VM 100 is locked (clone)"
    running = api.nodes("pve1").tasks(upid).status.get()
    assert running["status"] == "running" and "exitstatus" not in running

    pve.complete_tasks(within=0.3)
    done = wait(api, upid)
    assert (done["status"], done["exitstatus"], done["type"], done["id"]) == \
        ("stopped", "OK", "qmclone", "9000")
    assert vm.config.put(cores=4, memory=4096, tags="shop;vps") is None
    conf = vm.config.get()
    assert (conf["cores"], conf["memory"], conf["name"], conf["tags"]) == \
        (4, 4096, "vps-100", "shop;vps")
    assert "lock" not in conf and "template" not in conf
    assert conf["scsi0"] == "local-lvm:vm-100-disk-0,size=10G"
    assert [v["vmid"] for v in pve.vms()] == [100]
    listed = {r["vmid"]: r for r in api.cluster.resources.get(type="vm")}
    assert listed[100]["name"] == "vps-100" and listed[100]["template"] == 0
    assert listed[9000]["template"] == 1 and listed[100]["tags"] == "shop;vps"
    assert {q["vmid"] for q in api.nodes("pve1").qemu.get()} == {100, 9000}


def test_clone_needs_a_free_id_and_an_existing_template(pve, api):
    e = error(api.cluster.nextid.get, vmid=9000)
    assert (e.status_code, e.content) == (400, "Parameter verification failed.")
    assert e.errors == {"vmid": "VM 9000 already exists"}
    assert api.cluster.nextid.get(vmid=105) == "105"
    wait(api, clone(api, 100))
    e = error(clone, api, 100)
    assert (e.status_code, e.content) == \
        (500, "unable to create VM 100: config file already exists")
    e = error(api.nodes("pve1").qemu(9001).clone.post, newid=101)
    assert e.content == "Configuration file 'nodes/pve1/qemu-server/9001.conf' does not exist"
    e = error(api.nodes("pve1").qemu(9000).clone.post, newid=99)
    assert e.errors == {"newid": "value must have a minimum value of 100"}
    assert [v["vmid"] for v in pve.vms()] == [100]


def test_nextid_race_is_settled_by_the_clone(pve, api):
    first, second = api.cluster.nextid.get(), api.cluster.nextid.get()
    assert first == second == "100"  # two buyers at once get the same id
    wait(api, clone(api, int(first)))
    with pytest.raises(ResourceException, match="already exists"):
        clone(api, int(second))
    retry = api.cluster.nextid.get()
    assert wait(api, clone(api, int(retry)))["exitstatus"] == "OK"
    assert [v["vmid"] for v in pve.vms()] == [100, 101]


def test_clone_parameters_follow_the_schema(pve, api):
    qemu = api.nodes("pve1").qemu(9000)
    e = error(qemu.clone.post, newid=100, full=True)  # requests sends "True"
    assert e.errors == {"full": "type check ('boolean') failed - got 'True'"}
    e = error(qemu.clone.post, newid=100, name="vps_100")
    assert e.errors == {"name": "invalid format - value does not look like a valid DNS name\n"}
    e = error(qemu.clone.post, newid=100, storage="local-lvm")
    assert e.content == "parameter 'storage' not allowed for linked clones"
    e = error(qemu.clone.post, newid=100, full=1, target="pve9")
    assert e.content == "no such cluster node 'pve9'"
    e = error(qemu.clone.post, newid=100, full=1, color="red")
    assert "color" in e.errors
    wait(api, qemu.clone.post(newid=100))  # linked clone of a template by default
    assert pve.vm(100)["config"]["scsi0"] == "local-lvm:base-9000-disk-0/vm-100-disk-0,size=10G"
    assert pve.vm(100)["name"] == "Copy-of-VM-debian-12-cloudinit"
    wait(api, qemu.clone.post(newid=101, full=1, storage="local"))
    assert pve.vm(101)["config"]["scsi0"] == "local:vm-101-disk-0,size=10G"
    assert pve.vm(101)["config"]["net0"] != pve.vm(9000)["config"]["net0"]


def test_parallel_clones(pve, api):
    upids, errors = [], []

    def buy(vmid):
        try:
            upids.append(clone(client(pve), vmid))
        except ResourceException as e:  # pragma: no cover - would be a fake bug
            errors.append(e)
    threads = [threading.Thread(target=buy, args=(100 + i,)) for i in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors and len(upids) == 6
    assert all(wait(api, u)["exitstatus"] == "OK" for u in upids)
    assert [v["vmid"] for v in pve.vms()] == list(range(100, 106))


# ------------------------------------------------------------------ config --
def test_sshkeys_must_be_percent_encoded(pve, api):
    vm = ready_vm(api)
    keys = KEY1 + "\n" + KEY2
    for raw in (KEY1, keys, urllib.parse.quote(keys), urllib.parse.quote_plus(keys)):
        e = error(vm.config.put, sshkeys=raw)  # spaces, "/" and "+" must be encoded too
        assert e.status_code == 400
        assert e.errors["sshkeys"].startswith("invalid format - invalid urlencoded string: ")
    e = error(vm.config.put, sshkeys=urllib.parse.quote("not a key", safe=""))
    assert (e.status_code, e.content) == (500, "SSH public key validation error")
    assert "sshkeys" not in pve.vm(100)["config"]

    vm.config.put(sshkeys=urllib.parse.quote(keys, safe=""), ciuser="debian",
                  cipassword="s3cret pass", ipconfig0="ip=203.0.113.5/32,gw=203.0.113.1",
                  nameserver="1.1.1.1 8.8.8.8")
    stored = pve.vm(100)["config"]
    assert stored["sshkeys"] == keys and stored["cipassword"] == "s3cret pass"
    conf = vm.config.get()
    assert conf["sshkeys"] == urllib.parse.quote(keys, safe="")  # PVE returns it encoded
    assert conf["cipassword"] == "**********"
    assert (conf["ciuser"], conf["ipconfig0"]) == ("debian", "ip=203.0.113.5/32,gw=203.0.113.1")
    e = error(vm.config.put, ipconfig0="ip=203.0.113.5,gw=203.0.113.1")
    assert "ipconfig0" in e.errors


def test_config_rules(pve, api):
    vm = ready_vm(api)
    e = error(vm.config.put, cores="two")
    assert e.errors == {"cores": "type check ('integer') failed - got 'two'"}
    e = error(vm.config.put, onboot=True)
    assert e.errors == {"onboot": "type check ('boolean') failed - got 'True'"}
    e = error(vm.config.put, colour="red")
    assert e.errors == {"colour": "property is not defined in schema and the schema does not "
                                  "allow additional properties"}
    digest = vm.config.get()["digest"]
    vm.config.put(description="first", digest=digest)
    e = error(vm.config.put, description="second", digest=digest)
    assert e.content.startswith("detected modified configuration")
    vm.config.put(delete="description")
    assert "description" not in vm.config.get()


def test_post_config_is_a_task(pve, api):
    vm = ready_vm(api)
    upid = vm.config.post(cores=8)
    assert Tasks.decode_upid(upid)["type"] == "qmconfig"
    assert wait(api, upid)["exitstatus"] == "OK"
    assert vm.config.get()["cores"] == 8
    pve.fail_task("config", exitstatus="unable to apply pending change cores")
    upid = vm.config.post(cores=1)
    assert wait(api, upid)["exitstatus"] == "unable to apply pending change cores"
    assert vm.config.get()["cores"] == 8


# ------------------------------------------------------------------ resize --
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


# ------------------------------------------------------------------- power --
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


# ----------------------------------------------------------------- destroy --
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


# -------------------------------------------------------------------- time --
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


# ---------------------------------------------------------- fault injection --
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


# ------------------------------------------------------------------- tasks --
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
