"""The fake Proxmox VE over HTTPS, driven by the real proxmoxer: its CA, token auth, clones (locked until their task
ends, ids, parameters, in parallel), sshkeys, config rules."""
import threading
import urllib.parse

import pytest
import requests
from proxmoxer import ResourceException
from proxmoxer.tools import Tasks

from tests.support.pve_checks import KEY1, KEY2, client, clone, error, ready_vm, wait


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
