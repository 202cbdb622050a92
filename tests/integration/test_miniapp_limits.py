"""The mini app API's limits as a user meets them: requests a minute, fresh initData for secrets, no cached password."""
from datetime import timedelta

from pony.orm import count, db_session

from lib import clock
from lib.models import Order, User
from tests.support.buying import VPS_USER, bought_server
from tests.support.initdata import auth
from tests.support.lifecycle import buy_vpn_in_the_app

ANN, BOB = 900001, 900002
ORDER = {"product": "vpn", "plan": "vpn-1m", "provider": "sandbox"}


def start_of_a_minute():
    """The shop's clock just after a minute begins, so a quick burst of requests falls in one window."""
    clock.advance(timedelta(seconds=60 - clock.epoch() % 60 + 0.1))


def aged(shop, user_id, seconds):
    """The Authorization header of initData that Telegram signed `seconds` ago (negative: from the future)."""
    return {"headers": auth(shop.settings.bot_token, user_id, auth_date=clock.epoch() - seconds)}


def test_more_requests_than_the_limit_a_minute_get_429_until_the_window_ends(make_shop):
    shop = make_shop(MINIAPP_RATE_LIMIT="5", SANDBOX_PAYMENTS="true")
    start_of_a_minute()
    for _ in range(5):
        assert shop.api(ANN, "get", "me").status_code == 200
    refused = shop.api(ANN, "post", "orders", json=ORDER)
    assert refused.status_code == 429
    assert refused.get_json() == {"error": "rate_limited",
                                  "message": f"Too many requests. Please wait {refused.headers['Retry-After']} s "
                                             "and try again."}
    wait = int(refused.headers["Retry-After"])
    assert 50 < wait <= 60  # what is left of the minute the burst began in
    with db_session:
        assert count(o for o in Order) == 0  # the refused order was never read, let alone made
    for _ in range(5):
        assert shop.api(BOB, "get", "me").status_code == 200  # another user counts on their own
    assert shop.api(ANN, "get", "plans").status_code == 429
    clock.advance(timedelta(seconds=wait))
    assert shop.api(ANN, "post", "orders", json=ORDER).status_code == 201


def test_the_default_limit_is_120_a_minute_and_a_russian_user_is_told_in_russian(make_shop):
    shop = make_shop()
    start_of_a_minute()
    ru = {"headers": auth(shop.settings.bot_token, ANN, language="ru")}
    assert all(shop.api(ANN, "get", "plans", **ru).status_code == 200 for _ in range(120))
    refused = shop.api(ANN, "get", "plans", **ru)
    assert refused.status_code == 429
    assert refused.get_json()["message"].startswith("Слишком много запросов.")


def test_the_limit_counts_signed_in_users_only_and_zero_turns_it_off(make_shop):
    shop = make_shop(MINIAPP_RATE_LIMIT="0")
    start_of_a_minute()
    assert all(shop.api(ANN, "get", "plans").status_code == 200 for _ in range(150))
    shop = make_shop(MINIAPP_RATE_LIMIT="2")
    for _ in range(5):  # strangers are refused for who they are, and use up nobody's requests
        assert shop.client.get("/miniapp_api/api/me", headers={"Authorization": "tma nope"}).status_code == 401
        assert shop.client.get("/miniapp_api/").status_code == 200  # the page itself is not an API call
    assert [shop.api(ANN, "get", "me").status_code for _ in range(3)] == [200, 200, 429]


def test_a_key_s_config_and_qr_code_want_init_data_younger_than_an_hour(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg, SANDBOX_PAYMENTS="true")
    buy_vpn_in_the_app(shop, ANN)
    two_hours = aged(shop, ANN, 2 * 3600)
    assert shop.api(ANN, "get", "me", **two_hours).status_code == 200  # MINIAPP_AUTH_TTL (24h) holds elsewhere
    for path in ("vpn/1/config", "vpn/1/qr"):
        refused = shop.api(ANN, "get", path, **two_hours)
        assert refused.status_code == 401
        assert refused.get_json() == {"error": "reopen_required",
                                      "message": "initData is too old for this; reopen the mini app"}
        recent = shop.api(ANN, "get", path, **aged(shop, ANN, 50 * 60))
        assert recent.status_code == 200 and recent.headers["Cache-Control"] == "no-store"
    assert "PrivateKey" in shop.api(ANN, "get", "vpn/1/config").get_data(as_text=True)


def test_a_server_s_password_wants_fresh_init_data_and_is_never_cached(make_shop, fake_proxmox):
    shop, server_id, _ = bought_server(make_shop, fake_proxmox)
    refused = shop.api(VPS_USER, "get", f"vps/{server_id}/password", **aged(shop, VPS_USER, 2 * 3600))
    assert refused.status_code == 401 and refused.get_json()["error"] == "reopen_required"
    shown = shop.api(VPS_USER, "get", f"vps/{server_id}/password")
    assert shown.status_code == 200 and shown.get_json()["password"]
    assert shown.headers["Cache-Control"] == "no-store"


def test_init_data_dated_more_than_a_minute_ahead_is_refused(shop):
    refused = shop.api(ANN, "get", "me", **aged(shop, ANN, -120))
    assert refused.status_code == 401 and refused.get_json()["message"] == "initData is dated in the future"
    with db_session:
        assert count(u for u in User) == 0
    assert shop.api(ANN, "get", "me", **aged(shop, ANN, -30)).status_code == 200  # a little clock skew is fine
