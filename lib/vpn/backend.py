"""The VPN backend interface: what the shop needs from one location's server, whatever its protocol.

WireGuard implements it (lib.vpn.wireguard.backend); AmneziaWG and VLESS are meant to be two more
implementations. The database is the truth; a backend changes the server one key at a time.
"""
from dataclasses import dataclass


class BackendError(RuntimeError):
    """The server could not be reached or refused; the message says why, without key material."""


@dataclass(frozen=True)
class KeyMaterial:
    """A new key's secrets as the backend issued them (stored encrypted by the caller)."""
    public_key: str  # how the server knows the key
    private_key: str
    preshared_key: str


@dataclass(frozen=True)
class KeyOnServer:
    """One key as the server reports it right now."""
    public_key: str
    endpoint: str | None
    allowed_ips: tuple
    latest_handshake: int  # epoch seconds, 0 = never
    rx_bytes: int
    tx_bytes: int


@dataclass(frozen=True)
class ClientConfig:
    """What the customer imports into their app."""
    text: str
    filename: str
    media_type: str = "text/plain"


@dataclass(frozen=True)
class PeerSecrets:
    """A stored key opened for rendering its config or putting it on the server."""
    peer_id: int
    public_key: str
    private_key: str
    preshared_key: str
    address: str
    server_public_key: str


class VpnBackend:
    """One location's server. Every method may raise BackendError."""

    def server_identity(self) -> str:
        """What clients check the server by (WireGuard: the interface's public key)."""
        raise NotImplementedError

    def issue_key(self) -> KeyMaterial:
        raise NotImplementedError

    def add_key(self, peer: PeerSecrets) -> None:
        """Put the key on the server; adding it again changes nothing."""
        raise NotImplementedError

    def remove_key(self, public_key: str) -> None:
        """Take the key off the server; removing an absent key is not an error."""
        raise NotImplementedError

    def keys(self) -> dict:
        """Every key on the server: public key → KeyOnServer."""
        raise NotImplementedError

    def traffic(self) -> dict:
        """Bytes through each key since the server started: public key → (rx, tx)."""
        return {key: (live.rx_bytes, live.tx_bytes) for key, live in self.keys().items()}

    def client_config(self, peer: PeerSecrets) -> ClientConfig:
        raise NotImplementedError

    def drift(self, address: str, live: KeyOnServer | None) -> str | None:
        """Why a key that must be on the server needs adding again (None: it is there as it should be)."""
        return None if live is not None else "missing from the server"
