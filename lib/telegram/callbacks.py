"""Callback data: `action:arg:arg`, always within Telegram's 64-byte limit."""
MAX_BYTES = 64
PROVIDER_CODES = {"cryptobot": "cb", "yookassa": "yk", "sandbox": "sb", "balance": "bl"}
PROVIDERS_BY_CODE = {code: name for name, code in PROVIDER_CODES.items()}


def pack(action: str, *args) -> str:
    """Encode a button's action; raises ValueError rather than send what Telegram would refuse."""
    data = ":".join([action, *(str(a) for a in args)])
    if not 1 <= len(data.encode()) <= MAX_BYTES:
        raise ValueError(f"callback data too long ({len(data.encode())} bytes): {data[:20]}…")
    return data


def unpack(data: str | None) -> tuple:
    """(action, [args]) from callback data; an empty action for anything malformed."""
    if not data or len(data.encode()) > MAX_BYTES:
        return "", []
    action, *args = data.split(":")
    return action, args


def int_arg(args: list, index: int = 0) -> int | None:
    """A positive integer argument, or None when missing or forged."""
    try:
        value = int(args[index])
    except (IndexError, ValueError):
        return None
    return value if 0 < value < 2**63 else None
