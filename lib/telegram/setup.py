"""Registering the bot with Telegram: webhook with its secret, commands, and the mini app button."""
from telebot.types import BotCommand, MenuButtonWebApp, WebAppInfo

from lib.telegram.bot import get_bot
from lib.telegram.ui import miniapp_url
from lib.texts import raw

COMMANDS = {"en": [("start", "Main menu"), ("buy", "Buy VPN"), ("app", "Open the shop app"), ("help", "Help")],
            "ru": [("start", "Главное меню"), ("buy", "Купить VPN"), ("app", "Открыть приложение"),
                   ("help", "Помощь")]}
ALLOWED_UPDATES = ["message", "callback_query", "pre_checkout_query"]


class SetupError(ValueError):
    pass


def register_webhook(rt) -> str:
    """Point Telegram at PUBLIC_URL/telegram_webhook; returns the URL registered."""
    settings = rt.settings
    if not settings.public_url.startswith("https://"):
        raise SetupError("PUBLIC_URL must be an https:// address Telegram can reach to set a webhook.")
    bot = get_bot(settings)
    url = settings.public_url + "/telegram_webhook"
    bot.set_webhook(url=url, secret_token=settings.telegram_webhook_secret, allowed_updates=ALLOWED_UPDATES,
                    max_connections=16)  # = 2 web workers x 8 connections (see Procfile)
    set_commands(bot)
    bot.set_chat_menu_button(menu_button=MenuButtonWebApp(raw("en", "btn_app"), WebAppInfo(miniapp_url(rt))))
    return url


def set_commands(bot) -> None:
    for language, commands in COMMANDS.items():
        bot.set_my_commands([BotCommand(c, d) for c, d in commands], language_code=language)
    bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS["en"]])
