"""Customers are registered on first contact, from either door, and their profile kept fresh."""
from lib import clock
from lib.accounts.language import language_for
from lib.events import emit_event
from lib.models import User


def register_user(redis, user_id: int, *, username=None, first_name="", language_code=None) -> User:
    """The user, created on first contact (emitting user.registered); profile fields kept fresh.

    Runs in the caller's transaction."""
    user = User.get(id=user_id)
    if user is None:
        user = User(id=user_id, username=username, first_name=(first_name or "")[:128],
                    language=language_for(language_code), created_at=clock.now())
        emit_event(redis, "user.registered", {"telegram_id": user_id, "username": username})
    else:
        if user.blocked_bot:  # they write to the bot again: broadcasts may reach them again
            user.blocked_bot = False
        if username != user.username:
            user.username = username
        if first_name and first_name[:128] != user.first_name:
            user.first_name = first_name[:128]
    return user
