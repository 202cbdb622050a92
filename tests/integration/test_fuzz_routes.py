"""Generated requests against every mini app route and every webhook: never a 5xx, never a traceback,
a stranger is refused before their body is read, and a refused request (4xx) changes nothing.

The shop is lived in (a user with a key, a server and orders; a second user; a banned one), so the
generated ids, bodies and initData reach the real handlers and use cases, not only the door.
"""
import json
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pony.orm import db_session

from lib import clock
from lib.miniapp.auth import sign
from lib.miniapp.routes import ROUTES
from lib.models import User, db
from tests.support.buying import rsa_public_key
from tests.support.initdata import make_init_data
from tests.support.lifecycle import buy_vpn_in_the_app

ANN, BOB, BANNED = 910001, 910002, 910003
FUZZ = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# ---- what a request is made of --------------------------------------------------------------

ODD_TEXT = st.sampled_from(["", "\x00", "a\x00b", "\ud800", "\udfff x", "ssh-ed25519 \x00", "٣", "１", "\u202e",
                           "x" * 300])
TEXT = st.text(max_size=20) | ODD_TEXT
NUMBERS = st.integers() | st.integers(min_value=2**31 - 2, max_value=2**31 + 2) | st.just(10**30) | st.floats()
FIELDS = st.sampled_from(["product", "plan", "provider", "renew", "confirm", "ssh_key", "id", "amount"])
JSON = st.recursive(st.none() | st.booleans() | NUMBERS | TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(FIELDS | TEXT, inner, max_size=4),
                    max_leaves=12)
PLAUSIBLE = st.fixed_dictionaries({}, optional={
    "product": st.sampled_from(["vpn", "vps", "balance"]) | JSON,
    "plan": st.sampled_from(["vpn-1m", "vps-start", "vps-pro"]) | JSON,
    "provider": st.sampled_from(["sandbox", "balance", "cryptobot", "yookassa"]) | JSON,
    "renew": st.sampled_from([1, "1", 2, 0, 2**31, "99999999999"]) | JSON,
    "confirm": st.booleans() | JSON,
    "ssh_key": st.just(rsa_public_key("fuzz")) | JSON,
})
DEEP = st.integers(min_value=15, max_value=30000).map(lambda n: b"[" * n + b"]" * n)
RAW = st.sampled_from([b"{", b"nul\x00", b'{"a": 1} trailing', b"\xff\xfe{}", b'"\\ud800"', b"NaN", b"1" * 5000,
                       b'{"plan": "' + b"p" * (70 * 1024) + b'"}'])


def encoded(value, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


PLAUSIBLE_BODY = st.builds(encoded, PLAUSIBLE, st.booleans())  # weighted up: these reach the use cases
BODY = st.one_of(PLAUSIBLE_BODY, PLAUSIBLE_BODY, PLAUSIBLE_BODY, st.none(), st.builds(encoded, JSON, st.booleans()),
                 st.binary(max_size=300), DEEP, RAW)

GROUP = re.compile(r"\(([^()]*)\)")
REAL_IDS = st.sampled_from(["1", "1", "2", "3", "0"])  # ANN's orders 1-2, key 1, server 1; BOB's nothing
ODD_IDS = st.sampled_from([str(2**31 - 1), str(2**31), str(2**63), "9" * 30, "0" * 12 + "1", "1e3", "0x1", "-1",
                           " 1", "1.0", "%D9%A3", "%EF%BC%91", "%00", "..", ""])
IDS = st.one_of(REAL_IDS, REAL_IDS, REAL_IDS, ODD_IDS, st.integers().map(str),
                st.text(max_size=8).map(lambda s: quote(s, safe="")))


def path_of(pattern: str):
    """Paths shaped like a route's pattern, each group (an id, or one of some words) filled with odd values too."""
    parts = GROUP.split(pattern)
    pieces = [st.just(part) if i % 2 == 0 else IDS if re.fullmatch(part, "7") else
              st.sampled_from(part.split("|")) | st.text(max_size=8).map(lambda s: quote(s, safe=""))
              for i, part in enumerate(parts)]
    return st.tuples(*pieces).map("".join)


ROUTE = st.sampled_from(ROUTES).flatmap(lambda r: st.tuples(
    st.sampled_from([r[0]] * 8 + ["GET", "POST", "PUT", "DELETE"]), path_of(r[1]).map("/miniapp_api/api/".__add__)))
PAGE = st.tuples(st.sampled_from(["GET", "POST"]), st.sampled_from(["/miniapp_api/", "/miniapp_api/index.html",
                                                                    "/miniapp_api/api/", "/miniapp_api/other"]))

HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60)
SIGNED_IN = ("ann", "bob", "banned", "two-hours-old")  # accepted initData (a secret route refuses the last one)
AUTH = st.sampled_from(["ann"] * 6 + [*SIGNED_IN, "none", "stale", "future", "other-bot", "odd-user", "garbage",
                                      "bearer"])
ODD_USER = st.fixed_dictionaries({"id": st.integers(max_value=0) | st.integers(min_value=2**52) | st.booleans()
                                  | st.floats() | TEXT | st.none()},
                                 optional={"first_name": JSON, "username": JSON, "language_code": JSON})


def init_data_header(shop, kind: str, odd_user: dict, garbage: str) -> dict:
    """The Authorization header of one kind, signed now (the shop's clock moves between examples)."""
    token, now = shop.settings.bot_token, clock.epoch()
    made = {"ann": (ANN, now), "bob": (BOB, now), "banned": (BANNED, now), "two-hours-old": (ANN, now - 7200),
            "stale": (ANN, now - 25 * 3600), "future": (ANN, now + 120)}
    if kind in made:
        return {"Authorization": "tma " + make_init_data(token, made[kind][0], auth_date=made[kind][1])}
    if kind == "other-bot":
        return {"Authorization": "tma " + make_init_data("654321:another-bot", ANN)}
    if kind == "odd-user":
        fields = {"user": json.dumps(odd_user), "auth_date": str(int(now))}
        return {"Authorization": "tma " + "&".join(f"{k}={quote(v)}" for k, v in fields.items())
                + "&hash=" + sign(fields, token)}
    if kind == "garbage":
        return {"Authorization": "tma " + garbage}
    if kind == "bearer":
        return {"Authorization": "Bearer " + make_init_data(token, ANN)}
    return {}


# ---- the shop, and what "changed nothing" means ------------------------------------------

def everything() -> str:
    """Every row of every table, in one round trip (a few thousand requests compare it twice each)."""
    tables = [entity._table_ for entity in db.entities.values()]
    query = "SELECT " + ", ".join(f"(SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' "
                                  f"ORDER BY t::text)), '') FROM \"{table}\" t)" for table in tables)
    with db_session:
        return repr(db.select(query))


@pytest.fixture
def lived_in(make_shop, fake_wg, fake_proxmox):
    """ANN has a VPN key (peer 1), a server (1) and paid orders; BOB has nothing; BANNED is banned."""
    shop = make_shop(wg=fake_wg, proxmox=fake_proxmox, SANDBOX_PAYMENTS="true", MINIAPP_RATE_LIMIT="0")
    buy_vpn_in_the_app(shop, ANN)
    order = shop.api(ANN, "post", "orders", json={"product": "vps", "plan": "vps-start", "provider": "sandbox"})
    assert shop.api(ANN, "post", f"orders/{order.get_json()['order_id']}/sandbox_pay").status_code == 200
    shop.run_jobs()
    for user in (BOB, BANNED):
        assert shop.api(user, "get", "me").status_code == 200
    with db_session:
        User[BANNED].banned = True
    assert shop.api(ANN, "get", "me").get_json()["vps"][0]["status"] == "running"
    return shop


def check(shop, method, path, body, headers, before):
    answer = shop.client.open(path, method=method, data=body, headers=headers, content_type="application/json")
    text = answer.get_data()
    event(f"answered {answer.status_code}")  # pytest --hypothesis-show-statistics shows how deep requests got
    assert answer.status_code < 500, (answer.status_code, text[:300])
    assert b"Traceback" not in text
    if 400 <= answer.status_code < 500:
        assert everything() == before, f"{method} {path} answered {answer.status_code} but changed the database"
    return answer


# ---- the properties ------------------------------------------------------------------------

@settings(FUZZ, max_examples=3000)
@given(request=st.one_of(ROUTE, ROUTE, ROUTE, ROUTE, PAGE), body=BODY, kind=AUTH, odd_user=ODD_USER,
       garbage=HEADER_TEXT)
def test_every_mini_app_route_answers_generated_requests_without_a_5xx(lived_in, request, body, kind, odd_user,
                                                                       garbage):
    method, path = request
    answer = check(lived_in, method, path, body, init_data_header(lived_in, kind, odd_user, garbage), everything())
    if kind not in SIGNED_IN and path.startswith("/miniapp_api/api/"):
        # A stranger learns nothing from a body: no 400 about it, no 429, no data.
        assert answer.status_code in (401, 404, 405, 413), (answer.status_code, answer.get_data()[:300])


WEBHOOK = st.sampled_from(["/telegram_webhook", "/cryptobot_webhook", "/yukassa_webhook", "/cron_tick"])
UPDATE = st.fixed_dictionaries({"update_id": st.integers(min_value=0, max_value=2**40) | JSON}, optional={
    "message": JSON, "callback_query": JSON, "pre_checkout_query": JSON})
NOTICE = st.fixed_dictionaries({"event": st.sampled_from(["payment.succeeded", "refund.succeeded"]) | JSON,
                                "object": st.fixed_dictionaries({"id": TEXT | JSON}) | JSON})
HOOK_BODY = BODY | st.builds(encoded, UPDATE | NOTICE, st.booleans())


@settings(FUZZ, max_examples=1500)
@given(path=WEBHOOK, method=st.sampled_from(["POST"] * 5 + ["GET", "PUT"]), body=HOOK_BODY,
       right_secret=st.booleans(), noise=HEADER_TEXT)
def test_every_webhook_answers_generated_requests_without_a_5xx(lived_in, path, method, body, right_secret, noise):
    secret = lived_in.settings.telegram_webhook_secret if right_secret else noise
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "crypto-pay-api-signature": noise,
               "Authorization": "Bearer " + noise}
    answer = check(lived_in, method, path, body, headers, everything())
    if path in ("/cryptobot_webhook", "/cron_tick"):  # their callers prove who they are before anything is read
        assert answer.status_code in (401, 405, 413), answer.get_data()[:300]
