"""Telegram WebApp initData as Telegram's client would send it, signed with the bot token."""
import json
from urllib.parse import urlencode

from lib import clock
from lib.miniapp.auth import sign


def make_init_data(bot_token, user_id, language="en", first_name="Ann", auth_date=None) -> str:
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": user_id, "first_name": first_name, "language_code": language},
                           separators=(",", ":"), ensure_ascii=False),
        "auth_date": str(int(auth_date if auth_date is not None else clock.epoch())),
        "signature": "not-checked-by-the-bot-token-rule",
    }
    return urlencode({**fields, "hash": sign(fields, bot_token)})


def auth(bot_token, user_id, **kw) -> dict:
    return {"Authorization": "tma " + make_init_data(bot_token, user_id, **kw)}
