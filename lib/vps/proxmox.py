"""The Proxmox VE API through proxmoxer (token auth), with task waits that back off."""
import time

from lib.config.ip_pool import PoolAddress

POLL_FIRST, POLL_MAX = 0.1, 0.5  # seconds: quick for short tasks, gentle for long clones


class ProxmoxError(RuntimeError):
    """Proxmox refused, failed a task, or could not be reached (message without secrets)."""


class Proxmox:
    def __init__(self, settings, timeout: float = 20.0, sleep=time.sleep):
        from proxmoxer import ProxmoxAPI  # only jobs talk to Proxmox; webhooks never load it
        self.settings, self.sleep = settings, sleep
        self.api = ProxmoxAPI(settings.host, port=settings.port, user=settings.user,
                              token_name=settings.token_name, token_value=settings.token_value,
                              verify_ssl=settings.verify_ssl, timeout=timeout, service="PVE")

    def _node(self):
        return self.api.nodes(self.settings.node)

    def _call(self, what, func, *args, **kwargs):
        from proxmoxer.core import ResourceException
        try:
            return func(*args, **kwargs)
        except ResourceException as exc:  # proxmoxer puts Proxmox's message in `content`
            detail = f" {exc.errors}" if exc.errors else ""
            raise ProxmoxError(f"{what}: {exc.status_code} {exc.content or exc.status_message}{detail}") from None
        except Exception as exc:  # connection refused, timeout, TLS: all "Proxmox not reachable"
            raise ProxmoxError(f"{what}: {type(exc).__name__}") from None

    def next_vmid(self) -> int:
        return int(self._call("nextid", self.api.cluster.nextid.get))

    def vms(self) -> list:
        """Every VM on our node, one summary each (vmid, name, status, tags, lock, template)."""
        return self._call("list", self._node().qemu.get)

    def config(self, vmid: int) -> dict | None:
        """The VM's config, or None when there is no such VM."""
        try:
            return self._call("config", self._node().qemu(vmid).config.get)
        except ProxmoxError as exc:
            if "does not exist" in str(exc) or " 404 " in f" {exc} ":
                return None
            raise

    def node_status(self) -> dict:
        """The node's load: cpu (0..1), loadavg, memory, rootfs, uptime (GET /nodes/{node}/status)."""
        return self._call("node status", self._node().status.get)

    def status(self, vmid: int) -> dict | None:
        try:
            return self._call("status", self._node().qemu(vmid).status.current.get)
        except ProxmoxError as exc:
            if "does not exist" in str(exc):
                return None
            raise

    def clone(self, vmid: int, name: str) -> str:
        s = self.settings
        return self._call("clone", self._node().qemu(s.template_vmid).clone.post, newid=vmid, name=name,
                          full=1, storage=s.storage, target=s.node)

    def set_config(self, vmid: int, **params) -> None:
        self._call("config", self._node().qemu(vmid).config.put, **params)

    def resize(self, vmid: int, disk: str, size: str, timeout: float = 600) -> None:
        upid = self._call("resize", self._node().qemu(vmid).resize.put, disk=disk, size=size)
        if upid:  # Proxmox 8 resizes in a task; older versions answer null when done
            self.wait(upid, timeout, "resize")

    def power(self, vmid: int, action: str, **params) -> str:
        """start, shutdown, stop or reboot: returns the task's UPID."""
        return self._call(action, getattr(self._node().qemu(vmid).status, action).post, **params)

    def destroy(self, vmid: int) -> str:
        return self._call("destroy", self._node().qemu(vmid).delete, purge=1, **{"destroy-unreferenced-disks": 1})

    def wait(self, upid: str, timeout: float, what: str) -> None:
        """Wait for a task, polling with back-off; ProxmoxError unless it ended OK in time."""
        deadline, interval = time.monotonic() + timeout, POLL_FIRST
        while True:
            task = self._call(f"{what} task", self._node().tasks(upid).status.get)
            if task.get("status") == "stopped":
                if task.get("exitstatus") != "OK" and not str(task.get("exitstatus")).startswith("WARNINGS"):
                    raise ProxmoxError(f"{what} task failed: {task.get('exitstatus')}")
                return
            if time.monotonic() >= deadline:
                raise ProxmoxError(f"{what} task did not finish within {timeout:.0f}s")
            self.sleep(interval)
            interval = min(interval * 2, POLL_MAX)

    def wait_until(self, vmid: int, predicate, timeout: float, what: str) -> dict:
        """Poll the VM's status until predicate(status) holds; back-off as in wait()."""
        deadline, interval = time.monotonic() + timeout, POLL_FIRST
        while True:
            status = self.status(vmid) or {}
            if predicate(status):
                return status
            if time.monotonic() >= deadline:
                raise ProxmoxError(f"{what}: VM {vmid} is still {status.get('status', 'missing')}")
            self.sleep(interval)
            interval = min(interval * 2, POLL_MAX)


def ipconfig(address: PoolAddress, gateway: str) -> str:
    """Cloud-init network line for the VM's first NIC."""
    return f"ip={address.ip}/{address.prefix},gw={gateway}"


def disk_size_gb(config: dict, disk: str) -> float:
    """The size of a disk in GiB from a config line like `local-lvm:vm-105-disk-0,size=20G`."""
    for part in str(config.get(disk, "")).split(","):
        if part.startswith("size="):
            value = part[5:]
            units = {"T": 1024, "G": 1, "M": 1 / 1024, "K": 1 / 1024 / 1024}
            return float(value[:-1]) * units.get(value[-1].upper(), 1 / 1024 ** 3) if value[-1].isalpha() \
                else float(value) / 1024 ** 3
    return 0.0
