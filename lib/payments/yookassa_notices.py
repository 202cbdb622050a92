"""What a YooKassa notification names, read without trusting it (pure): ("payment" | "refund", object id).

Notifications are not signed; they only say which object to re-read from YooKassa's API, and that
re-read happens in a job (jobs.check_yookassa), never in the web process.
"""
import json
import re

from lib.payments.base import BadNotification

_OBJECT_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
MAX_DEPTH = 16  # a real notification is 4 levels deep


def _depth(value, level=0) -> int:
    if level > MAX_DEPTH:
        return level
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return max((_depth(child, level + 1) for child in children), default=level)


def notice_of(raw_body: bytes) -> tuple | None:
    """(kind, object id) of a payment or refund notification; None for other events; BadNotification (400)."""
    try:
        note = json.loads(raw_body) if raw_body else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadNotification(400, "body is not valid JSON") from None
    if not isinstance(note, dict) or _depth(note) > MAX_DEPTH:
        raise BadNotification(400, "not a YooKassa notification")
    obj, event = note.get("object"), note.get("event")
    object_id = obj.get("id") if isinstance(obj, dict) else None
    if not isinstance(event, str) or not isinstance(object_id, str) or not _OBJECT_ID.match(object_id):
        raise BadNotification(400, "not a YooKassa notification: event and object.id are required")
    if event == "refund.succeeded":
        return "refund", object_id
    return ("payment", object_id) if event.startswith("payment.") else None
