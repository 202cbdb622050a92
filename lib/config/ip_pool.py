"""PROXMOX_IP_POOL: the public addresses VMs may get (pure parsing and choosing, no I/O).

Entries, comma-separated:
    203.0.113.5          one address (prefix /32)
    203.0.113.5/24       one address, configured as /24
    203.0.113.16/28      a block (host bits zero): every usable address in it, configured as /28
    203.0.113.10-203.0.113.20       a range (prefix /32); `…-203.0.113.20/24` gives the range a prefix
"""
import ipaddress
from dataclasses import dataclass

MAX_POOL = 65536


class PoolError(ValueError):
    """The pool is written wrongly; the message says which entry."""


@dataclass(frozen=True, order=True)
class PoolAddress:
    ip: str
    prefix: int


def _single(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise PoolError(f"{text.strip()!r} is not an IP address") from None


def _entry(entry: str) -> list:
    if "-" in entry:
        first_text, _, last_text = entry.partition("-")
        last_text, _, prefix_text = last_text.partition("/")
        first, last = _single(first_text), _single(last_text)
        if first.version != last.version or int(last) < int(first):
            raise PoolError(f"range {entry!r} must go from a lower to a higher address of one IP version")
        prefix = int(prefix_text) if prefix_text.isdigit() else first.max_prefixlen
        if int(last) - int(first) >= MAX_POOL:
            raise PoolError(f"range {entry!r} is too large")
        return [PoolAddress(str(ipaddress.ip_address(n)), prefix) for n in range(int(first), int(last) + 1)]
    if "/" in entry:
        try:
            interface = ipaddress.ip_interface(entry)
        except ValueError:
            raise PoolError(f"{entry!r} is not an address with a prefix") from None
        network = interface.network
        if interface.ip != network.network_address or network.prefixlen >= network.max_prefixlen - 1:
            return [PoolAddress(str(interface.ip), network.prefixlen)]
        if network.num_addresses > MAX_POOL:
            raise PoolError(f"block {entry!r} is too large")
        return [PoolAddress(str(host), network.prefixlen) for host in network.hosts()]
    address = _single(entry)
    return [PoolAddress(str(address), address.max_prefixlen)]


def parse_pool(text: str, gateway: str = "") -> tuple:
    """Every address of the pool, in order, without the gateway; PoolError when written wrongly."""
    addresses, seen = [], set()
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        for address in _entry(entry):
            if address.ip in seen:
                raise PoolError(f"address {address.ip} is listed twice")
            seen.add(address.ip)
            if address.ip != gateway:
                addresses.append(address)
    if not addresses:
        raise PoolError("it holds no address")
    return tuple(addresses)


def first_free(pool: tuple, taken) -> PoolAddress | None:
    """The first pool address not in `taken` (IP strings), or None when all are in use."""
    taken = set(taken)
    return next((address for address in pool if address.ip not in taken), None)
