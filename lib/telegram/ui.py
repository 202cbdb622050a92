"""Putting a screen in front of the user."""
from telebot.apihelper import ApiTelegramException
from telebot.types import InlineKeyboardButton, InlineKeyboardMarkup

from lib.texts import raw


def miniapp_url(rt):
    """The mini app's address, when it is https (Telegram refuses anything else)."""
    url = rt.settings.public_url + "/miniapp_api/"
    return url if url.startswith("https://") else None


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
    """A keyboard of one callback button (renew links in reminders and notices)."""
    markup = InlineKeyboardMarkup()
    markup.row(InlineKeyboardButton(raw(language, label_key), callback_data=callback_data))
    return markup
