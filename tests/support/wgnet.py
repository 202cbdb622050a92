"""Throwaway WireGuard lab: a wireguard-go server and client in two network
namespaces joined by a veth pair, to prove the shop's client configs connect.

Needs root, /dev/net/tun, wireguard-go, wg, ip, ping. Traffic never leaves the
lab's own namespaces. One client at a time per lab.
"""
import contextlib
import ipaddress
import math
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
import time

from tests.support.wghost import (  # noqa: F401
    PORT,
    QUICK_KEYS,
    SOCK_DIR,
    WG_ENV,
    Peer,
    _netns_list,
    _rm,
    _run,
    _stop,
    available,
    cleanup_stale,
    genkey,
    genpsk,
    pubkey,
    require_wireguard,
)


class WireGuardLab:
    """Server namespace <p>srv (iface <p>s0) + client namespace <p>cli."""

    def __init__(self, subnet="10.8.0.0/24", prefix_base="vs"):
        self._procs, self._tmp, self.client = {}, None, None
        self.subnet = ipaddress.ip_network(subnet)  # bad input fails before anything exists
        self.server_address = str(next(self.subnet.hosts()))
        taken = set(_netns_list())
        for _ in range(20):  # random prefix, avoiding leftovers of crashed runs
            self.prefix = p = prefix_base + secrets.token_hex(2)
            if p + "srv" not in taken and p + "cli" not in taken:
                break
        self.srv_ns, self.cli_ns, self.interface = p + "srv", p + "cli", p + "s0"
        n = int(p[-4:], 16) % 254 + 1  # namespaces are private, so clashes would not matter
        self.endpoint, self.wg_command = f"10.99.{n}.1:{PORT}", "wg"
        try:
            self._tmp = tempfile.mkdtemp(prefix=f"wgnet-{p}-")
            self._key_file = os.path.join(self._tmp, "server.key")
            for ns in (self.srv_ns, self.cli_ns):
                _run("ip", "netns", "add", ns)
                _run("ip", "-n", ns, "link", "set", "lo", "up")
            # Create the veth ends directly inside the namespaces: the host ns is never touched.
            _run("ip", "link", "add", p + "a", "netns", self.srv_ns, "type", "veth",
                 "peer", "name", p + "b", "netns", self.cli_ns)
            for ns, dev, host in ((self.srv_ns, p + "a", 1), (self.cli_ns, p + "b", 2)):
                _run("ip", "-n", ns, "addr", "add", f"10.99.{n}.{host}/24", "dev", dev)
                _run("ip", "-n", ns, "link", "set", dev, "up")
            key = genkey()
            with os.fdopen(os.open(self._key_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
                f.write(key + "\n")
            self.server_public_key = pubkey(key)
            self._start_server()
            # wg finds the UAPI socket by name from any namespace; fall back if not.
            if _run("wg", "show", self.interface, "public-key", check=False) != self.server_public_key:
                self.wg_command = f"ip netns exec {self.srv_ns} wg"
        except BaseException:
            self.close()
            raise

    def wg(self, *args, **kw):
        return _run(*shlex.split(self.wg_command), *args, **kw)

    def _spawn(self, ns, iface, timeout=5.0):
        """Start `wireguard-go -f iface` in ns; return once its UAPI socket accepts."""
        _stop(self._procs.pop(iface, None))
        sock = os.path.join(SOCK_DIR, iface + ".sock")
        _rm(sock)  # a stale file from a SIGKILLed daemon would fool the wait below
        log = os.path.join(self._tmp, iface + ".log")
        with open(log, "ab") as out:
            self._procs[iface] = proc = subprocess.Popen(
                ["ip", "netns", "exec", ns, "wireguard-go", "-f", iface],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=WG_ENV)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            # connect(), not exists(): only a live daemon's socket accepts.
            with socket.socket(socket.AF_UNIX) as s, contextlib.suppress(OSError):
                s.connect(sock)
                return
            time.sleep(0.05)
        raise RuntimeError(f"wireguard-go {iface} not ready (rc={proc.poll()}): {open(log).read()[-500:]}")

    def _start_server(self):
        self._spawn(self.srv_ns, self.interface)
        self.wg("set", self.interface, "private-key", self._key_file, "listen-port", str(PORT))
        _run("ip", "-n", self.srv_ns, "addr", "add", f"{self.server_address}/{self.subnet.prefixlen}",
             "dev", self.interface)
        _run("ip", "-n", self.srv_ns, "link", "set", self.interface, "up")

    def restart_server_empty(self):
        """Restart the server daemon: same key, port and address, no peers."""
        self._start_server()  # _spawn stops the old daemon; its tun device goes with it

    def peers(self):
        """Peers of `wg show <iface> dump` (first line is the interface itself)."""
        none = lambda v: None if v == "(none)" else v
        out = []
        for line in self.wg("show", self.interface, "dump").splitlines()[1:]:
            pk, psk, ep, ips, hs, rx, tx, ka = line.split("\t")
            out.append(Peer(pk, none(psk), none(ep), [] if ips == "(none)" else ips.split(","),
                            int(hs), int(rx), int(tx), None if ka == "off" else int(ka)))
        return out

    def connect_client(self, conf_text, endpoint=None):
        """Bring up a wg-quick style client config in the client namespace.
        `endpoint` overrides the config's Endpoint (e.g. lab.endpoint)."""
        if self.client:
            self.client.close()
        iface, addrs, mtu, lines, section = self.prefix + "c0", [], None, [], None
        for raw in conf_text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if line.startswith("["):
                section = line.strip("[]").strip().lower()
            elif "=" in line:
                key, val = (s.strip() for s in line.split("=", 1))
                k = key.lower()
                if section == "interface" and k in QUICK_KEYS:
                    addrs += [a.strip() for a in val.split(",") if a.strip()] if k == "address" else []
                    mtu = val if k == "mtu" else mtu
                    continue
                if section == "peer" and k == "endpoint" and endpoint:
                    val = endpoint
                line = f"{key} = {val}"
            lines.append(line)
        conf = os.path.join(self._tmp, "client.conf")
        with os.fdopen(os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write("\n".join(lines) + "\n")
        self._spawn(self.cli_ns, iface)
        self.client = ClientTunnel(self, iface, addrs, conf)
        self.client.apply()
        for a in addrs:
            _run("ip", "-n", self.cli_ns, "addr", "add", a, "dev", iface)
        if mtu:
            _run("ip", "-n", self.cli_ns, "link", "set", iface, "mtu", mtu)
        _run("ip", "-n", self.cli_ns, "link", "set", iface, "up")
        # Only the tunnel subnet: a default route would swallow the route to the endpoint.
        _run("ip", "-n", self.cli_ns, "route", "replace", str(self.subnet), "dev", iface)
        return self.client

    def close(self):
        for iface in list(self._procs):
            _stop(self._procs.pop(iface))
        for ns in (getattr(self, "srv_ns", None), getattr(self, "cli_ns", None)):
            if ns:  # deleting a namespace also deletes its veth end and tun devices
                _run("ip", "netns", "del", ns, check=False)
        if hasattr(self, "prefix"):
            for iface in (self.prefix + "s0", self.prefix + "c0"):
                _rm(os.path.join(SOCK_DIR, iface + ".sock"))
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
        self.client = None

    def __enter__(self): return self
    def __exit__(self, *exc): self.close()


class ClientTunnel:
    def __init__(self, lab, interface, addresses, conf_path):
        self.lab, self.interface, self.addresses, self._conf = lab, interface, addresses, conf_path

    def apply(self):
        """(Re)apply the stripped config. setconf replaces all peers, which drops
        stale sessions: use after the server restarted to handshake at once."""
        lab = self.lab  # in the fallback case wg must run in the client's namespace
        _run(*shlex.split(lab.wg_command.replace(lab.srv_ns, lab.cli_ns)), "setconf", self.interface, self._conf)

    def ping(self, address, count=3, timeout_s=3.0):
        """True if `count` replies arrive within timeout_s (ping -w deadline)."""
        deadline = max(1, math.ceil(timeout_s))
        p = subprocess.run(["ip", "netns", "exec", self.lab.cli_ns, "ping", "-n", "-q", "-c", str(count),
                            "-i", "0.2", "-w", str(deadline), address],
                           capture_output=True, timeout=deadline + 5)
        return p.returncode == 0

    def close(self):
        _stop(self.lab._procs.pop(self.interface, None))  # its tun device vanishes with it
        _rm(os.path.join(SOCK_DIR, self.interface + ".sock"))
        if self.lab.client is self:
            self.lab.client = None


def wireguard_lab(**kw):
    """Fixture body: `lab = pytest.fixture(wgnet.wireguard_lab)`."""
    require_wireguard()
    with WireGuardLab(**kw) as lab:
        yield lab
