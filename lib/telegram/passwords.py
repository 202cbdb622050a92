"""Messages that show a VPS password stay readable for PASSWORD_VISIBLE_SECONDS, then say "hidden".

A chat history is not a password store: it syncs to every device and lingers on screens. The
sender schedules jobs.hide_secret, which edits the message to a note pointing at the mini app.
"""
import logging

from telebot.apihelper import ApiTelegramException
from telebot.types import InlineKeyboardButton, WebAppInfo

from lib import clock, tasks
from lib.telegram.ui import keyboard, miniapp_url
from lib.texts import raw, t

log = logging.getLogger(__name__)
PASSWORD_VISIBLE_SECONDS = 600  # ten minutes: time enough to copy it into a password manager
EARLY_GRACE = 60  # seconds; a hide job started earlier than this before its time ran early (see hide)
# Telegram's answers that mean there is nothing left to hide; retrying cannot change them.
NOTHING_TO_HIDE = ("message to edit not found", "message is not modified", "message can't be edited")
SECRET_TEXTS = frozenset({"vps_ready", "vps_reinstalled", "vps_password"})  # texts (lib.texts) that show a password


def hide_later(rt, chat_id: int, message_id: int, language: str) -> None:
    """Queue the hiding of this message; the password is out already, so a failure is only logged."""
    hide_at = clock.epoch() + PASSWORD_VISIBLE_SECONDS
    try:
        tasks.enqueue_in(rt.redis, PASSWORD_VISIBLE_SECONDS, tasks.HIDE_SECRET, chat_id, message_id, language, hide_at)
    except Exception as exc:  # Redis down: the user got their password; it just stays visible
        log.warning("could not schedule hiding message %s in chat %s (%s)", message_id, chat_id, type(exc).__name__)


def send_password(bot, rt, chat_id: int, language: str, text: str):
    """Send a message that shows a password, and schedule its hiding."""
    message = bot.send_message(chat_id, text)
    hide_later(rt, chat_id, message.message_id, language)
    return message


def hidden_screen(rt, language: str) -> tuple:
    """What the message says once hidden: the mini app's button when there is one."""
    url = miniapp_url(rt)
    if not url:
        return t(language, "secret_hidden_no_app"), None
    return t(language, "secret_hidden"), keyboard([InlineKeyboardButton(raw(language, "btn_app"),
                                                                        web_app=WebAppInfo(url))])


def hide(bot, rt, chat_id: int, message_id: int, language: str, hide_at: float | None = None) -> str:
    """Edit the message to "password hidden" and drop its keyboard; what happened, in a word.

    The RQ scheduler starts the job on time. A job started well before `hide_at` (business time,
    lib.clock) was run early by hand or by a test harness that runs scheduled jobs at once: it
    leaves the message alone."""
    if hide_at is not None and clock.epoch() < hide_at - EARLY_GRACE:
        log.info("hiding message %s in chat %s ran early; left alone", message_id, chat_id)
        return "early"
    text, markup = hidden_screen(rt, language)
    try:
        bot.edit_message_text(text, chat_id, message_id, reply_markup=markup)
    except ApiTelegramException as exc:
        if exc.error_code == 400 and any(reason in str(exc.description) for reason in NOTHING_TO_HIDE):
            return "nothing to hide"
        raise  # Telegram down or flooded: RQ tries again
    return "hidden"
