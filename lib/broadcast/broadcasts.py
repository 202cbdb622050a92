"""Broadcasts: an admin's message to a segment of users, sent once per user by jobs.broadcast.

A broadcast is a draft until confirmed, then `sending` until the job has gone through its segment
(`done`) or an admin stops it (`cancelled`). Each recipient is claimed with a delivery row before
the send; its primary key (broadcast, user) is what makes a second send to one user impossible,
for a retried job, a crashed one run again, or two copies at once.
"""
from pony.orm import coalesce, select

from lib import clock, tasks
from lib.broadcast import segments
from lib.models import Broadcast
from lib.models.database import after_commit, run_transaction
from lib.tasks import enqueue

LIVE = ("draft", "sending")


def fields_of(b: Broadcast) -> dict:
    """A broadcast as a plain dict (what jobs and screens pass around)."""
    return {"id": b.id, "admin_id": b.admin_id, "text": b.text, "button_text": b.button_text,
            "button_url": b.button_url, "segment": b.segment, "status": b.status, "total": b.total,
            "sent": b.sent, "failed": b.failed, "blocked": b.blocked,
            "progress_message_id": b.progress_message_id, "started_at": b.started_at,
            "finished_at": b.finished_at}


def snapshot(broadcast_id: int) -> dict | None:
    """The broadcast as a plain dict (its own transaction), or None."""
    def read():
        b = Broadcast.get(id=broadcast_id)
        return fields_of(b) if b else None
    return run_transaction(read)


def mark_active(broadcast_id: int) -> None:
    """A run is sending now (its own transaction): cron_tick leaves the broadcast to it."""
    def touch():
        Broadcast[broadcast_id].active_at = clock.now()
    run_transaction(touch)


def quiet_broadcasts(before, limit: int) -> list:
    """Ids of broadcasts still sending whose runs have been silent since `before` (their job was lost)."""
    return select(b.id for b in Broadcast if b.status == "sending" and b.finished_at is None
                  and coalesce(b.active_at, b.started_at) <= before)[:limit]


def queue_run(rt, broadcast_id: int, *chunk_seconds) -> None:
    """Queue (a further chunk of) the sending job; low priority, retried on failure."""
    enqueue(rt.redis, tasks.BROADCAST, broadcast_id, *chunk_seconds)


def _launch(rt, broadcast_id):
    b = Broadcast.get(id=broadcast_id)
    if b is None or b.status != "draft":
        return False
    b.status, b.started_at, b.total = "sending", clock.now(), segments.count(b.segment)
    after_commit(queue_run, rt, b.id)
    return True


def launch(rt, broadcast_id: int) -> bool:
    """Confirm a draft: it becomes `sending` and the job is queued; False when it was no draft."""
    return run_transaction(_launch, rt, broadcast_id)


def _cancel(rt, broadcast_id):
    b = Broadcast.get(id=broadcast_id)
    if b is None or b.status not in LIVE:
        return False
    if b.status == "draft":
        b.finished_at = clock.now()  # nothing was sent: no report to make
    else:
        after_commit(queue_run, rt, b.id)  # the report comes even if the running job was lost
    b.status = "cancelled"
    return True


def cancel_broadcast(rt, broadcast_id: int) -> bool:
    """Stop a draft or a running broadcast (the job notices within one message); False if already over."""
    return run_transaction(_cancel, rt, broadcast_id)
