"""Client addresses inside WG_SUBNET: the server holds the first host address."""
import ipaddress


def server_address(subnet) -> ipaddress.IPv4Address:
    return next(ipaddress.ip_network(subnet).hosts())


def client_prefix(subnet) -> int:
    return 32 if ipaddress.ip_network(subnet).version == 4 else 128


def next_free_address(subnet, taken) -> str | None:
    """The lowest client address not in `taken` (strings), or None when the subnet is full."""
    taken = set(taken)
    hosts = ipaddress.ip_network(subnet).hosts()
    next(hosts)  # the server's own address
    for candidate in hosts:
        text = str(candidate)
        if text not in taken:
            return text
    return None
