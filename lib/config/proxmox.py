"""The PROXMOX_* variables as one validated object (read from the env dict lib.config passes in)."""
import re
from dataclasses import dataclass

from lib.config import parsers as p
from lib.config.ip_pool import PoolError, parse_pool
from lib.config.parsers import ConfigError

_HOST = re.compile(r"^(?:https://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?/?$")
_REQUIRED = ("USER", "TOKEN_NAME", "TOKEN_VALUE", "NODE", "TEMPLATE_VMID", "STORAGE", "GATEWAY", "IP_POOL")


@dataclass(frozen=True)
class ProxmoxSettings:
    host: str
    port: int
    user: str
    token_name: str
    token_value: str
    verify_ssl: object  # True, False, or a CA bundle path
    node: str
    template_vmid: int
    storage: str
    gateway: str
    pool: tuple
    nameserver: str
    ci_user: str
    disk: str  # the template's boot disk, grown to the plan's size


def _verify(env):
    value = p.text(env, "PROXMOX_VERIFY_SSL", "true")
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    return value  # a CA bundle path


def load_proxmox(env) -> ProxmoxSettings | None:
    """None when PROXMOX_HOST is empty (VPS sales off); ConfigError naming the variable otherwise."""
    host_text = p.text(env, "PROXMOX_HOST")
    if not host_text:
        return None
    match = _HOST.match(host_text)
    if not match:
        raise ConfigError(f"PROXMOX_HOST must be https://host:port or host:port, not {host_text!r}.")
    for name in _REQUIRED:
        if not p.text(env, f"PROXMOX_{name}"):
            raise ConfigError(f"PROXMOX_{name} is required when PROXMOX_HOST is set.")
    template = p.text(env, "PROXMOX_TEMPLATE_VMID")
    if not template.isdigit() or not 100 <= int(template) <= 999_999_999:
        raise ConfigError(f"PROXMOX_TEMPLATE_VMID must be a VM id (100 or more), not {template!r}.")
    gateway = p.text(env, "PROXMOX_GATEWAY")
    try:
        pool = parse_pool(p.text(env, "PROXMOX_IP_POOL"), gateway)
    except PoolError as exc:
        raise ConfigError(f"PROXMOX_IP_POOL: {exc}.") from None
    return ProxmoxSettings(
        host=match.group(1), port=int(match.group(2) or 8006), user=p.text(env, "PROXMOX_USER"),
        token_name=p.text(env, "PROXMOX_TOKEN_NAME"), token_value=p.text(env, "PROXMOX_TOKEN_VALUE"),
        verify_ssl=_verify(env), node=p.text(env, "PROXMOX_NODE"), template_vmid=int(template),
        storage=p.text(env, "PROXMOX_STORAGE"), gateway=gateway, pool=pool,
        nameserver=p.text(env, "PROXMOX_NAMESERVER", "1.1.1.1"), ci_user=p.text(env, "PROXMOX_CI_USER", "root"),
        disk=p.text(env, "PROXMOX_DISK", "scsi0"))
