"""`wg` on the live server interface, one peer at a time through WG_COMMAND (never a full rewrite)."""
import subprocess

from lib.vpn.backend import BackendError, KeyOnServer
from lib.vpn.wireguard.keys import is_valid_key


class WireGuardError(BackendError):
    """`wg` failed or could not be run; the message says why, without key material."""


class WireGuardServer:
    def __init__(self, command: tuple, interface: str, timeout: float = 15.0):
        self.command = tuple(command)
        self.interface = interface
        self.timeout = timeout

    def _run(self, *args, stdin: str | None = None) -> str:
        # Keys travel on stdin (`/dev/stdin` as the key file) so they never show in `ps`
        # and work the same when WG_COMMAND is `ssh root@vpn1 wg`.
        try:
            done = subprocess.run([*self.command, *args], input=stdin, capture_output=True,
                                  text=True, timeout=self.timeout)
        except FileNotFoundError:
            raise WireGuardError(f"cannot run {self.command[0]!r}: not installed or not on PATH") from None
        except subprocess.TimeoutExpired:
            raise WireGuardError(f"wg {args[0]} on {self.interface} timed out after {self.timeout:.0f}s") from None
        if done.returncode != 0:
            raise WireGuardError(f"wg {args[0]} on {self.interface} failed: {done.stderr.strip()[:300]}")
        return done.stdout

    def public_key(self) -> str:
        """The server's public key, read from the interface itself."""
        key = self._run("show", self.interface, "public-key").strip()
        if not is_valid_key(key):
            raise WireGuardError(f"interface {self.interface} has no private key set")
        return key

    def add_peer(self, public_key: str, preshared_key: str, address: str, prefix: int = 32) -> None:
        """Add or update one peer; running it again changes nothing."""
        self._run("set", self.interface, "peer", public_key, "preshared-key", "/dev/stdin",
                  "allowed-ips", f"{address}/{prefix}", stdin=preshared_key + "\n")

    def remove_peer(self, public_key: str) -> None:
        """Remove one peer; removing an absent peer is not an error."""
        self._run("set", self.interface, "peer", public_key, "remove")

    def peers(self) -> dict:
        """Live peers by public key, from `wg show IFACE dump`."""
        lines = self._run("show", self.interface, "dump").splitlines()[1:]
        result = {}
        for line in lines:
            fields = line.split("\t")
            if len(fields) < 8:
                continue
            ips = tuple(ip for ip in fields[3].split(",") if ip and ip != "(none)")
            result[fields[0]] = KeyOnServer(
                public_key=fields[0], endpoint=None if fields[2] == "(none)" else fields[2],
                allowed_ips=ips, latest_handshake=int(fields[4]), rx_bytes=int(fields[5]),
                tx_bytes=int(fields[6]))
        return result
