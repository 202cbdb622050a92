"""Is an update one the bot can handle? Checked before any handler runs.

pyTelegramBotAPI reads an update with bare indexing and trusts the types, so a malformed update
raised inside the job and left a failed RQ job behind. Here it becomes NotHandled: the job logs
the reason (never the body) and ends.
"""
from telebot.types import Update

KINDS = ("message", "callback_query", "pre_checkout_query")  # lib.telegram.setup.ALLOWED_UPDATES


class NotHandled(ValueError):
    """The update is dropped; the message says why in a few words, never with the update's content."""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _sender(body: dict) -> None:
    sender = body.get("from")
    if not isinstance(sender, dict) or not _is_int(sender.get("id")):
        raise NotHandled("sender missing or malformed")


def _message(message) -> None:
    if not isinstance(message, dict):
        raise NotHandled("message is not an object")
    chat = message.get("chat")
    if not isinstance(chat, dict) or not _is_int(chat.get("id")) or not isinstance(chat.get("type"), str):
        raise NotHandled("chat missing or malformed")
    if not isinstance(message.get("text", ""), str):
        raise NotHandled("text is not a string")


def _callback(call: dict) -> None:
    if not isinstance(call.get("id"), str) or not isinstance(call.get("data", ""), str):
        raise NotHandled("callback query id or data malformed")
    if call.get("message") is not None:
        _message(call["message"])


def kind_name(update) -> str:
    """The update's kind as Telegram named it, cut short (for a log line)."""
    keys = [str(key) for key in update if key != "update_id"] if isinstance(update, dict) else []
    return ",".join(keys)[:40] or "none"


def parse(update) -> tuple[str, Update]:
    """(kind, telebot Update) of an update the handlers can take; NotHandled otherwise."""
    if not isinstance(update, dict) or not _is_int(update.get("update_id")):
        raise NotHandled("not an update")
    kinds = [key for key in update if key != "update_id"]
    if len(kinds) != 1:
        raise NotHandled("no kind" if not kinds else "several kinds")
    kind = kinds[0]
    if kind not in KINDS:
        raise NotHandled("a kind the bot does not handle")
    body = update[kind]
    if not isinstance(body, dict):
        raise NotHandled(f"{kind} is not an object")
    _sender(body)
    if kind == "message":
        _message(body)
    elif kind == "callback_query":
        _callback(body)
    elif not isinstance(body.get("id"), str):
        raise NotHandled("pre-checkout query id malformed")
    try:
        return kind, Update.de_json(update)
    except Exception as exc:  # pyTelegramBotAPI's parser raises anything from KeyError to AttributeError
        raise NotHandled(f"pyTelegramBotAPI could not read it ({type(exc).__name__})") from None
