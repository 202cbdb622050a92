"""Builders of incoming Update JSON, shaped like tests/fixtures/telegram_update_*.json.

They stand apart from any FakeTelegram, so messages are dated with real time unless `date=`
is given (e.g. int(fake.clock()) to match a fake whose clock a test moved).
"""
import itertools
import time
import uuid

from .tg_html import utf16_len

# User-side message ids; a real private chat shares one counter with the bot,
# but only uniqueness matters to a webhook handler.
_user_message_ids = itertools.count(100000)


def make_user(user_id, first_name="Ann", username=None, language_code="en"):
    user = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def private_chat(user):
    chat = {"id": user["id"], "first_name": user["first_name"], "type": "private"}
    if user.get("username"):
        chat["username"] = user["username"]
    return chat


def group_chat(chat_id, chat_type="supergroup", title="Fake group"):
    """A group, supergroup or channel chat; their ids are negative in the Bot API."""
    if chat_type not in ("group", "supergroup", "channel") or chat_id >= 0:
        raise ValueError("a group, supergroup or channel has a negative id")
    return {"id": chat_id, "type": chat_type, "title": title}


def _chat(user, chat_type, chat_id):
    if chat_type == "private":
        return private_chat(user)
    return group_chat(chat_id if chat_id is not None else -1001000000000 - user["id"], chat_type)


def make_message_update(update_id, user_id, text, language_code="en", first_name="Ann",
                        username=None, message_id=None, date=None, chat_type="private", chat_id=None):
    """An Update with a text message (private unless chat_type says otherwise); /commands get a
    bot_command entity."""
    user = make_user(user_id, first_name, username, language_code)
    message = {
        "message_id": message_id if message_id is not None else next(_user_message_ids),
        "from": user, "chat": _chat(user, chat_type, chat_id), "date": date or int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"offset": 0, "length": utf16_len(command), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


def make_callback_update(update_id, user_id, data, message, first_name="Ann", username=None,
                         language_code="en"):
    """An Update with a callback_query from pressing a button of `message`.

    `message` is a Message dict as the fake returned it (e.g. last_message()).
    """
    return {"update_id": update_id, "callback_query": {
        "id": str(uuid.uuid4().int >> 64),
        "from": make_user(user_id, first_name, username, language_code),
        "message": message,
        "chat_instance": str(-(uuid.uuid4().int >> 65)),
        "data": data,
    }}


def make_pre_checkout_update(update_id, user_id, payload, total_amount, currency="XTR",
                             first_name="Ann", language_code="en"):
    """An Update with a pre_checkout_query (Telegram Stars when currency is XTR)."""
    return {"update_id": update_id, "pre_checkout_query": {
        "id": str(uuid.uuid4().int >> 64),
        "from": make_user(user_id, first_name, None, language_code),
        "currency": currency, "total_amount": total_amount, "invoice_payload": payload,
    }}


def make_successful_payment_update(update_id, user_id, payload, total_amount, currency="XTR",
                                   charge_id=None, first_name="Ann", language_code="en",
                                   date=None, chat_type="private", chat_id=None):
    """An Update with a service message carrying successful_payment."""
    user = make_user(user_id, first_name, None, language_code)
    return {"update_id": update_id, "message": {
        "message_id": next(_user_message_ids), "from": user, "chat": _chat(user, chat_type, chat_id),
        "date": date or int(time.time()),
        "successful_payment": {
            "currency": currency, "total_amount": total_amount, "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id or "stxF" + uuid.uuid4().hex,
            "provider_payment_charge_id": "",
        },
    }}
