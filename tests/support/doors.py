"""Driving one customer action through both doors (tests/integration/test_both_doors_*.py).

Ann uses the bot, Bob the mini app, in the same shop. What they see is compared as per-user
summaries with what must differ (ids, addresses, keys, timestamps) left out.
"""
import re
from contextlib import contextmanager

from pony.orm import db_session

from lib.models import Event, LedgerEntry, Order, User, db
from lib.texts import t
from tests.fakes.telegram import make_callback_update

ANN, BOB = 950001, 950002  # Ann presses buttons in the bot, Bob uses the mini app
NOT_KEPT = {"processed_updates"}  # the bot's record of handled updates, not the customer's data


def text(key, **params) -> str:
    """A customer text in English as Telegram shows it (the plain ones: no HTML tags)."""
    return t("en", key, **params)


def call(shop, user_id, method, path, expect=200, **kw):
    """A mini app request as the page makes it; the response, after checking its status."""
    response = shop.api(user_id, method, path, **kw)
    assert response.status_code == expect, (path, response.status_code, response.get_data(as_text=True)[:300])
    return response


def app_refuses(shop, user_id, method, path, status, key, **kw):
    """The mini app answers `status` with the text `key` (its params filled as the bot fills them)."""
    params = kw.pop("params", {})
    answer = call(shop, user_id, method, path, expect=status, **kw).get_json()
    assert answer["message"] == text(key, **params), answer
    return answer


def bot_refuses(shop, user_id, data, key, **params):
    """A button press (forged when no screen shows it) the bot answers with the text `key`."""
    shop.press(user_id, data)
    said = shop.last_text(user_id)
    assert said == text(key, **params), f"{data} → {said!r}"


def tap(shop, user_id, data, message):
    """A button press Telegram delivered but the shop has not handled yet (its jobs wait)."""
    update = make_callback_update(shop.next_update_id(), user_id, data, message)
    assert shop.post_update(update).status_code == 200


def notices(shop, user_id) -> list:
    """What the chat shows, newest last, with ids and addresses made alike for comparison."""
    return [alike(message) for message in shop.texts(user_id)]


def alike(message: str) -> str:
    message = re.sub(r"#\d+", "#N", message)
    message = re.sub(r"\b\d{1,3}(\.\d{1,3}){3}\b", "IP", message)
    message = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "DATE", message)
    return re.sub(r"(?i)(password: )\S+", r"\1…", message)


def password_in(message: str) -> str:
    return re.search(r"(?i)password: (\S+)", message).group(1)


def _rows(table):
    return db.select(f'SELECT * FROM "{table}" ORDER BY 1')


def database() -> dict:
    """Every row of every table the customers' data lives in."""
    with db_session:
        return {e._table_: [tuple(row) for row in _rows(e._table_)]
                for e in db.entities.values() if e._table_ not in NOT_KEPT}


@contextmanager
def nothing_changes(shop):
    """The block's refusals leave every table as it was (jobs they queue are run first)."""
    shop.run_jobs()
    before = database()
    yield
    shop.run_jobs()
    after = database()
    changed = [table for table in before if before[table] != after[table]]
    assert not changed, f"a refusal changed {changed}"


def money_of(user_id) -> dict:
    """Orders (product, plan, way to pay, status), balance and the ledger's (kind, amount), oldest first."""
    with db_session:
        user = User[user_id]
        orders = Order.select(lambda o: o.user == user).order_by(Order.id)
        ledger = LedgerEntry.select(lambda e: e.user == user).order_by(LedgerEntry.id)
        return {"orders": [(o.product, o.plan_id, o.provider, o.status) for o in orders],
                "balance": user.balance, "ledger": [(e.kind, e.amount) for e in ledger]}


def events_of(user_id) -> list:
    with db_session:
        return sorted(e.name for e in Event.select() if e.data.get("telegram_id") == user_id)


def order_ids(user_id) -> list:
    with db_session:
        return [o.id for o in Order.select(lambda o: o.user.id == user_id).order_by(Order.id)]
