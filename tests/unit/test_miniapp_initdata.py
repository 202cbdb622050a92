"""The mini app trusts initData only when Telegram's HMAC holds and it is fresh."""
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest

from lib.miniapp.auth import InitDataError, sign, verify_init_data
from tests.support.initdata import make_init_data

TOKEN = "123456:TEST-fake-token-for-the-shop-tests"


def test_init_data_rule_and_age():
    now = datetime(2026, 1, 1).timestamp()
    good = make_init_data(TOKEN, 42, auth_date=now - 60)
    assert verify_init_data(good, TOKEN, timedelta(hours=24), now)["id"] == 42
    with pytest.raises(InitDataError, match="too old"):
        verify_init_data(make_init_data(TOKEN, 42, auth_date=now - 90000), TOKEN, timedelta(hours=24), now)
    with pytest.raises(InitDataError, match="signature"):
        verify_init_data(good.replace("Ann", "Bob"), TOKEN, timedelta(hours=24), now)
    assert len(sign({"a": "1"}, TOKEN)) == 64


@pytest.mark.parametrize("init_data, problem", [
    ("", "missing"), ("a" * 8193, "missing"), ("user=%7B%7D&&&", "malformed"),
    ("auth_date=1&user=%7B%22id%22%3A42%7D", "signature"),
])
def test_missing_malformed_or_unsigned_init_data_is_refused(init_data, problem):
    with pytest.raises(InitDataError, match=problem):
        verify_init_data(init_data, TOKEN, timedelta(hours=24), datetime(2026, 1, 1).timestamp())


def test_init_data_from_the_future_is_refused_beyond_a_minute_of_clock_skew():
    now = datetime(2026, 1, 1).timestamp()
    assert verify_init_data(make_init_data(TOKEN, 42, auth_date=now + 60), TOKEN, timedelta(hours=1), now)
    with pytest.raises(InitDataError, match="future"):
        verify_init_data(make_init_data(TOKEN, 42, auth_date=now + 120), TOKEN, timedelta(hours=1), now)


def test_a_route_that_reveals_a_secret_wants_init_data_younger_than_an_hour():
    now = datetime(2026, 1, 1).timestamp()
    recent, old = (make_init_data(TOKEN, 42, auth_date=now - age) for age in (3500, 7200))
    assert verify_init_data(recent, TOKEN, timedelta(hours=24), now, reveals_secret=True)["id"] == 42
    assert verify_init_data(old, TOKEN, timedelta(hours=24), now)["id"] == 42
    with pytest.raises(InitDataError, match="too old for this; reopen the mini app") as refused:
        verify_init_data(old, TOKEN, timedelta(hours=24), now, reveals_secret=True)
    assert refused.value.code == "reopen_required"


def signed(user_json: str, auth_date: float) -> str:
    """initData whose user field is exactly `user_json`, correctly signed: only the content is wrong."""
    fields = {"user": user_json, "auth_date": str(int(auth_date))}
    return urlencode({**fields, "hash": sign(fields, TOKEN)})


@pytest.mark.parametrize("user_json", [
    '{"id": true}', '{"id": 0}', '{"id": -5}', '{"id": 4.0}', '{"id": "42"}', f'{{"id": {10**30}}}',
    f'{{"id": {2**52}}}', '[42]', '42', '{"id": 42, "first_name": "A\\u0000nn"}', '{"id": 42, "username": 7}',
    '{"id": 42, "first_name": "\\ud800"}', '{"id": 42, "username": "' + "u" * 65 + '"}',
    '{"id": 42, "language_code": ["en"]}', "[" * 1300 + "]" * 1300,
], ids=["bool", "zero", "negative", "float", "string", "huge", "past-52-bits", "list", "number", "nul-in-name",
        "int-username", "lone-surrogate", "long-username", "list-language", "deep"])
def test_a_signed_user_that_telegram_would_never_send_is_refused(user_json):
    now = datetime(2026, 1, 1).timestamp()
    with pytest.raises(InitDataError, match="user|lacks"):
        verify_init_data(signed(user_json, now), TOKEN, timedelta(hours=1), now)


def test_the_largest_telegram_id_and_a_plain_profile_pass():
    now = datetime(2026, 1, 1).timestamp()
    user = '{"id": %d, "first_name": "Ann", "username": "ann", "language_code": "en"}' % (2**52 - 1)
    assert verify_init_data(signed(user, now), TOKEN, timedelta(hours=1), now)["id"] == 2**52 - 1


def test_a_non_ascii_hash_is_a_bad_signature_not_a_crash():
    now = datetime(2026, 1, 1).timestamp()
    with pytest.raises(InitDataError, match="signature"):
        verify_init_data(f"auth_date={int(now)}&user=%7B%7D&hash=%C3%A9", TOKEN, timedelta(hours=1), now)


def test_init_data_signed_with_another_bot_token_is_refused():
    now = datetime(2026, 1, 1).timestamp()
    with pytest.raises(InitDataError, match="signature"):
        verify_init_data(make_init_data("654321:another-bot", 42, auth_date=now), TOKEN, timedelta(hours=1), now)
