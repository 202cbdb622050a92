"""One broadcast's deliveries: claimed before each send, recorded after, counted for the reports.

A claim is a row keyed (broadcast, user): inserting it twice fails in the database, so however
often the job runs, each user is sent the message at most once.
"""
from pony.orm import count, select

from lib import clock
from lib.broadcast.broadcasts import fields_of
from lib.models import Broadcast, BroadcastDelivery, User
from lib.models.database import run_transaction


def _record(broadcast_id, user_id, status, error=None):
    delivery = BroadcastDelivery[broadcast_id, user_id]
    delivery.status, delivery.error, delivery.sent_at = status, (error or None) and error[:200], clock.now()
    if status == "blocked":
        user = User.get(id=user_id)
        if user is not None:
            user.blocked_bot = True


def record(broadcast_id: int, user_id: int, status: str, error: str | None = None) -> None:
    """The outcome of one send: sent, blocked (the user is marked) or failed."""
    run_transaction(_record, broadcast_id, user_id, status, error)


def _claim(broadcast_id, user_id, previous):
    if previous is not None:
        _record(broadcast_id, *previous)
    b = Broadcast.get(id=broadcast_id)
    if b is None or b.status != "sending":
        return "stopped"
    if BroadcastDelivery.get(broadcast=b, user_id=user_id) is not None:
        return "taken"
    BroadcastDelivery(broadcast=b, user_id=user_id)  # a concurrent claim fails on the primary key
    return "claimed"


def claim(broadcast_id: int, user_id: int, previous: tuple | None = None) -> str:
    """`claimed` (send now), `taken` (someone did already) or `stopped` (no longer sending).

    `previous` is the last send's (user_id, status, error), recorded in the same transaction: one
    round of the database per recipient, and at most one outcome unwritten if the process dies.
    """
    return run_transaction(_claim, broadcast_id, user_id, previous)


def release(broadcast_id: int, user_id: int) -> None:
    """Drop a claim whose message surely never left (connection refused, rate limited for good)."""
    run_transaction(lambda: BroadcastDelivery[broadcast_id, user_id].delete())


def _tally(broadcast_id):
    tally = {"sent": 0, "blocked": 0, "failed": 0}
    rows = select((d.status, count()) for d in BroadcastDelivery if d.broadcast.id == broadcast_id)
    for status, n in rows:
        key = "sent" if status == "sending" else status  # claimed, answer not recorded (a crash): assume sent
        tally[key] += n
    return tally


def refresh_counts(broadcast_id: int) -> dict:
    """Count the deliveries into the broadcast's sent/blocked/failed and return the snapshot."""
    def refresh():
        b = Broadcast[broadcast_id]
        tally = _tally(broadcast_id)
        if (b.sent, b.blocked, b.failed) != (tally["sent"], tally["blocked"], tally["failed"]):
            b.sent, b.blocked, b.failed = tally["sent"], tally["blocked"], tally["failed"]
        return fields_of(b)
    return run_transaction(refresh)


def _finish(broadcast_id):
    b = Broadcast.get(id=broadcast_id)
    if b is None or b.status not in ("sending", "cancelled") or b.finished_at is not None:
        return None  # a draft, or finished (and reported) already by another copy of the job
    tally = _tally(broadcast_id)
    b.sent, b.blocked, b.failed = tally["sent"], tally["blocked"], tally["failed"]
    if b.status == "sending":  # users who joined or left the segment meanwhile: count who it reached
        b.status, b.total = "done", sum(tally.values())
    b.finished_at = clock.now()
    return fields_of(b)


def finish(broadcast_id: int) -> dict | None:
    """Close the broadcast once (done, or cancelled as it is); the final state for the report, else None."""
    return run_transaction(_finish, broadcast_id)


def set_progress_message(broadcast_id: int, message_id: int) -> int:
    """Remember the admin's progress message; the one already remembered wins (two copies of the job)."""
    def store():
        b = Broadcast[broadcast_id]
        if b.progress_message_id is None:
            b.progress_message_id = message_id
        return b.progress_message_id
    return run_transaction(store)
