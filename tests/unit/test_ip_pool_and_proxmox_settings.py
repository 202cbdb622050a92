"""VPS pure logic: the IP pool, Proxmox settings, disk sizes, cloud-init's ipconfig, VPS plan sizes."""
import os

import pytest

from lib.config import ConfigError, load_settings
from lib.config.ip_pool import PoolAddress, PoolError, first_free, parse_pool
from lib.vps.proxmox import disk_size_gb, ipconfig

BASE = {"DATABASE_URL": "postgresql://x@db/x", "REDIS_URL": "redis://r", "CRON_SECRET": "c",
        "SECRET_KEY": "0123456789abcdef0", "PROXMOX_HOST": "https://pve.example:8006", "PROXMOX_USER": "shop@pve",
        "PROXMOX_TOKEN_NAME": "shop", "PROXMOX_TOKEN_VALUE": "secret", "PROXMOX_NODE": "pve1",
        "PROXMOX_TEMPLATE_VMID": "9000", "PROXMOX_STORAGE": "local-lvm", "PROXMOX_GATEWAY": "203.0.113.1",
        "PROXMOX_IP_POOL": "203.0.113.10-203.0.113.20"}


def test_pool_forms():
    pool = parse_pool("203.0.113.5, 203.0.113.6/24, 203.0.113.16/30, 198.51.100.1-198.51.100.3/28", "203.0.113.17")
    assert pool == (PoolAddress("203.0.113.5", 32), PoolAddress("203.0.113.6", 24), PoolAddress("203.0.113.18", 30),
                    PoolAddress("198.51.100.1", 28), PoolAddress("198.51.100.2", 28), PoolAddress("198.51.100.3", 28))
    assert first_free(pool, ["203.0.113.5", "203.0.113.6"]) == PoolAddress("203.0.113.18", 30)
    assert first_free(pool[:1], ["203.0.113.5"]) is None


@pytest.mark.parametrize("text, problem", [("", "no address"), ("203.0.113.300", "not an IP"),
                                           ("203.0.113.9-203.0.113.1", "lower to a higher"),
                                           ("203.0.113.1, 203.0.113.1", "twice"), ("10.0.0.0/8", "too large")])
def test_pool_mistakes_are_named(text, problem):
    with pytest.raises(PoolError, match=problem):
        parse_pool(text)


def test_proxmox_settings():
    px = load_settings(BASE, dotenv_path=os.devnull).proxmox
    assert (px.host, px.port, px.verify_ssl, px.template_vmid, len(px.pool)) == ("pve.example", 8006, True, 9000, 11)
    px = load_settings({**BASE, "PROXMOX_HOST": "10.1.1.1", "PROXMOX_VERIFY_SSL": "/etc/ca.pem"},
                       dotenv_path=os.devnull).proxmox
    assert (px.host, px.port, px.verify_ssl) == ("10.1.1.1", 8006, "/etc/ca.pem")


@pytest.mark.parametrize("env, name", [({"PROXMOX_HOST": "ftp://pve"}, "PROXMOX_HOST"),
                                       ({"PROXMOX_TOKEN_VALUE": ""}, "PROXMOX_TOKEN_VALUE"),
                                       ({"PROXMOX_TEMPLATE_VMID": "abc"}, "PROXMOX_TEMPLATE_VMID"),
                                       ({"PROXMOX_IP_POOL": "nonsense"}, "PROXMOX_IP_POOL")])
def test_proxmox_mistakes_stop_start_up(env, name):
    with pytest.raises(ConfigError, match=name):
        load_settings({**BASE, **env}, dotenv_path=os.devnull)


def test_disk_sizes_and_ipconfig():
    assert disk_size_gb({"scsi0": "local-lvm:vm-105-disk-0,size=20G"}, "scsi0") == 20
    assert disk_size_gb({"scsi0": "local:105/vm.qcow2,size=2252M"}, "scsi0") == pytest.approx(2.2, 0.01)
    assert disk_size_gb({"scsi0": "x,size=1T"}, "scsi0") == 1024 and disk_size_gb({}, "scsi0") == 0
    assert ipconfig(PoolAddress("203.0.113.5", 32), "203.0.113.1") == "ip=203.0.113.5/32,gw=203.0.113.1"


def test_vps_plans_need_sizes(tmp_path):
    path = tmp_path / "plans.yaml"
    path.write_text("vps: [{id: v, title: x, duration: 30d, price_rub: 1, price_usdt: 1, cores: 0, memory_mb: 512,"
                    " disk_gb: 10}]")
    with pytest.raises(ConfigError, match="cores"):
        load_settings({**BASE, "TARIFFS_FILE": str(path)}, dotenv_path=os.devnull)
