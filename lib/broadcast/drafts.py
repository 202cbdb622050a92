"""Drafts of broadcasts, edited step by step in the admin's flow until confirmed."""
from lib import clock
from lib.broadcast import segments
from lib.models import Broadcast
from lib.models.database import run_transaction

EDITABLE = ("text", "segment", "button_text", "button_url")
BUTTON_SCHEMES = ("https://", "http://", "tg://")


def _create(admin_id, text, segment, button_text, button_url):
    b = Broadcast(admin_id=admin_id, text=text, segment=segment, button_text=button_text, button_url=button_url,
                  created_at=clock.now())
    b.flush()  # assigns the id
    return b.id


def create_draft(admin_id: int, text: str, segment: str = "all", button_text=None, button_url=None) -> int:
    """A new draft (nothing is sent until launch); its id."""
    if segment not in segments.SEGMENTS:
        raise ValueError(f"unknown segment {segment!r}")
    return run_transaction(_create, admin_id, text, segment, button_text, button_url)


def _edit(broadcast_id, fields):
    b = Broadcast.get(id=broadcast_id)
    if b is None or b.status != "draft":
        return False
    b.set(**fields)
    return True


def edit_draft(broadcast_id: int, **fields) -> bool:
    """Change a draft's text, segment or button; False when it is no longer a draft."""
    if set(fields) - set(EDITABLE) or fields.get("segment", "all") not in segments.SEGMENTS:
        raise ValueError(f"not editable: {fields}")
    return run_transaction(_edit, broadcast_id, fields)


def parse_button(text: str):
    """(label, url) from `Label | https://…`, or None."""
    label, bar, url = (text or "").rpartition("|")
    label, url = label.strip(), url.strip()
    if not bar or not 1 <= len(label) <= 64 or len(url) > 1024 or not url.startswith(BUTTON_SCHEMES) \
            or any(ch.isspace() for ch in url):
        return None
    return label, url
