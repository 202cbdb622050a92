"""Driving broadcasts in tests: users to send to, what each received, the admin's report, the flow's buttons."""
import re
from decimal import Decimal
from pathlib import Path

from pony.orm import db_session
from telebot import types

from lib import clock
from lib.models import User
from lib.telegram.admin import broadcast as screens
from lib.telegram.bot import get_bot
from lib.telegram.callbacks import unpack
from tests.fakes.telegram import make_callback_update, make_message_update

ROOT = Path(__file__).resolve().parents[2]


ADMIN = 111


TEXT = "<b>Spring sale</b>: 20% off &amp; more"


PLAIN = "Spring sale: 20% off & more"  # what the fake stores once the HTML is parsed


def add_users(ids, **fields):
    with db_session:
        for user_id in ids:
            User(id=user_id, first_name=f"U{user_id}", language="en", created_at=clock.now(), **fields)


def got(fake, user_id, text=PLAIN):
    return [m for m in fake.messages(user_id) if m.get("text") == text]


def report(fake):
    """The admin's final report (the last new message with the numbers, not an edit), as numbers.

    Not simply the last message: the "stopping…" answer to the Stop button may be held up by a 429
    and arrive after the report."""
    text = [m for m in fake.messages(ADMIN) if not m.get("edit_date") and "Delivered:" in (m.get("text") or "")][-1]["text"]
    numbers = {key: int(re.search(pattern, text).group(1)) for key, pattern in
               (("sent", r"Delivered: (\d+)"), ("blocked", r"Blocked the bot: (\d+)"), ("failed", r"Failed: (\d+)"))}
    return text, numbers


def admin_user(user_id=ADMIN, lang="en"):
    return {"id": user_id, "lang": lang, "banned": False, "name": "Admin", "balance": Decimal("0")}


def press(shop, label, user_id=ADMIN):
    """Press the newest button with this label, straight into the broadcast flow (as the panel routes it)."""
    button = shop.telegram.find_button(user_id, label)
    assert button is not None, f"no button {label!r} in {shop.last_text(user_id)!r}"
    message = shop.message_with(user_id, button)
    update = make_callback_update(shop.next_update_id(), user_id, button["callback_data"], message)
    action, args = unpack(button["callback_data"])
    assert action.startswith("admb") and len(button["callback_data"].encode()) <= 64
    screens.on_callback(get_bot(shop.settings), shop.rt, admin_user(user_id), user_id,
                        types.CallbackQuery.de_json(update["callback_query"]), action, args)
    shop.run_jobs()


def open_flow(shop, user_id=ADMIN):
    """The panel's "📣 Broadcast" button (callback data "admb")."""
    screens.on_callback(get_bot(shop.settings), shop.rt, admin_user(user_id), user_id, None, "admb", [])


def say(shop, text, user_id=ADMIN):
    message = types.Message.de_json(make_message_update(1, user_id, text)["message"])
    return screens.consume_message(get_bot(shop.settings), shop.rt, admin_user(user_id), user_id, message)
