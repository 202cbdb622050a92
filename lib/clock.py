"""The shop's notion of now: naive UTC, and a clock tests can move.

Business time (expiry, reminders, grace periods, initData age, stuck orders) is read here, so a
test moves it with advance() instead of sleeping. Waiting for real work (a Proxmox task, a
worker's time budget) uses real time.
"""
from datetime import datetime, timedelta, timezone

_offset = timedelta(0)


def now() -> datetime:
    """Current time as naive UTC (what the database stores)."""
    return datetime.now(timezone.utc).replace(tzinfo=None) + _offset


def epoch() -> float:
    """Seconds since 1970 on the same clock (Telegram's auth_date, Unix timestamps)."""
    return (now() - datetime(1970, 1, 1)).total_seconds()


def advance(delta: timedelta) -> None:
    """Move the clock forward for this process (tests of expiry and retries)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def iso(moment) -> str | None:
    """ISO 8601 with a Z, for JSON answers and events."""
    return None if moment is None else moment.replace(microsecond=0).isoformat() + "Z"


def from_epoch(seconds: int) -> datetime:
    """Naive UTC from a Unix timestamp (WireGuard's handshake times)."""
    return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)
