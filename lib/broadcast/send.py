"""Sending one broadcast message: paced, 429s waited out, Telegram's refusals sorted into outcomes."""
import logging

import requests
from telebot.apihelper import ApiTelegramException
from telebot.types import InlineKeyboardButton, InlineKeyboardMarkup

log = logging.getLogger(__name__)
ATTEMPTS = 5  # sends of one message that Telegram answers 429 before we give the turn back
MAX_RETRY_AFTER = 60  # seconds; a longer ban ends this run's chunk instead (the job is queued again)
# 403s that mean this user cannot be reached any more (blocked the bot, deleted the account).
UNREACHABLE = ("blocked by the user", "user is deactivated", "bot was kicked")
# 400s about the message itself: every other recipient would get the same answer.
REFUSED_MESSAGE = ("can't parse entities", "message is too long", "message text is empty", "button_url_invalid",
                   "button_data_invalid", "can't parse inline keyboard")
SENT, BLOCKED, FAILED, REFUSED, LATER = "sent", "blocked", "failed", "refused", "later"


def markup_for(button_text, button_url):
    """The broadcast's optional link button."""
    if not button_text or not button_url:
        return None
    markup = InlineKeyboardMarkup()
    markup.row(InlineKeyboardButton(button_text, url=button_url))
    return markup


def retry_after(exc: ApiTelegramException) -> int:
    try:
        return max(1, int((exc.result_json or {}).get("parameters", {}).get("retry_after", 1)))
    except (TypeError, ValueError, AttributeError):
        return 1


def classify(exc: ApiTelegramException) -> str:
    """blocked: this user is gone for the bot; refused: the message itself is wrong; else failed."""
    description = str(exc.description or "").lower()
    if exc.error_code == 403 and any(reason in description for reason in UNREACHABLE):
        return BLOCKED
    if exc.error_code == 400 and any(reason in description for reason in REFUSED_MESSAGE):
        return REFUSED
    return FAILED


def send_paced(bot, pacer, send):
    """Run `send()` in the next pacer slot, waiting out 429s; (outcome, result or error text).

    A connection that could not be made propagates (nothing left; the caller drops its claim).
    A timeout after the request went out counts as failed: the message may have arrived, and a
    second try could make it two.
    """
    for _ in range(ATTEMPTS):
        pacer.wait_turn()
        try:
            return SENT, send()
        except ApiTelegramException as exc:
            if exc.error_code != 429:
                return classify(exc), str(exc.description)[:200]
            wait = retry_after(exc)
            if wait > MAX_RETRY_AFTER:
                pacer.hold(wait)
                return LATER, f"retry after {wait}s"
            log.warning("broadcast: Telegram asked to wait %ss", wait)
            pacer.hold(wait)  # every sender waits, not only this one
        except requests.exceptions.ReadTimeout as exc:
            return FAILED, f"timeout: {type(exc).__name__}"
    return LATER, "still rate limited"


def send_message(bot, pacer, chat_id: int, text: str, markup):
    """One broadcast message to one chat; (outcome, detail)."""
    outcome, detail = send_paced(bot, pacer, lambda: bot.send_message(chat_id, text, reply_markup=markup))
    return outcome, (None if outcome == SENT else detail)
