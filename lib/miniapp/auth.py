"""Telegram WebApp initData: the HMAC rule and the age check (telebot's validator skips the age)."""
import hashlib
import hmac
import json
from datetime import timedelta
from urllib.parse import parse_qsl

from lib.miniapp.inputs import storable

MAX_FUTURE_SECONDS = 60  # clock skew between Telegram and us; more is a forged or replayed-ahead date
SECRET_MAX_AGE = timedelta(hours=1)  # a key's config or a server's password: only from a recent open
MAX_TELEGRAM_ID = 2**52 - 1  # Telegram: user ids have at most 52 significant bits
PROFILE_FIELDS = {"username": 64, "first_name": 256, "last_name": 256, "language_code": 35}


class InitDataError(ValueError):
    """initData is missing, forged or too old; `code` tells the page which (401 either way)."""

    def __init__(self, message: str, code: str = "unauthorized"):
        super().__init__(message)
        self.code = code


def check_string(fields: dict) -> str:
    """Every field but `hash` (a `signature` field stays in), sorted, as key=value lines."""
    return "\n".join(f"{k}={v}" for k, v in sorted(fields.items()) if k != "hash")


def sign(fields: dict, bot_token: str) -> str:
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check_string(fields).encode(), hashlib.sha256).hexdigest()


def verify_init_data(init_data: str, bot_token: str, max_age: timedelta, now_epoch: float, *,
                     reveals_secret: bool = False) -> dict:
    """The Telegram user of valid, fresh initData, as a dict; InitDataError otherwise.

    A route that reveals a secret (`reveals_secret`) wants initData younger than SECRET_MAX_AGE too."""
    if not init_data or len(init_data) > 8192 or not bot_token:
        raise InitDataError("missing initData")
    try:
        fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        raise InitDataError("malformed initData") from None
    given = fields.get("hash", "")
    # Bytes, not str: compare_digest refuses non-ASCII text with a TypeError.
    if not given or not hmac.compare_digest(sign(fields, bot_token).encode(), given.lower().encode()):
        raise InitDataError("bad initData signature")
    try:
        auth_date = int(fields.get("auth_date", ""))
        user = json.loads(fields.get("user", ""))
    except (ValueError, RecursionError):
        raise InitDataError("initData lacks auth_date or user") from None
    age = now_epoch - auth_date
    if age > max_age.total_seconds():
        raise InitDataError("initData is too old")
    if age < -MAX_FUTURE_SECONDS:
        raise InitDataError("initData is dated in the future")
    if reveals_secret and age > SECRET_MAX_AGE.total_seconds():
        raise InitDataError("initData is too old for this; reopen the mini app", "reopen_required")
    return checked_user(user)


def checked_user(user) -> dict:
    """The initData user when its id and profile are what Telegram sends; InitDataError otherwise.

    Signed initData comes from Telegram, but a leaked bot token signs anything: nothing unchecked reaches
    the database (a NUL byte or a 100-digit id there is a 5xx, not a refusal)."""
    if not isinstance(user, dict):
        raise InitDataError("initData user has no id")
    user_id = user.get("id")
    if type(user_id) is not int or not 0 < user_id <= MAX_TELEGRAM_ID:  # bool is an int subclass: refused
        raise InitDataError("initData user has no valid id")
    for name, longest in PROFILE_FIELDS.items():
        value = user.get(name)
        if value is not None and not (isinstance(value, str) and len(value) <= longest and storable(value)):
            raise InitDataError(f"initData user has a malformed {name}")
    return user
