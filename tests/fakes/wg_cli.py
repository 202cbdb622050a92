"""A fake `wg` (wireguard-tools v1.0.20210914): `python -m tests.fakes.wg_cli --state FILE [--prog NAME] ARGS`.

Parsing and messages follow wg's config.c and show.c; a `set` is applied as the Linux kernel module does
(peers and allowed IPs in insertion order, an allowed IP given to a peer leaves the peer that held it)."""
import base64
import contextlib
import fcntl
import ipaddress
import json
import os
import re
import socket
import sys

SPACE = " \t\n\v\f\r"  # wg's char_is_space
NO_DEVICE = "No such device"  # what the kernel says for an interface that is not there
SHOW_USAGE = ("Usage: {} show {{ <interface> | all | interfaces }} [public-key | private-key | listen-port | fwmark | "
              "peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | "
              "persistent-keepalive | dump]")
SET_USAGE = ("Usage: {} set <interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] "
             "[peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] "
             "[persistent-keepalive <interval seconds>] [allowed-ips <ip1>/<cidr1>[,<ip2>/<cidr2>]...] ]...")
SUBCOMMANDS = [("show", "Shows the current configuration and device information"),
               ("showconf", "Shows the current configuration of a given WireGuard interface, for use with `setconf'"),
               ("set", "Change the current configuration, add peers, remove peers, or change peers"),
               ("setconf", "Applies a configuration file to a WireGuard interface"),
               ("addconf", "Appends a configuration file to a WireGuard interface"),
               ("syncconf", "Synchronizes a configuration file to a WireGuard interface"),
               ("genkey", "Generates a new private key and writes it to stdout"),
               ("genpsk", "Generates a new preshared key and writes it to stdout"),
               ("pubkey", "Reads a private key from stdin and writes a public key to stdout")]


class Refused(Exception):
    """wg printed this to stderr and exited 1."""


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


def parse_key(text):
    """wg's key_from_base64: exactly 44 characters of canonical base64 for 32 bytes."""
    with contextlib.suppress(ValueError):
        raw = base64.b64decode(text, validate=True)
        if len(text) == 44 and len(raw) == 32 and base64.b64encode(raw).decode() == text:
            return text
    raise Refused(f"Key is not the correct length or format: `{text}'")


def read_key_file(path):
    """wg's parse_keyfile; an empty file (/dev/null) means no key."""
    try:
        with open(path, "rb") as f:
            text, rest = f.read(44).decode("latin-1"), f.read().decode("latin-1")
    except IsADirectoryError:  # C's fopen opens a directory; its fread then fails
        raise Refused("Invalid length key in key file") from None
    except OSError as e:
        raise Refused(f"fopen: {e.strerror}") from None
    if not text:
        return None
    if len(text) < 44:
        raise Refused("Invalid length key in key file")
    for c in rest.lstrip(SPACE)[:1]:
        raise Refused(f"Found trailing character in key file: `{c}'")
    return None if parse_key(text) == "A" * 43 + "=" else text  # the all-zero key is "no key"


def parse_allowed_ips(value):
    """wg's parse_allowedips, normalised as the kernel stores them (host bits cleared)."""
    value, nets = "".join(c for c in value if c not in SPACE), []
    for entry in value.split(",") if value else []:
        ip, _, mask = entry.partition("/")
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        try:
            socket.inet_pton(family, ip)
        except OSError:
            raise Refused(f"Unable to parse IP address: `{ip}'") from None
        bits = 128 if family == socket.AF_INET6 else 32
        if "/" in entry and not (re.fullmatch("[0-9]+", mask) and int(mask) <= bits):
            raise Refused(f"AllowedIP is not in the correct format: `{entry}'")
        net = ipaddress.ip_network(f"{ip}/{mask or bits}", strict=False)
        if str(net.network_address) != str(ipaddress.ip_address(ip)):
            print(f"Warning: AllowedIP has nonzero host part: {ip}/{mask}", file=sys.stderr)
        nets.append(str(net))
    return nets


def parse_endpoint(value):
    """wg's parse_endpoint: `host:port` or `[v6]:port`, resolved once, kept as numbers."""
    if not value:
        raise Refused("Unable to parse empty endpoint")
    bracket = value.startswith("[")
    host, sep, port = value[1:].partition("]") if bracket else value.rpartition(":")
    if bracket and not sep:
        raise Refused(f"Unable to find matching brace of endpoint: `{value}'")
    if (bracket and (port[:1] != ":" or len(port) < 2)) or not (sep and port):
        raise Refused(f"Unable to find port of endpoint: `{value}'")
    return resolve(host, port[1:] if bracket else port, value)


def parse_port(value):
    if not value:
        raise Refused("Unable to parse empty port")
    return int(resolve(None, value, value, socket.AI_PASSIVE).rsplit(":", 1)[1])


def resolve(host, port, value, flags=0):
    """getaddrinfo as wg calls it (so `http` or 99999 fare as they do there); 'ip:port' or '[ip6]:port'."""
    try:
        family, _, _, _, addr = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM, socket.IPPROTO_UDP, flags)[0]
    except socket.gaierror as e:
        raise Refused(f"{e.strerror}: `{value}'") from None
    return f"[{addr[0]}]:{addr[1]}" if family == socket.AF_INET6 else f"{addr[0]}:{addr[1]}"


def number(limit, what, hex_ok=False):
    """A parser for fwmark or persistent-keepalive: "off", or a number up to `limit` (wg's strtoul rules)."""
    def parse(value):
        if value.lower() == "off":
            return 0
        base = 16 if hex_ok and re.fullmatch("0x[0-9a-fA-F]+", value) else 10
        if (base == 16 or re.fullmatch("[0-9]+", value)) and int(value, base) <= limit:
            return int(value, base)
        raise Refused(f"{what}: `{value}'")
    return parse


DEVICE_OPTIONS = {"listen-port": ("listen_port", parse_port), "private-key": ("private_key", read_key_file),
                  "fwmark": ("fwmark", number(0xFFFFFFFF, "Fwmark is neither 0/off nor 0-0xffffffff", True))}
PEER_OPTIONS = {"endpoint": ("endpoint", parse_endpoint), "allowed-ips": ("allowed_ips", parse_allowed_ips),
                "preshared-key": ("preshared_key", read_key_file),
                "persistent-keepalive": ("keepalive", number(65535, "Persistent keepalive interval is neither "
                                                                    "0/off nor 1-65535"))}


def parse_set(args):
    """wg's config_read_cmd: (device changes, [peer changes]), or Refused before anything is touched."""
    device, peers = {}, []
    while args:
        word, value, peer = args[0], args[1:2], peers[-1] if peers else None
        options = PEER_OPTIONS if peer else DEVICE_OPTIONS
        if word == "remove" and peer:
            peer["remove"], value = True, []  # the one word without a value
        elif word == "peer" and value:
            peers.append({"public_key": parse_key(value[0])})
        elif word in options and value:
            name, parse = options[word]
            (peer if peer else device)[name] = parse(value[0])
        else:
            raise Refused(f"Invalid argument: {word}")
        args = args[1 + len(value):]
    return device, peers


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
        down = state["down"]
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
