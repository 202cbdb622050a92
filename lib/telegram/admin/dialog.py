"""An admin's pending typed input (search, days, amount, reason), kept in Redis so any process takes it.

Key shop:admin:await:<admin_id> → JSON {"what": ..., "target": ...}, with a TTL: a question left
unanswered expires instead of catching an unrelated message much later.
"""
import json

from lib.telegram.ui import button, keyboard
from lib.texts import t

AWAIT_TTL = 900  # seconds


def _key(admin_id: int) -> str:
    return f"shop:admin:await:{admin_id}"


def expect_input(rt, admin_id: int, what: str, target=None) -> None:
    """Make the admin's next text message the answer to `what` (about `target`)."""
    rt.redis.set(_key(admin_id), json.dumps({"what": what, "target": target}), ex=AWAIT_TTL)


def take_input(rt, admin_id: int) -> dict | None:
    """The pending question, removed atomically (two processes never both answer it)."""
    value = rt.redis.getdel(_key(admin_id))
    if value is None:
        return None
    try:
        pending = json.loads(value)
    except ValueError:
        return None
    return pending if isinstance(pending, dict) and "what" in pending else None


def drop_input(rt, admin_id: int) -> None:
    rt.redis.delete(_key(admin_id))


def cancel_keyboard(lang):
    return keyboard([button(lang, "adm_btn_cancel", "admx")])


def ask(bot, rt, user, chat, what, target, key, **params) -> None:
    """Ask the admin to type something; the answer arrives as their next message."""
    expect_input(rt, user["id"], what, target)
    bot.send_message(chat, t(user["lang"], key, **params), reply_markup=cancel_keyboard(user["lang"]))


def ask_again(bot, rt, user, chat, pending, key, **params) -> None:
    """Bad input: say why, and keep waiting for a corrected answer to the same question."""
    ask(bot, rt, user, chat, pending["what"], pending.get("target"), key, **params)
