"""Putting a screen in front of the user; keyboards and the buttons every area uses."""
from telebot.apihelper import ApiTelegramException
from telebot.types import InlineKeyboardButton as Button
from telebot.types import InlineKeyboardMarkup

from lib.telegram.callbacks import pack
from lib.texts import raw, t

RENEW_ACTIONS = {"vpn": "buy", "vps": "vbuy"}  # what the Renew button under a notice opens


def miniapp_url(rt):
    """The mini app's address, when it is https (Telegram refuses anything else)."""
    url = rt.settings.public_url + "/miniapp_api/"
    return url if url.startswith("https://") else None


def keyboard(*rows) -> InlineKeyboardMarkup:
    markup = InlineKeyboardMarkup()
    for row in rows:
        markup.row(*row)
    return markup


def button(lang, key, *data, **params) -> Button:
    """A callback button labelled with text `key` (filled with params when given)."""
    return Button(t(lang, key, **params) if params else raw(lang, key), callback_data=pack(*data))


def menu_row(lang) -> list:
    return [button(lang, "btn_menu", "m")]


def show(bot, chat_id, screen, call=None):
    """Edit the message a button was on, or send a new one."""
    text, markup = screen
    if call is not None and call.message is not None:
        try:
            bot.edit_message_text(text, chat_id, call.message.message_id, reply_markup=markup)
            return
        except ApiTelegramException as exc:
            if "not modified" in str(exc.description):
                return
    bot.send_message(chat_id, text, reply_markup=markup)


def one_button(language: str, label_key: str, callback_data: str) -> InlineKeyboardMarkup:
    """A keyboard of one callback button."""
    return keyboard([Button(raw(language, label_key), callback_data=callback_data)])


def notice_button(language: str, spec) -> InlineKeyboardMarkup | None:
    """The button under a notice from the service layer: ["renew", "vpn"|"vps", id], or None."""
    if not spec:
        return None
    what, kind, target_id = spec
    if what != "renew" or kind not in RENEW_ACTIONS:
        return None
    return one_button(language, "btn_renew", pack(RENEW_ACTIONS[kind], target_id))
