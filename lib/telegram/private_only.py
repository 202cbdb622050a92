"""The bot works in private chats only: elsewhere it says so, and never shows a menu, key or password.

A group hears it once (remembered in Redis per chat); a button pressed on an old message outside a
private chat gets the same sentence as the answer to the press, and nothing else happens. A
payment's service message is not refused: money is recorded wherever it arrives.
"""
import logging

from lib.accounts.language import language_for
from lib.telegram.bot import get_bot
from lib.texts import raw, t

log = logging.getLogger(__name__)
GROUP_TOLD_TTL = 365 * 86400  # seconds; a group that heard it needs no reminder, and Redis forgets it after a year


def _told_key(chat_id: int) -> str:
    return f"shop:tg:group-told:{chat_id}"


def outside_private(kind: str, update) -> bool:
    """True for a message or button press from any chat but a private one (update: a telebot Update)."""
    if kind == "message":
        return update.message.chat.type != "private" and update.message.content_type != "successful_payment"
    if kind == "callback_query":  # a press without a message came from an inline message: no chat to trust
        return update.callback_query.message is None or update.callback_query.message.chat.type != "private"
    return False  # a pre-checkout query has no chat, and Telegram wants it answered


def _link(bot) -> str | None:
    try:
        username = bot.user.username  # getMe, once per process
    except Exception as exc:  # Telegram unreachable: the sentence alone will do
        log.warning("could not read the bot's username (%s)", type(exc).__name__)
        return None
    return f"https://t.me/{username}" if username else None


def notice(bot, language: str) -> str:
    """The sentence, with the bot's t.me link when the bot's username is known."""
    link = _link(bot)
    return t(language, "private_only", link=link) if link else t(language, "private_only_plain")


def refuse(rt, kind: str, update) -> str:
    """Say "private chats only" where the update came from (a chat at most once); what happened."""
    bot = get_bot(rt.settings)
    if kind == "callback_query":
        call = update.callback_query
        try:  # answered, or the user's button keeps spinning
            bot.answer_callback_query(call.id, raw(language_for(call.from_user.language_code), "private_only_plain"))
        except Exception as exc:
            log.warning("could not answer a button press outside a private chat (%s)", type(exc).__name__)
        return "answered"
    message = update.message
    chat_id = message.chat.id
    if not rt.redis.set(_told_key(chat_id), "1", nx=True, ex=GROUP_TOLD_TTL):
        return "already told"
    language = language_for(message.from_user.language_code if message.from_user else None)
    try:
        bot.send_message(chat_id, notice(bot, language))
    except Exception as exc:  # removed from the group, or Telegram down: let the next message try again
        rt.redis.delete(_told_key(chat_id))
        log.warning("could not tell chat %s that the bot works in private chats (%s)", chat_id, type(exc).__name__)
        return "not told"
    return "told"
