"""The audit log: every admin change is written with the change, in the same transaction."""
from pony.orm import desc

from lib import clock
from lib.models import AuditLog


def record(admin_id: int, action: str, target: str, before=None, after=None) -> AuditLog:
    """Write one audit row (inside the caller's transaction); flushed, so its id is known."""
    entry = AuditLog(admin_id=admin_id, action=action, target=target, before=before, after=after,
                     at=clock.now())
    entry.flush()
    return entry


def last_entry(target: str, action: str) -> dict | None:
    """The newest audit row of `action` on `target` (e.g. the reason of the current ban)."""
    entry = AuditLog.select(lambda a: a.target == target and a.action == action).order_by(desc(AuditLog.id)).first()
    return _plain(entry) if entry else None


def recent(limit: int = 15) -> list:
    return [_plain(a) for a in AuditLog.select().order_by(desc(AuditLog.id))[:limit]]


def _plain(entry: AuditLog) -> dict:
    return {"id": entry.id, "admin_id": entry.admin_id, "action": entry.action, "target": entry.target,
            "before": entry.before, "after": entry.after, "at": entry.at}
