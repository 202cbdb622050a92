"""What an admin does with broadcasts, each one function that checks ADMIN_IDS itself:
draft, edit, choose the audience, add a button, preview, confirm, cancel (or start at once)."""
from lib.accounts.roles import is_admin
from lib.broadcast import segments
from lib.broadcast.broadcasts import cancel_broadcast, launch, snapshot
from lib.broadcast.drafts import create_draft, edit_draft, parse_button
from lib.errors import UserError
from lib.models.database import run_transaction

DROPPED, STOPPING, OVER = "dropped", "stopping", "over"


def _admin(rt, admin_id: int) -> None:
    if not is_admin(rt.settings, admin_id):
        raise UserError("forbidden", "not_found")


def draft(rt, admin_id: int, text: str) -> int:
    """A new draft with the admin's text (Telegram HTML, as typed); nothing is sent yet."""
    _admin(rt, admin_id)
    return create_draft(admin_id, text)


def edit_text(rt, admin_id: int, broadcast_id: int, text: str) -> bool:
    """False when it is no longer a draft."""
    _admin(rt, admin_id)
    return edit_draft(broadcast_id, text=text)


def choose_segment(rt, admin_id: int, broadcast_id: int, segment: str) -> bool:
    _admin(rt, admin_id)
    if segment not in segments.SEGMENTS:
        raise UserError("not_found")
    return edit_draft(broadcast_id, segment=segment)


def set_button(rt, admin_id: int, broadcast_id: int, text: str | None) -> bool:
    """`Label | https://…` puts a link button under the message; None leaves it without one."""
    _admin(rt, admin_id)
    button = parse_button(text) if text is not None else (None, None)
    if button is None:
        raise UserError("bc_button_invalid")
    return edit_draft(broadcast_id, button_text=button[0], button_url=button[1])


def audience(rt, admin_id: int) -> dict:
    """Recipients per segment, for the admin's choice."""
    _admin(rt, admin_id)
    return run_transaction(segments.counts)


def preview(rt, admin_id: int, broadcast_id: int) -> dict:
    """The broadcast as it will go out, and how many users it would reach now."""
    _admin(rt, admin_id)
    state = snapshot(broadcast_id)
    if state is None:
        raise UserError("not_found")
    return {**state, "count": run_transaction(segments.count, state["segment"])}


def confirm(rt, admin_id: int, broadcast_id: int) -> dict | None:
    """Start sending a draft; its state then, or None when it was no draft."""
    _admin(rt, admin_id)
    return snapshot(broadcast_id) if launch(rt, broadcast_id) else None


def cancel(rt, admin_id: int, broadcast_id: int | None) -> str:
    """DROPPED (a draft, or no broadcast yet), STOPPING (a running one stops within a message) or OVER."""
    _admin(rt, admin_id)
    state = snapshot(broadcast_id) if broadcast_id else None
    if state is None or state["status"] == "draft":
        if state is not None:
            cancel_broadcast(rt, broadcast_id)
        return DROPPED
    if state["status"] == "sending" and cancel_broadcast(rt, broadcast_id):
        return STOPPING
    return OVER


def start(rt, admin_id: int, text: str, button_text, button_url, segment: str) -> int:
    """Create and start a broadcast at once (no preview); its id."""
    _admin(rt, admin_id)
    if segment not in segments.SEGMENTS:
        raise UserError("not_found")
    broadcast_id = create_draft(admin_id, text, segment, button_text or None, button_url or None)
    launch(rt, broadcast_id)
    return broadcast_id
