"""The mini app trusts initData only when Telegram's HMAC holds and it is fresh."""
from datetime import datetime, timedelta

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


def test_init_data_from_the_future_is_refused_beyond_five_minutes_of_clock_skew():
    now = datetime(2026, 1, 1).timestamp()
    assert verify_init_data(make_init_data(TOKEN, 42, auth_date=now + 240), TOKEN, timedelta(hours=1), now)
    with pytest.raises(InitDataError, match="too old"):
        verify_init_data(make_init_data(TOKEN, 42, auth_date=now + 400), TOKEN, timedelta(hours=1), now)


def test_init_data_signed_with_another_bot_token_is_refused():
    now = datetime(2026, 1, 1).timestamp()
    with pytest.raises(InitDataError, match="signature"):
        verify_init_data(make_init_data("654321:another-bot", 42, auth_date=now), TOKEN, timedelta(hours=1), now)
