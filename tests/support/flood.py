"""Flooding and probing the shop in tests: updates from a flooder, a calm user and a banned one, posted
in-process or to a real server; every route with the headers it needs."""
import itertools
from datetime import datetime

import requests
from pony.orm import db_session

from lib.models import User
from lib.texts import t
from tests.fakes.telegram import make_message_update
from tests.support.initdata import auth

FLOODER, CALM, BANNED = 610001, 610002, 610003
WARNING_EN = t("en", "rate_limited")
BLOCKED_EN = t("en", "banned")
_ids = itertools.count(7_000_000)


def post(shop, update, base=None):
    headers = {"X-Telegram-Bot-Api-Secret-Token": shop.settings.telegram_webhook_secret}
    if base is None:
        return shop.post_update(update)
    return requests.post(f"{base}/telegram_webhook", json=update, headers=headers, timeout=10)


def message(user_id, text="hi", **user):
    return make_message_update(next(_ids), user_id, text, **user)


def ban(user_id, language="en"):
    with db_session:
        User(id=user_id, first_name="Bo", language=language, banned=True, created_at=datetime(2026, 1, 1))


def end_window(shop, user_id):
    """What a minute of waiting does to the user's window, without the minute."""
    shop.redis.delete(f"shop:rate:{user_id}", f"shop:banned-told:{user_id}")


def routes(shop):
    tg = {"X-Telegram-Bot-Api-Secret-Token": shop.settings.telegram_webhook_secret}
    cron = {"Authorization": f"Bearer {shop.settings.cron_secret}"}
    app = auth(shop.settings.bot_token, FLOODER)
    return [("/telegram_webhook", tg), ("/cryptobot_webhook", {}), ("/yukassa_webhook", {}), ("/cron_tick", cron),
            ("/miniapp_api/api/orders", app), ("/miniapp_api/api/me", app), ("/miniapp_api/", {}),
            ("/healthz", {}), ("/no/such/route", {})]


