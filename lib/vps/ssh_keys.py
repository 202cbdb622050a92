"""The one rule for a customer's SSH public key (pure): an OpenSSH line whose blob names its own type."""
import base64
import binascii
import re
import struct

from lib.errors import UserError

TYPES = ("ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521")
MAX_LENGTH = 4000
_LINE = re.compile(r"^(\S+) ([A-Za-z0-9+/]+={0,2})(?: ([^\x00-\x1f\x7f]{1,200}))?$")


def normalize(text) -> str:
    """One line, single spaces (a key pasted across lines or with tabs still counts)."""
    return " ".join(str(text or "").split())


def looks_like_ssh_key(text) -> bool:
    """Whether a message is meant as a key (its first word is a key type), valid or not."""
    return normalize(text).split(" ", 1)[0] in TYPES


def _blob_type(blob: str) -> str | None:
    try:
        data = base64.b64decode(blob, validate=True)
        (length,) = struct.unpack(">I", data[:4])
        return data[4:4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError, ValueError):
        return None


def checked_ssh_key(text) -> str:
    """The key as it will be stored, or UserError('ssh_key_invalid')."""
    key = normalize(text)
    match = _LINE.match(key) if len(key) <= MAX_LENGTH else None
    if match is None or match.group(1) not in TYPES or _blob_type(match.group(2)) != match.group(1):
        raise UserError("ssh_key_invalid")
    return key
