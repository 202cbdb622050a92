"""VPN locations: where keys live. Today one WireGuard location, `default`, from the WG_* settings."""
from dataclasses import dataclass

from lib.vpn.backend import VpnBackend

DEFAULT = "default"


@dataclass(frozen=True)
class Location:
    id: str
    protocol: str  # wireguard
    interface: str
    command: tuple  # how to run the protocol's CLI for this server
    endpoint: str
    subnet: object
    dns: str


def default_location(settings) -> Location:
    return Location(id=DEFAULT, protocol="wireguard", interface=settings.wg_interface, command=settings.wg_command,
                    endpoint=settings.wg_endpoint, subnet=settings.wg_subnet, dns=settings.wg_dns)


def location_of(settings, interface: str | None = None) -> Location:
    """The location a key on `interface` lives on (the only one, for now)."""
    return default_location(settings)


def backend_for(location: Location, timeout: float = 15.0) -> VpnBackend:
    """The backend that drives this location's server."""
    if location.protocol == "wireguard":
        from lib.vpn.wireguard.backend import WireGuardBackend
        return WireGuardBackend(location, timeout=timeout)
    raise ValueError(f"no backend for protocol {location.protocol!r}")


def backend(rt, interface: str | None = None, timeout: float = 15.0) -> VpnBackend:
    """The backend of the location holding `interface` (the default location when None)."""
    return backend_for(location_of(rt.settings, interface), timeout)
