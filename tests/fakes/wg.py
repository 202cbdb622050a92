"""FakeWireGuard: a stand-in for tests.support.wgnet.WireGuardLab that needs no root and no network.

It writes an executable `wg` script that runs tests.fakes.wg_cli on a JSON state file, so WG_COMMAND=<the
script> works from any process: the tests, an in-process RQ worker, or a separate worker process.
"""
import ipaddress
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

from lib.vpn.wireguard.keys import generate_peer_keys
from tests.fakes import wg_cli, wg_grammar
from tests.support.wgnet import Peer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNREACHABLE = "ssh: connect to host vpn1 port 22: Connection refused"
# `$0` as wg's PROG_NAME, as the real binary prints it in usage lines. -P keeps the caller's working
# directory off sys.path, so another checkout's `tests` package there cannot shadow this one.
SCRIPT = """#!/bin/sh
# A fake `wg` for tests (tests/fakes/wg.py).
PYTHONPATH={root}${{PYTHONPATH:+:$PYTHONPATH}} exec {python} -P -m tests.fakes.wg_cli --state {state} --prog "$0" "$@"
"""


def _none(value):
    return None if value == "(none)" else value


class FakeWireGuard:
    """One fake WireGuard interface; the same attributes as WireGuardLab for all that needs no network."""

    def __init__(self, tmp_dir=None, subnet="10.8.0.0/24", interface="wgfake0", endpoint="vpn.example.test:51820"):
        self.subnet = ipaddress.ip_network(subnet)  # bad input fails before anything exists
        self.server_address = str(next(self.subnet.hosts()))
        self.interface, self.endpoint, self.client = interface, endpoint, None
        self._dir = tempfile.mkdtemp(prefix="fakewg-", dir=tmp_dir)
        self._state = os.path.join(self._dir, "state.json")
        keys = generate_peer_keys()
        self.server_public_key, self._private_key = keys.public_key, keys.private_key
        self._port = int(endpoint.rsplit(":", 1)[1])
        with open(self._state, "w") as f:
            json.dump({"interface": interface, "peers": [], "down": None, "calls": [], **self._identity()}, f)
        self.wg_command = os.path.join(self._dir, "wg")  # named `wg`, as the doctor expects WG_COMMAND to end
        with open(self.wg_command, "w") as f:
            f.write(SCRIPT.format(root=shlex.quote(ROOT), python=shlex.quote(sys.executable),
                                  state=shlex.quote(self._state)))
        os.chmod(self.wg_command, 0o755)

    def wg(self, *args, input=None, timeout=10, check=True):
        """Run the fake command; stdout stripped, RuntimeError on a non-zero exit (like wgnet's _run)."""
        p = subprocess.run([self.wg_command, *args], input=input, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode:
            raise RuntimeError(f"{shlex.join([self.wg_command, *args])} -> rc {p.returncode}: {p.stderr.strip()}")
        return p.stdout.strip()

    def peers(self):
        """Peers as `wg show <iface> dump` lists them (read in-process: not counted in calls())."""
        with wg_cli.locked(self._state) as state:
            lines = wg_cli.lines_of(state, "dump")[1:]
        out = []
        for line in lines:
            pk, psk, ep, ips, hs, rx, tx, ka = line.split("\t")
            out.append(Peer(pk, _none(psk), _none(ep), [] if ips == "(none)" else ips.split(","),
                            int(hs), int(rx), int(tx), None if ka == "off" else int(ka)))
        return out

    def restart_server_empty(self):
        """What a WireGuard server restart does: same key and port, no peers."""
        with wg_cli.locked(self._state) as state:
            state.update(peers=[], **self._identity())

    def _identity(self):
        return {"private_key": self._private_key, "public_key": self.server_public_key,
                "listen_port": self._port, "fwmark": 0}

    def set_traffic(self, public_key, latest_handshake, rx, tx, endpoint=None):
        """Make a peer look like a client that connected: handshake epoch seconds, bytes received and sent."""
        with wg_cli.locked(self._state) as state:
            peer = next((p for p in state["peers"] if p["public_key"] == public_key), None)
            if peer is None:
                raise LookupError(f"no peer {public_key} on {self.interface}")
            peer.update(latest_handshake=int(latest_handshake), rx=int(rx), tx=int(tx))
            if endpoint:
                peer["endpoint"] = wg_grammar.parse_endpoint(endpoint)

    def add_stranger(self, public_key, allowed_ips):
        """Put a peer the shop never made on the interface, as an admin's `wg set` by hand would."""
        ips = allowed_ips if isinstance(allowed_ips, str) else ",".join(allowed_ips)
        _, peers = wg_grammar.parse_set(["peer", public_key, "allowed-ips", ips])
        with wg_cli.locked(self._state) as state:
            wg_cli.apply_set(state, {}, peers)

    def hold_sets(self, held=True):
        """Every `wg set` from now on waits (its caller blocked mid-apply) until hold_sets(False)."""
        with wg_cli.locked(self._state) as state:
            state["hold_sets"] = held

    def go_down(self, message=UNREACHABLE):
        """Every invocation now fails as an unreachable host does: exit 255, `message` on stderr."""
        with wg_cli.locked(self._state) as state:
            state["down"] = message

    def come_back(self):
        with wg_cli.locked(self._state) as state:
            state["down"] = None

    def calls(self):
        """The argument lists the command was run with, in order (failed and unreachable runs too)."""
        with wg_cli.locked(self._state) as state:
            return [list(args) for args in state["calls"]]

    def close(self):
        shutil.rmtree(self._dir, ignore_errors=True)  # holds the server's private key

    def __enter__(self): return self
    def __exit__(self, *exc): self.close()
