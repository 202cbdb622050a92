"""The admin panel in the bot (ADMIN_IDS only; every use case re-checks that on the server).

Callback actions start with `adm` and are looked up in ACTIONS; typed answers (a search, a number
of days, an amount, a reason) are looked up in INPUTS by the pending question kept in Redis.
Another area (e.g. broadcast) plugs in by adding its entries to ACTIONS and INPUTS.
"""
import logging

from lib.accounts.roles import is_admin
from lib.errors import UserError
from lib.telegram.admin import broadcast, orders, screens, status, users
from lib.telegram.admin.dialog import ask_again, drop_input, take_input
from lib.telegram.customer.menu import on_menu as customer_menu
from lib.telegram.ui import show
from lib.texts import t

log = logging.getLogger(__name__)


def on_menu(bot, rt, user, chat, call, args):
    show(bot, chat, screens.menu(user["lang"]), call)


def on_cancel(bot, rt, user, chat, call, args):
    drop_input(rt, user["id"])
    show(bot, chat, screens.menu(user["lang"]), call)


ACTIONS = {"adm": on_menu, "admx": on_cancel, **status.ACTIONS, **users.ACTIONS, **orders.ACTIONS,
           **broadcast.ACTIONS}
INPUTS = dict(users.INPUTS)


def _refused(bot, user, chat, refused: UserError) -> None:
    bot.send_message(chat, t(user["lang"], refused.text_key, **refused.params))


def on_admin_message(bot, rt, user, chat, message) -> bool:
    """Handle /admin and admin replies (search, amounts, broadcast text); False: not for the panel."""
    if not is_admin(rt.settings, user["id"]):
        return False
    text = message.text or ""
    command = text.split()[0].split("@")[0].lower() if text.strip() else ""
    if command == "/admin":
        drop_input(rt, user["id"])
        show(bot, chat, screens.menu(user["lang"]))
        return True
    if command.startswith("/"):  # another command: the pending question is abandoned
        drop_input(rt, user["id"])
        return False
    if broadcast.consume_message(bot, rt, user, chat, message):  # the text of a broadcast
        return True
    pending = take_input(rt, user["id"])
    handler = INPUTS.get(pending["what"]) if pending else None
    if handler is None:
        return False
    if message.text is None:  # a photo or a sticker is no answer; keep waiting for text
        ask_again(bot, rt, user, chat, pending, "adm_text_please")
        return True
    try:
        handler(bot, rt, user, chat, text, pending)
    except UserError as refused:
        _refused(bot, user, chat, refused)
    log.info("admin %s answered %s", user["id"], pending["what"])
    return True


def on_admin_callback(bot, rt, user, chat, call, action, args) -> None:
    """Callback data starting with `adm`; a non-admin gets the main menu and nothing else."""
    if not is_admin(rt.settings, user["id"]):
        customer_menu(bot, rt, user, chat, call, args)
        return
    handler = ACTIONS.get(action, on_menu)  # unknown (or not yet built) admin actions: the admin menu
    try:
        handler(bot, rt, user, chat, call, args)
    except UserError as refused:
        _refused(bot, user, chat, refused)
    log.info("admin %s: %s %s", user["id"], action, ":".join(args)[:40])
