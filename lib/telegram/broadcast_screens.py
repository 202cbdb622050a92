"""The admin's broadcast flow: text → audience → optional button → preview → confirm (or cancel).

The admin panel calls start_flow for its "📣 Broadcast" button, on_callback for callback data
starting with "admb", and consume_message for each admin message (the text and the button are
typed, not clicked; what we wait for is kept in Redis for a while). Each entry checks ADMIN_IDS.
"""
from telebot.apihelper import ApiTelegramException
from telebot.types import InlineKeyboardButton, InlineKeyboardMarkup

from lib.broadcast import segments
from lib.broadcast.broadcasts import cancel_broadcast, launch, snapshot
from lib.broadcast.drafts import create_draft, edit_draft, expect, expected, forget, parse_button
from lib.broadcast.send import markup_for
from lib.models.database import run_transaction
from lib.telegram.admin_commands import is_admin
from lib.telegram.callbacks import int_arg, pack
from lib.telegram.ui import show
from lib.texts import t


def _keyboard(*rows):
    markup = InlineKeyboardMarkup()
    for label, data in rows:
        markup.row(InlineKeyboardButton(label, callback_data=data))
    return markup


def _cancel_row(lang, broadcast_id=None):
    return t(lang, "bc_btn_cancel"), pack("admbx", *([broadcast_id] if broadcast_id else []))


def start_flow(bot, rt, admin, chat) -> None:
    """Ask for the broadcast's text; the admin's next message is it."""
    if not is_admin(rt, admin["id"]):
        return
    expect(rt, admin["id"], "text")
    bot.send_message(chat, t(admin["lang"], "bc_ask_text"), reply_markup=_keyboard(_cancel_row(admin["lang"])))


def consume_message(bot, rt, admin, chat, message) -> bool:
    """An admin's message the flow waits for (text or button); False when it is not for the broadcast."""
    if not is_admin(rt, admin["id"]):
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
        button = parse_button(text)
        if button is None:
            bot.send_message(chat, t(lang, "bc_button_invalid"))
            return True
        forget(rt, admin["id"])
        if edit_draft(broadcast_id, button_text=button[0], button_url=button[1]):
            _preview(bot, rt, admin, chat, broadcast_id)
        else:
            bot.send_message(chat, t(lang, "bc_not_draft", id=broadcast_id))
        return True
    html = message.html_text  # what the admin typed, formatting included, as valid Telegram HTML
    forget(rt, admin["id"])
    if broadcast_id is None:
        broadcast_id = create_draft(admin["id"], html)
    elif not edit_draft(broadcast_id, text=html):
        bot.send_message(chat, t(lang, "bc_not_draft", id=broadcast_id))
        return True
    show(bot, chat, _segment_screen(lang, broadcast_id))
    return True


def _segment_screen(lang, broadcast_id):
    counts = run_transaction(segments.counts)
    rows = [(t(lang, f"bc_seg_{name}", count=counts[name]), pack("admbs", broadcast_id, name))
            for name in segments.SEGMENTS]
    return t(lang, "bc_choose_segment"), _keyboard(*rows, _cancel_row(lang, broadcast_id))


def _preview(bot, rt, admin, chat, broadcast_id):
    """Send the exact message to the admin, then ask to confirm; a refused message is asked for again."""
    state, lang = snapshot(broadcast_id), admin["lang"]
    try:
        bot.send_message(chat, state["text"], reply_markup=markup_for(state["button_text"], state["button_url"]))
    except ApiTelegramException as exc:
        if exc.error_code != 400:
            raise
        button_refused = state["button_url"] and "button" in str(exc.description).lower()
        expect(rt, admin["id"], "button" if button_refused else "text", broadcast_id)
        bot.send_message(chat, t(lang, "bc_preview_refused", error=exc.description))
        return
    count = run_transaction(segments.count, state["segment"])
    text = t(lang, "bc_preview", segment=t(lang, f"bc_segment_{state['segment']}"), count=count)
    bot.send_message(chat, text, reply_markup=_keyboard((t(lang, "bc_btn_confirm", count=count),
                                                         pack("admbc", broadcast_id)),
                                                        _cancel_row(lang, broadcast_id)))


def _cancel(bot, rt, admin, chat, call, broadcast_id):
    lang = admin["lang"]
    state = snapshot(broadcast_id) if broadcast_id else None
    if state is None or state["status"] == "draft":
        forget(rt, admin["id"])
        if state is not None:
            cancel_broadcast(rt, broadcast_id)
        show(bot, chat, (t(lang, "bc_flow_cancelled"), None), call)
    elif state["status"] == "sending" and cancel_broadcast(rt, broadcast_id):
        bot.send_message(chat, t(lang, "bc_stopping", id=broadcast_id))
    else:
        bot.send_message(chat, t(lang, "bc_already_over", id=broadcast_id))


def on_callback(bot, rt, admin, chat, call, action, args) -> None:
    """Callback data starting with "admb"; nothing at all happens for a non-admin."""
    if not is_admin(rt, admin["id"]):
        return
    lang, broadcast_id = admin["lang"], int_arg(args)
    if action == "admb":
        start_flow(bot, rt, admin, chat)
    elif action == "admbx":
        _cancel(bot, rt, admin, chat, call, broadcast_id)
    elif broadcast_id is None:
        return
    elif action == "admbs" and len(args) > 1 and args[1] in segments.SEGMENTS:
        if edit_draft(broadcast_id, segment=args[1]):
            show(bot, chat, (t(lang, "bc_ask_button"), _keyboard(
                (t(lang, "bc_btn_add_button"), pack("admbb", broadcast_id)),
                (t(lang, "bc_btn_no_button"), pack("admbn", broadcast_id)), _cancel_row(lang, broadcast_id))), call)
        else:
            bot.send_message(chat, t(lang, "bc_not_draft", id=broadcast_id))
    elif action == "admbb":
        expect(rt, admin["id"], "button", broadcast_id)
        show(bot, chat, (t(lang, "bc_button_prompt"), _keyboard(_cancel_row(lang, broadcast_id))), call)
    elif action == "admbn":
        if edit_draft(broadcast_id, button_text=None, button_url=None):
            _preview(bot, rt, admin, chat, broadcast_id)
        else:
            bot.send_message(chat, t(lang, "bc_not_draft", id=broadcast_id))
    elif action == "admbc":
        if launch(rt, broadcast_id):
            show(bot, chat, (t(lang, "bc_started", id=broadcast_id, count=snapshot(broadcast_id)["total"]), None),
                 call)
        else:
            bot.send_message(chat, t(lang, "bc_not_draft", id=broadcast_id))


def _route(action):
    return lambda bot, rt, user, chat, call, args: on_callback(bot, rt, user, chat, call, action, args)


# For the admin panel's ACTIONS table (handler(bot, rt, user, chat, call, args)): every "admb…" action.
ACTIONS = {action: _route(action) for action in ("admb", "admbs", "admbb", "admbn", "admbc", "admbx")}
