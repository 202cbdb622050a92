"""What the fake Proxmox's own tests share: a proxmoxer client on its CA, task waits, a clone, a ready VM."""
import pytest
from proxmoxer import ProxmoxAPI
from proxmoxer.core import ResourceException
from proxmoxer.tools import Tasks

KEY1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx/Yk+3qZ2p9w0rTb8c= shop@host"
KEY2 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDc/9+x== admin@desk"


def client(fake, **kwargs):
    options = dict(user=fake.user, token_name=fake.token_name, token_value=fake.token_value,
                   verify_ssl=fake.ca_path, timeout=5)
    options.update(kwargs)
    return ProxmoxAPI(fake.host, **options)


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


