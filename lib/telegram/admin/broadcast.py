"""The admin's broadcast flow: text → audience → optional button → preview → confirm (or cancel).

The admin panel calls on_callback for callback data starting with "admb" and consume_message for
each admin message (the text and the button are typed, not clicked; the step the flow waits for
is kept in Redis for a while). Every step is a use case of lib.broadcast.actions.
"""
import json

from telebot.apihelper import ApiTelegramException
from telebot.types import InlineKeyboardButton, InlineKeyboardMarkup

from lib.accounts.roles import is_admin
from lib.broadcast import actions
from lib.broadcast.segments import SEGMENTS
from lib.broadcast.send import markup_for
from lib.errors import UserError
from lib.telegram.callbacks import int_arg, pack
from lib.telegram.ui import show
from lib.texts import t

AWAIT_KEY = "shop:broadcast:await:{}"
AWAIT_TTL = 1800  # seconds an unanswered prompt stays valid


def expect(rt, admin_id: int, step: str, broadcast_id=None) -> None:
    """The admin's next message is the draft's `step` (text or button); a new draft when no id."""
    rt.redis.set(AWAIT_KEY.format(admin_id), json.dumps({"step": step, "id": broadcast_id}), ex=AWAIT_TTL)


def expected(rt, admin_id: int) -> dict | None:
    value = rt.redis.get(AWAIT_KEY.format(admin_id))
    return json.loads(value) if value else None


def forget(rt, admin_id) -> None:
    rt.redis.delete(AWAIT_KEY.format(admin_id))


def _keyboard(*rows):
    markup = InlineKeyboardMarkup()
    for label, data in rows:
        markup.row(InlineKeyboardButton(label, callback_data=data))
    return markup


def _cancel_row(lang, broadcast_id=None):
    return t(lang, "bc_btn_cancel"), pack("admbx", *([broadcast_id] if broadcast_id else []))


def _not_draft(bot, chat, lang, broadcast_id):
    bot.send_message(chat, t(lang, "bc_not_draft", id=broadcast_id))


def consume_message(bot, rt, admin, chat, message) -> bool:
    """An admin's message the flow waits for (text or button); False when it is not for the broadcast."""
    if not is_admin(rt.settings, admin["id"]):
        return False
    waiting, lang = expected(rt, admin["id"]), admin["lang"]
    if waiting is None:
        return False
    text = message.text
    if text and text.startswith("/"):  # a command leaves the flow
        forget(rt, admin["id"])
        return False
    if not text:
        bot.send_message(chat, t(lang, "bc_need_text"))
        return True
    broadcast_id = waiting.get("id")
    if waiting["step"] == "button":
        try:
            edited = actions.set_button(rt, admin["id"], broadcast_id, text)
        except UserError as refused:
            bot.send_message(chat, t(lang, refused.text_key))
            return True
        forget(rt, admin["id"])
        if edited:
            _preview(bot, rt, admin, chat, broadcast_id)
        else:
            _not_draft(bot, chat, lang, broadcast_id)
        return True
    html = message.html_text  # what the admin typed, formatting included, as valid Telegram HTML
    forget(rt, admin["id"])
    if broadcast_id is None:
        broadcast_id = actions.draft(rt, admin["id"], html)
    elif not actions.edit_text(rt, admin["id"], broadcast_id, html):
        _not_draft(bot, chat, lang, broadcast_id)
        return True
    show(bot, chat, _segment_screen(lang, broadcast_id, actions.audience(rt, admin["id"])))
    return True


def _segment_screen(lang, broadcast_id, counts):
    rows = [(t(lang, f"bc_seg_{name}", count=counts[name]), pack("admbs", broadcast_id, name)) for name in SEGMENTS]
    return t(lang, "bc_choose_segment"), _keyboard(*rows, _cancel_row(lang, broadcast_id))


def _preview(bot, rt, admin, chat, broadcast_id):
    """Send the exact message to the admin, then ask to confirm; a refused message is asked for again."""
    state, lang = actions.preview(rt, admin["id"], broadcast_id), admin["lang"]
    try:
        bot.send_message(chat, state["text"], reply_markup=markup_for(state["button_text"], state["button_url"]))
    except ApiTelegramException as exc:
        if exc.error_code != 400:
            raise
        button_refused = state["button_url"] and "button" in str(exc.description).lower()
        expect(rt, admin["id"], "button" if button_refused else "text", broadcast_id)
        bot.send_message(chat, t(lang, "bc_preview_refused", error=exc.description))
        return
    text = t(lang, "bc_preview", segment=t(lang, f"bc_segment_{state['segment']}"), count=state["count"])
    bot.send_message(chat, text, reply_markup=_keyboard((t(lang, "bc_btn_confirm", count=state["count"]),
                                                         pack("admbc", broadcast_id)),
                                                        _cancel_row(lang, broadcast_id)))


def _cancel(bot, rt, admin, chat, call, broadcast_id):
    outcome, lang = actions.cancel(rt, admin["id"], broadcast_id), admin["lang"]
    if outcome == actions.DROPPED:
        forget(rt, admin["id"])
        show(bot, chat, (t(lang, "bc_flow_cancelled"), None), call)
    else:
        bot.send_message(chat, t(lang, "bc_stopping" if outcome == actions.STOPPING else "bc_already_over",
                                 id=broadcast_id))


def _ask_button(bot, rt, admin, chat, call, broadcast_id, segment):
    lang = admin["lang"]
    if not actions.choose_segment(rt, admin["id"], broadcast_id, segment):
        return _not_draft(bot, chat, lang, broadcast_id)
    show(bot, chat, (t(lang, "bc_ask_button"), _keyboard(
        (t(lang, "bc_btn_add_button"), pack("admbb", broadcast_id)),
        (t(lang, "bc_btn_no_button"), pack("admbn", broadcast_id)), _cancel_row(lang, broadcast_id))), call)


def on_callback(bot, rt, admin, chat, call, action, args) -> None:
    """Callback data starting with "admb"; nothing at all happens for a non-admin."""
    if not is_admin(rt.settings, admin["id"]):
        return
    lang, broadcast_id = admin["lang"], int_arg(args)
    if action == "admb":
        expect(rt, admin["id"], "text")
        bot.send_message(chat, t(lang, "bc_ask_text"), reply_markup=_keyboard(_cancel_row(lang)))
    elif action == "admbx":
        _cancel(bot, rt, admin, chat, call, broadcast_id)
    elif broadcast_id is None:
        return
    elif action == "admbs" and len(args) > 1 and args[1] in SEGMENTS:
        _ask_button(bot, rt, admin, chat, call, broadcast_id, args[1])
    elif action == "admbb":
        expect(rt, admin["id"], "button", broadcast_id)
        show(bot, chat, (t(lang, "bc_button_prompt"), _keyboard(_cancel_row(lang, broadcast_id))), call)
    elif action == "admbn":
        if actions.set_button(rt, admin["id"], broadcast_id, None):
            _preview(bot, rt, admin, chat, broadcast_id)
        else:
            _not_draft(bot, chat, lang, broadcast_id)
    elif action == "admbc":
        state = actions.confirm(rt, admin["id"], broadcast_id)
        if state is None:
            _not_draft(bot, chat, lang, broadcast_id)
        else:
            show(bot, chat, (t(lang, "bc_started", id=broadcast_id, count=state["total"]), None), call)


def _route(action):
    return lambda bot, rt, user, chat, call, args: on_callback(bot, rt, user, chat, call, action, args)


# For the admin panel's ACTIONS table (handler(bot, rt, user, chat, call, args)): every "admb…" action.
ACTIONS = {action: _route(action) for action in ("admb", "admbs", "admbb", "admbn", "admbc", "admbx")}
