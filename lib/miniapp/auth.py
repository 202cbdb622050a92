"""Telegram WebApp initData: the HMAC rule and the age check (telebot's validator skips the age)."""
import hashlib
import hmac
import json
from datetime import timedelta
from urllib.parse import parse_qsl


class InitDataError(ValueError):
    """initData is missing, forged or too old."""


def check_string(fields: dict) -> str:
    """Every field but `hash` (a `signature` field stays in), sorted, as key=value lines."""
    return "\n".join(f"{k}={v}" for k, v in sorted(fields.items()) if k != "hash")


def sign(fields: dict, bot_token: str) -> str:
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check_string(fields).encode(), hashlib.sha256).hexdigest()


def verify_init_data(init_data: str, bot_token: str, max_age: timedelta, now_epoch: float) -> dict:
    """The Telegram user of valid, fresh initData, as a dict; InitDataError otherwise."""
    if not init_data or len(init_data) > 8192 or not bot_token:
        raise InitDataError("missing initData")
    try:
        fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        raise InitDataError("malformed initData") from None
    given = fields.get("hash", "")
    if not given or not hmac.compare_digest(sign(fields, bot_token), given.lower()):
        raise InitDataError("bad initData signature")
    try:
        auth_date = int(fields.get("auth_date", ""))
        user = json.loads(fields.get("user", ""))
    except ValueError:
        raise InitDataError("initData lacks auth_date or user") from None
    age = now_epoch - auth_date
    if age > max_age.total_seconds() or age < -300:
        raise InitDataError("initData is too old")
    if not isinstance(user, dict) or not isinstance(user.get("id"), int):
        raise InitDataError("initData user has no id")
    return user
