"""The grammar of the fake `wg` (wireguard-tools v1.0.20210914): its keys, values and `set` arguments,
parsed and refused with wg's own messages (config.c), before anything is touched."""
import base64
import contextlib
import ipaddress
import re
import socket
import sys

SPACE = " \t\n\v\f\r"  # wg's char_is_space


SHOW_USAGE = ("Usage: {} show {{ <interface> | all | interfaces }} [public-key | private-key | listen-port | fwmark | "
              "peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | "
              "persistent-keepalive | dump]")


SET_USAGE = ("Usage: {} set <interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] "
             "[peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] "
             "[persistent-keepalive <interval seconds>] [allowed-ips <ip1>/<cidr1>[,<ip2>/<cidr2>]...] ]...")


class Refused(Exception):
    """wg printed this to stderr and exited 1."""


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


