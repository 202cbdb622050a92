"""The clock a fake reads for business time: dates it stamps, expiries, rate-limit windows.

Every fake takes `clock=`, any callable returning Unix seconds, and keeps it as `fake.clock`.
The default is a FakeClock that follows real time, so a test moves one fake's time with
`fake.clock.advance(seconds)` instead of sleeping; FakeClock(start=...) freezes it. Passing
`lib.clock.epoch` makes a fake share the shop's view of time (moved by lib.clock.advance).

Not read from here: how long simulated work takes when the shop waits for it in real time
(Proxmox tasks, getUpdates long polling) and the TLS certificate's validity (checked by
OpenSSL against the system clock).
"""
import time
from datetime import datetime, timezone


class FakeClock:
    """Unix seconds: real time plus what advance() added, or frozen at `start` if given."""

    def __init__(self, start=None):
        self._start = start
        self._offset = 0.0

    def now(self):
        base = time.time() if self._start is None else self._start
        return base + self._offset

    __call__ = now  # a FakeClock is itself the callable a fake's clock= takes

    def advance(self, seconds):
        """Move time forward by `seconds` (never back: rate windows and expiries assume it)."""
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        self._offset += seconds


def utc_now(clock):
    """The clock's now as an aware UTC datetime."""
    return datetime.fromtimestamp(clock(), timezone.utc)
