"""The one rule for a customer's SSH public key (pure): one OpenSSH line whose whole key parses."""
import re
import unicodedata

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_ssh_public_key

from lib.errors import UserError

TYPES = ("ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521")
MAX_LENGTH, MAX_COMMENT = 4000, 200
_LINE = re.compile(r"^(\S+) ([A-Za-z0-9+/]+={0,2})(?: (.+))?$")


def normalize(text) -> str:
    """One line, single spaces (a key pasted across lines or with tabs still counts)."""
    return " ".join(str(text or "").split())


def looks_like_ssh_key(text) -> bool:
    """Whether a message is meant as a key (its first word is a key type), valid or not."""
    return normalize(text).split(" ", 1)[0] in TYPES


def _parses(key_type: str, blob: str) -> bool:
    """The blob is a whole key of the type it claims (a blob cut short, or of another type, is not)."""
    try:
        load_ssh_public_key(f"{key_type} {blob}".encode())
    except (ValueError, UnsupportedAlgorithm):
        return False
    return True


def _plain(comment: str | None) -> bool:
    """No control or format characters (C0, C1, bidi overrides): the comment ends up in authorized_keys."""
    return comment is None or (len(comment) <= MAX_COMMENT and
                               not any(unicodedata.category(ch).startswith("C") for ch in comment))


def checked_ssh_key(text) -> str:
    """The key as it will be stored, or UserError('ssh_key_invalid')."""
    key = normalize(text)
    match = _LINE.match(key) if len(key) <= MAX_LENGTH else None
    if match is None or match.group(1) not in TYPES or not _plain(match.group(3)) \
            or not _parses(match.group(1), match.group(2)):
        raise UserError("ssh_key_invalid")
    return key
