"""A fake `wg` (wireguard-tools v1.0.20210914): `python -m tests.fakes.wg_cli --state FILE [--prog NAME] ARGS`.

Parsing and messages follow wg's config.c and show.c; a `set` is applied as the Linux kernel module does
(peers and allowed IPs in insertion order, an allowed IP given to a peer leaves the peer that held it)."""
import contextlib
import fcntl
import json
import os
import sys
import time

from tests.fakes.wg_grammar import SET_USAGE, SHOW_USAGE, Refused, parse_set

NO_DEVICE = "No such device"  # what the kernel says for an interface that is not there
SUBCOMMANDS = [("show", "Shows the current configuration and device information"),
               ("showconf", "Shows the current configuration of a given WireGuard interface, for use with `setconf'"),
               ("set", "Change the current configuration, add peers, remove peers, or change peers"),
               ("setconf", "Applies a configuration file to a WireGuard interface"),
               ("addconf", "Appends a configuration file to a WireGuard interface"),
               ("syncconf", "Synchronizes a configuration file to a WireGuard interface"),
               ("genkey", "Generates a new private key and writes it to stdout"),
               ("genpsk", "Generates a new preshared key and writes it to stdout"),
               ("pubkey", "Reads a private key from stdin and writes a public key to stdout")]


@contextlib.contextmanager
def locked(path):
    """The state under an exclusive flock (other processes and threads wait); saved when the block succeeds."""
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with open(path) as f:
            state = json.load(f)
        yield state
        tmp = f"{path}.{os.getpid()}.tmp"  # a crash mid-write never leaves a torn state file
        with open(tmp, "w") as f:
            json.dump(state, f)
        os.replace(tmp, path)


def apply_set(state, device, changes):
    """What the kernel does with one `wg set` (netlink set_device)."""
    if "private_key" in device:
        from lib.vpn.wireguard.keys import public_key_of  # lazy: cryptography is slow to import
        key = device.pop("private_key")
        state["private_key"], state["public_key"] = key, key and public_key_of(key)
        state["peers"] = [p for p in state["peers"] if p["public_key"] != state["public_key"]]
    state.update(device)
    for change in changes:
        key = change["public_key"]
        if key == state["public_key"]:
            continue  # the kernel silently ignores a peer carrying the interface's own key
        peer = next((p for p in state["peers"] if p["public_key"] == key), None)
        if change.get("remove"):
            state["peers"] = [p for p in state["peers"] if p is not peer]
            continue
        if peer is None:
            peer = {"public_key": key, "preshared_key": None, "endpoint": None, "allowed_ips": [],
                    "latest_handshake": 0, "rx": 0, "tx": 0, "keepalive": 0}
            state["peers"].append(peer)
        peer.update({k: change[k] for k in ("preshared_key", "endpoint", "keepalive") if k in change})
        if "allowed_ips" in change:
            peer["allowed_ips"] = []
            for net in change["allowed_ips"]:
                for other in state["peers"]:  # one allowed IP, one peer: it moves to the newest holder
                    other["allowed_ips"] = [n for n in other["allowed_ips"] if n != net]
                peer["allowed_ips"].append(net)


def lines_of(state, param):
    """The lines of `wg show IFACE PARAM`, or None for an unknown PARAM."""
    device = {"public-key": state["public_key"] or "(none)", "private-key": state["private_key"] or "(none)",
              "listen-port": str(state["listen_port"]),
              "fwmark": f"0x{state['fwmark']:x}" if state["fwmark"] else "off"}
    if param in device:
        return [device[param]]
    rows = {"peers": lambda p: [], "endpoints": lambda p: [p["endpoint"] or "(none)"],
            "allowed-ips": lambda p: [" ".join(p["allowed_ips"]) or "(none)"],
            "latest-handshakes": lambda p: [p["latest_handshake"]], "transfer": lambda p: [p["rx"], p["tx"]],
            "persistent-keepalive": lambda p: [p["keepalive"] or "off"],
            "preshared-keys": lambda p: [p["preshared_key"] or "(none)"],
            "dump": lambda p: [p["preshared_key"] or "(none)", p["endpoint"] or "(none)",
                               ",".join(p["allowed_ips"]) or "(none)", p["latest_handshake"], p["rx"], p["tx"],
                               p["keepalive"] or "off"]}
    if param not in rows:
        return None
    head = ["\t".join([state["private_key"] or "(none)", device["public-key"], device["listen-port"],
                       device["fwmark"]])] if param == "dump" else []
    return head + ["\t".join(map(str, [p["public_key"], *rows[param](p)])) for p in state["peers"]]


def show(state, prog, args):
    """wg's show_main for the one interface; the human-readable form is not faked."""
    if len(args) > 2 or (args[:1] == ["interfaces"] and len(args) > 1):
        raise Refused(SHOW_USAGE.format(prog))
    if args[:1] == ["interfaces"]:
        return print(state["interface"]) or 0
    if len(args) == 1 and args[0] in ("-h", "--help", "help"):
        return print(SHOW_USAGE.format(prog), file=sys.stderr) or 0
    if args and args[0] != "all" and args[0] != state["interface"]:
        raise Refused(f"Unable to access interface: {NO_DEVICE}")
    if len(args) < 2:
        raise Refused("fake wg: the human-readable `wg show` is not implemented; ask for a field or dump")
    lines = lines_of(state, args[1])
    if lines is None:
        raise Refused(f"Invalid parameter: `{args[1]}'\n" + SHOW_USAGE.format(prog))
    prefix = state["interface"] + "\t" if args[0] == "all" else ""
    print("".join(f"{prefix}{line}\n" for line in lines), end="")
    return 0


def run(path, prog, argv):
    usage = (f"Usage: {prog} <cmd> [<args>]\n\nAvailable subcommands:\n"
             + "".join(f"  {name}: {text}\n" for name, text in SUBCOMMANDS)
             + "You may pass `--help' to any of these subcommands to view usage.")
    cmd, args = (argv or ["show"])[0], argv[1:]  # a bare `wg` is `wg show`
    if argv in (["-h"], ["--help"], ["help"]):
        return print(usage) or 0
    if cmd == "set":
        if len(args) < 2:
            raise Refused(SET_USAGE.format(prog))
        device, peers = parse_set(args[1:])  # wg parses (and reads key files) before it opens the device
        with locked(path) as state:
            if args[0][:15] != state["interface"]:  # IFNAMSIZ - 1
                raise Refused(f"Unable to modify interface: {NO_DEVICE}")
            apply_set(state, device, peers)
        return 0
    if cmd == "show":
        with locked(path) as state:
            return show(state, prog, args)
    if cmd in dict(SUBCOMMANDS):
        raise Refused(f"fake wg: `{cmd}' is not implemented")
    raise Refused(f"Invalid subcommand: `{cmd}'\n{usage}")


def main(argv):
    """argv: --state FILE [--prog NAME] <wg args>; returns wg's exit code."""
    path, argv, prog = argv[1], argv[2:], "wg"
    if argv[:1] == ["--prog"]:
        prog, argv = argv[1], argv[2:]
    with locked(path) as state:
        state["calls"].append(argv)
        down, held = state["down"], argv[:1] == ["set"] and state.get("hold_sets")
    while held:  # a test parks `wg set` here to kill its caller mid-apply (FakeWireGuard.hold_sets)
        time.sleep(0.05)
        with locked(path) as state:
            held = state.get("hold_sets")
    if down:  # the host is unreachable: ssh fails before wg ever runs
        print(down, file=sys.stderr)
        return 255
    try:
        return run(path, prog, argv)
    except Refused as e:
        print(e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
