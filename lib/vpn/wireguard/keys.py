"""WireGuard key material, byte-for-byte what `wg genkey`, `wg pubkey` and `wg genpsk` make."""
import base64
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat


@dataclass(frozen=True)
class PeerKeys:
    private_key: str
    public_key: str
    preshared_key: str


def public_key_of(private_key_b64: str) -> str:
    """The base64 public key of a base64 private key."""
    private = X25519PrivateKey.from_private_bytes(base64.b64decode(private_key_b64))
    return base64.b64encode(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def generate_peer_keys() -> PeerKeys:
    """A fresh X25519 key pair and a 32-byte preshared key, all base64."""
    private = X25519PrivateKey.generate()
    private_b64 = base64.b64encode(private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())).decode()
    return PeerKeys(private_key=private_b64, public_key=public_key_of(private_b64),
                    preshared_key=base64.b64encode(os.urandom(32)).decode())


def is_valid_key(text: str) -> bool:
    """True for a base64 string of exactly 32 bytes, as WireGuard keys are."""
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except (ValueError, TypeError):
        return False
