"""The shop's own records: the event outbox, handled updates, drift findings, broadcasts."""
from datetime import datetime

from pony.orm import Json, Optional, PrimaryKey, Required, Set

from lib.models.base import db


class Event(db.Entity):
    """Outbox: business events written with the change they report, delivered by a job."""
    _table_ = "events"
    id = PrimaryKey(str, 36)  # the stable event_id
    name = Required(str, 32)
    occurred_at = Required(datetime)
    data = Required(Json)
    delivered_at = Optional(datetime, index=True)
    attempts = Required(int, default=0)
    next_attempt_at = Required(datetime)
    last_error = Optional(str, 500, nullable=True)


class ProcessedUpdate(db.Entity):
    """Incoming updates already handled, so a repeat is dropped (kept for a limited time)."""
    _table_ = "processed_updates"
    source = Required(str, 16)
    key = Required(str, 64)
    seen_at = Required(datetime, index=True)
    PrimaryKey(source, key)


class DriftFinding(db.Entity):
    """Something the reconciler found out of line (an orphan VM, a server missing on the node)."""
    _table_ = "drift_findings"
    kind = Required(str, 24)
    key = Required(str, 64)
    first_seen = Required(datetime)
    reported_at = Optional(datetime)
    PrimaryKey(kind, key)


class Broadcast(db.Entity):
    """A message an admin sends to a segment of users; counters are refreshed from its deliveries."""
    _table_ = "broadcasts"
    id = PrimaryKey(int, auto=True)
    admin_id = Required(int, size=64)
    text = Required(str)  # Telegram HTML, exactly as previewed
    button_text = Optional(str, 64, nullable=True)
    button_url = Optional(str, 1024, nullable=True)
    segment = Required(str, 16)  # all, active, expired, never_paid
    status = Required(str, 16, default="draft", index=True)  # draft, sending, cancelled, done
    total = Required(int, default=0)
    sent = Required(int, default=0)
    failed = Required(int, default=0)
    blocked = Required(int, default=0)
    progress_message_id = Optional(int, size=64, nullable=True)
    created_at = Required(datetime)
    started_at = Optional(datetime)
    active_at = Optional(datetime)  # a run last went on sending; cron_tick resumes a broadcast left quiet
    finished_at = Optional(datetime)
    deliveries = Set("BroadcastDelivery")


class BroadcastDelivery(db.Entity):
    """One recipient of a broadcast, claimed before the send: the key makes a second send impossible."""
    _table_ = "broadcast_deliveries"
    broadcast = Required(Broadcast)
    user_id = Required(int, size=64)
    status = Required(str, 16, default="sending")  # sending, sent, blocked, failed
    error = Optional(str, 200, nullable=True)
    sent_at = Optional(datetime)
    PrimaryKey(broadcast, user_id)
