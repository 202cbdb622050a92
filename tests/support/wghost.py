"""What the WireGuard lab (tests/support/wgnet.py) stands on: running commands, keys from `wg`, whether
this host can run a lab at all, and cleaning up what crashed runs left behind."""
import contextlib
import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass

SOCK_DIR = "/var/run/wireguard"


PORT = 51820
# wg-quick-only keys that `wg setconf` rejects (same list as `wg-quick strip`).


QUICK_KEYS = {"address", "dns", "mtu", "table", "preup", "postup", "predown", "postdown", "saveconfig"}
# Silences wireguard-go's "use the kernel module" banner; there is no module here.


WG_ENV = {**os.environ, "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD": "1"}


def _run(*cmd, input=None, timeout=10, check=True):
    p = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode:
        raise RuntimeError(f"{shlex.join(cmd)} -> rc {p.returncode}: {p.stderr.strip()}")
    return p.stdout.strip()


def genkey(): return _run("wg", "genkey")


def pubkey(private_key): return _run("wg", "pubkey", input=private_key + "\n")


def genpsk(): return _run("wg", "genpsk")


def available():
    """(ok, reason): can this host run a lab?"""
    if os.geteuid() != 0:
        return False, "WireGuard lab needs root"
    if not os.path.exists("/dev/net/tun"):
        return False, "WireGuard lab needs /dev/net/tun"
    missing = [t for t in ("wireguard-go", "wg", "ip", "ping") if not shutil.which(t)]
    return (False, "WireGuard lab needs " + ", ".join(missing)) if missing else (True, "")


def require_wireguard():
    """Skip the calling test if no lab is possible -- but fail loudly in CI."""
    import pytest
    ok, reason = available()
    if not ok:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must run WireGuard tests: {reason}", pytrace=False)
        pytest.skip(reason)


def _netns_list():
    return [line.split()[0] for line in _run("ip", "netns", "list").splitlines() if line.strip()]


def _stop(proc, timeout=3):
    """Terminate (lets wireguard-go remove its socket), then kill."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


def _rm(path):
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def cleanup_stale(prefix="vs"):
    """Remove namespaces, wireguard-go processes and sockets left by crashed
    runs. Only call when no other live lab uses `prefix`."""
    pat = re.compile(rf"^{re.escape(prefix)}[0-9a-f]{{4}}")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):  # processes come and go while we look
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
            if os.path.basename(argv[0]) == "wireguard-go" and any(pat.match(a) for a in argv[1:]):
                os.kill(int(pid), signal.SIGKILL)
    for ns in _netns_list():
        if pat.match(ns):
            _run("ip", "netns", "del", ns, check=False)
    for name in os.listdir(SOCK_DIR) if os.path.isdir(SOCK_DIR) else ():
        if pat.match(name):
            _rm(os.path.join(SOCK_DIR, name))
    for d in glob.glob(os.path.join(tempfile.gettempdir(), f"wgnet-{prefix}*")):
        if pat.match(os.path.basename(d)[6:]):
            shutil.rmtree(d, ignore_errors=True)  # holds a throwaway private key


@dataclass
class Peer:
    public_key: str
    preshared_key: str | None
    endpoint: str | None
    allowed_ips: list
    latest_handshake: int
    rx: int
    tx: int
    keepalive: int | None


