"""Durations written `<number><unit>` (`90s`, `1h`, `30d`), as the contract spells them."""
import re
from datetime import timedelta

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_PATTERN = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")


def parse_duration(text: str) -> timedelta:
    """Parse `30d` into a timedelta; raise ValueError on anything else."""
    match = _PATTERN.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration like 90s, 15m, 1h or 30d")
    number, unit = match.groups()
    return timedelta(**{_UNITS[unit]: int(number)})


def parse_duration_list(text: str) -> list[timedelta]:
    """Parse `3d,1d` into durations, largest first, without repeats."""
    parts = [p for p in str(text).split(",") if p.strip()]
    return sorted({parse_duration(p) for p in parts}, reverse=True)

