"""Update handlers: who is writing, which screen they asked for, and showing it."""
import functools
import logging

from telebot.apihelper import ApiTelegramException

from lib.billing.orders import register_user
from lib.models.database import run_transaction
from lib.models import User
from lib.runtime import current
from lib.telegram import screens
from lib.telegram.callbacks import unpack
from lib.telegram.ui import miniapp_url, show
from lib.texts import language_of, t

log = logging.getLogger(__name__)


def _customer(rt, tg_user):
    user = register_user(rt.redis, tg_user.id, username=tg_user.username, first_name=tg_user.first_name or "",
                         language_code=tg_user.language_code)
    return {"id": user.id, "lang": user.language, "banned": user.banned, "name": user.first_name,
            "balance": user.balance}


def customer(rt, tg_user) -> dict:
    """The sender as a plain dict, registered on first contact."""
    return run_transaction(_customer, rt, tg_user)


def _toggle_language(user_id):
    user = User[user_id]
    user.language = "en" if user.language == "ru" else "ru"
    return user.language


def guarded(bot, handler):
    """A handler that fails tells the customer plainly instead of going silent (and logs why)."""
    @functools.wraps(handler)
    def run(update):
        try:
            handler(update)
        except Exception:
            log.exception("handling an update failed")
            sender = update.from_user
            chat = update.message.chat.id if getattr(update, "message", None) else sender.id
            lang = "ru" if (sender.language_code or "").startswith("ru") else language_of(None)
            try:
                bot.send_message(chat, t(lang, "error_generic"))
            except Exception:
                log.warning("could not tell chat %s about the failure", chat)
    return run


def main_screen_for(bot, rt, user, chat, call=None) -> None:
    show(bot, chat, screens.main_menu(user["lang"], user["name"], miniapp_url(rt), vps=rt.settings.vps_enabled),
         call)


def register_handlers(bot) -> None:
    from lib.telegram import admin_commands, admin_panel, vpn_handlers, vps_handlers
    actions = {**vpn_handlers.ACTIONS, **vps_handlers.ACTIONS}

    def main_screen(user):
        rt = current()
        return screens.main_menu(user["lang"], user["name"], miniapp_url(rt), vps=rt.settings.vps_enabled)

    def on_message(message):
        rt = current()
        user = customer(rt, message.from_user)
        chat = message.chat.id
        if user["banned"]:
            bot.send_message(chat, t(user["lang"], "banned"))
            return
        words = (message.text or "").split()
        command = words[0].split("@")[0].lower() if words else ""
        if command == "/app" and miniapp_url(rt):
            show(bot, chat, screens.app_screen(user["lang"], miniapp_url(rt)))
        elif command == "/help":
            show(bot, chat, screens.help_screen(user["lang"]))
        elif command == "/buy":
            vpn_handlers.on_buy(bot, rt, user, chat, None, [])
        elif command == "/refund" and admin_commands.on_refund_command(bot, rt, user, chat, message.text):
            pass
        elif admin_panel.on_admin_message(bot, rt, user, chat, message):
            pass
        elif vps_handlers.looks_like_ssh_key(message.text):
            vps_handlers.on_ssh_key(bot, rt, user, chat, message.text)
        else:
            show(bot, chat, main_screen(user))

    def on_callback(call):
        rt = current()
        user = customer(rt, call.from_user)
        chat = call.message.chat.id if call.message else user["id"]
        try:
            bot.answer_callback_query(call.id)
        except ApiTelegramException:  # too old to answer; the screen below still changes
            pass
        if user["banned"]:
            bot.send_message(chat, t(user["lang"], "banned"))
            return
        action, args = unpack(call.data)
        if action.startswith("adm"):  # every admin action checks ADMIN_IDS itself, on the server
            admin_panel.on_admin_callback(bot, rt, user, chat, call, action, args)
        elif action == "lang":
            user["lang"] = run_transaction(_toggle_language, user["id"])
            show(bot, chat, main_screen(user), call)
        elif action == "help":
            show(bot, chat, screens.help_screen(user["lang"]), call)
        elif action in actions:
            actions[action](bot, rt, user, chat, call, args)
        else:
            show(bot, chat, main_screen(user), call)

    bot.register_message_handler(guarded(bot, on_message), func=lambda m: True,
                                 content_types=["text", "photo", "document", "sticker", "voice"])
    bot.register_callback_query_handler(guarded(bot, on_callback), func=lambda call: True)
