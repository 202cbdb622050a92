"""Update handlers: who is writing, which handler they asked for, and what to say when a rule says no.

Handlers are thin: they parse the update, call one use case, and show the result. A UserError
from a use case is said to the user in their language; anything else is logged and answered
with a plain "something went wrong", never a traceback.
"""
import functools
import logging
import threading

from telebot.apihelper import ApiTelegramException
from telebot.types import Update

from lib.accounts.actions import sign_in, switch_language
from lib.accounts.language import language_for
from lib.errors import UserError
from lib.runtime import current
from lib.telegram.bot import get_bot
from lib.telegram.callbacks import unpack
from lib.telegram.customer import keys, menu, servers, shop
from lib.telegram.ui import miniapp_url
from lib.texts import t
from lib.vps.ssh_keys import looks_like_ssh_key

log = logging.getLogger(__name__)
ACTIONS = {**shop.ACTIONS, **keys.ACTIONS, **servers.ACTIONS, **menu.ACTIONS}
_registering = threading.Lock()


def telegram_user(tg_user) -> dict:
    return {"id": tg_user.id, "username": tg_user.username, "first_name": tg_user.first_name or "",
            "language_code": tg_user.language_code}


def _say(bot, chat, lang, refused: UserError) -> None:
    bot.send_message(chat, t(lang, refused.text_key, **refused.params))


def guarded(bot, handler):
    """Run a handler; a refusal is said plainly, a failure is logged and the user told to try again."""
    @functools.wraps(handler)
    def run(update):
        sender = update.from_user
        chat = update.message.chat.id if getattr(update, "message", None) else sender.id
        lang = language_for(sender.language_code)
        try:
            handler(update)
        except UserError as refused:
            _say(bot, chat, getattr(refused, "language", None) or lang, refused)
        except Exception:
            log.exception("handling an update failed")
            try:
                bot.send_message(chat, t(lang, "error_generic"))
            except Exception:
                log.warning("could not tell chat %s about the failure", chat)
    return run


def _with_user(bot, chat, user, handle) -> None:
    """Run `handle()`; a refusal is said in the user's own language."""
    try:
        handle()
    except UserError as refused:
        _say(bot, chat, user["lang"], refused)


def on_message(bot, message) -> None:
    from lib.telegram.admin import commands, panel
    rt = current()
    user, chat = sign_in(rt, telegram_user(message.from_user)), message.chat.id
    words = (message.text or "").split()
    command = words[0].split("@")[0].lower() if words else ""

    def handle():
        if command == "/app" and miniapp_url(rt):
            menu.on_app(bot, rt, user, chat)
        elif command == "/help":
            menu.on_help(bot, rt, user, chat, None, [])
        elif command == "/buy":
            shop.on_buy(bot, rt, user, chat, None, [])
        elif command == "/refund" and commands.on_refund_command(bot, rt, user, chat, message.text):
            pass
        elif panel.on_admin_message(bot, rt, user, chat, message):
            pass
        elif looks_like_ssh_key(message.text):
            servers.on_ssh_key(bot, rt, user, chat, message.text)
        else:
            menu.on_menu(bot, rt, user, chat, None, [])
    _with_user(bot, chat, user, handle)


def on_callback(bot, call) -> None:
    from lib.telegram.admin import panel
    rt = current()
    try:
        bot.answer_callback_query(call.id)
    except ApiTelegramException:  # too old to answer; the screen below still changes
        pass
    user = sign_in(rt, telegram_user(call.from_user))
    chat = call.message.chat.id if call.message else user["id"]
    action, args = unpack(call.data)

    def handle():
        if action.startswith("adm"):  # every admin action checks ADMIN_IDS itself, on the server
            panel.on_admin_callback(bot, rt, user, chat, call, action, args)
        elif action == "lang":
            user["lang"] = switch_language(rt, user["id"])
            menu.on_menu(bot, rt, user, chat, call, [])
        elif action in ACTIONS:
            ACTIONS[action](bot, rt, user, chat, call, args)
        else:
            menu.on_menu(bot, rt, user, chat, call, [])
    _with_user(bot, chat, user, handle)


def register_handlers(bot) -> None:
    bot.register_message_handler(guarded(bot, lambda message: on_message(bot, message)), func=lambda m: True,
                                 content_types=["text", "photo", "document", "sticker", "voice"])
    bot.register_callback_query_handler(guarded(bot, lambda call: on_callback(bot, call)), func=lambda call: True)


def process_update(rt, update) -> None:
    """Handle one update (a telebot Update, or a raw dict) with this process's bot (handlers registered on first use).

    jobs.handle_update checks the update first (lib.telegram.shape) and keeps it out of groups
    (lib.telegram.private_only), so every handler may assume a well-formed private chat."""
    bot = get_bot(rt.settings)
    with _registering:
        if not getattr(bot, "_shop_handlers", False):
            register_handlers(bot)
            bot._shop_handlers = True
    bot.process_new_updates([Update.de_json(update) if isinstance(update, dict) else update])
