"""Business events: written to the outbox in the caller's transaction, delivered by a job."""
import uuid

from lib import clock, tasks
from lib.models import Event
from lib.models.database import after_commit
from lib.tasks import enqueue

EVENT_NAMES = {
    "user.registered", "payment.received", "vpn.created", "vpn.renewed", "vpn.expired",
    "vps.created", "vps.renewed", "vps.suspended", "vps.expired", "provisioning.failed",
}


def emit_event(redis, name: str, data: dict) -> str:
    """Record an event in the current transaction; its delivery is queued once that commits."""
    if name not in EVENT_NAMES:
        raise ValueError(f"unknown event {name!r}")
    event_id = str(uuid.uuid4())
    moment = clock.now()
    Event(id=event_id, name=name, occurred_at=moment, data=data, next_attempt_at=moment)
    after_commit(queue_delivery, redis, event_id)
    return event_id


def queue_delivery(redis, event_id: str) -> None:
    enqueue(redis, tasks.DELIVER_EVENT, event_id)


def event_body(event: Event) -> dict:
    """The JSON the receiver gets, as the contract spells it."""
    return {"event_id": event.id, "event": event.name,
            "occurred_at": clock.iso(event.occurred_at), "data": event.data}
