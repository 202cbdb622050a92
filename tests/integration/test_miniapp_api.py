"""The mini app JSON API: initData checked, own things only, orders like the bot makes them."""
from urllib.parse import parse_qsl, urlencode

from pony.orm import count, db_session

from lib import clock
from lib.models import Order, User
from tests.support.initdata import make_init_data
from tests.support.lifecycle import buy_vpn_in_the_app

ANN, BOB = 900001, 900002


def test_me_registers_the_user_and_plans_list_the_plans_file(shop):
    me = shop.api(ANN, "get", "me")
    assert me.status_code == 200
    assert me.get_json() == {"user": {"id": ANN, "first_name": "Ann", "language": "en", "balance": "0.00",
                                      "ssh_key": None},
                             "vpn": [], "vps": []}
    plans = shop.api(ANN, "get", "plans").get_json()
    assert [p["id"] for p in plans["vpn"]] == ["vpn-1m", "vpn-3m", "vpn-6m", "vpn-12m"]
    assert plans["vpn"][0] == {"id": "vpn-1m", "title": {"ru": "VPN на 1 месяц", "en": "VPN, 1 month"},
                               "duration": "30d", "duration_days": 30, "price_rub": "199", "price_usdt": "2.5"}
    assert plans["providers"] == ["cryptobot", "yookassa", "balance"]


def test_stale_or_tampered_init_data_is_refused_and_records_nothing(shop):
    token = shop.settings.bot_token
    stale = make_init_data(token, ANN, auth_date=clock.epoch() - 25 * 3600)
    fields = dict(parse_qsl(make_init_data(token, ANN)))
    fields["user"] = fields["user"].replace(str(ANN), str(BOB))
    forged_by_other_bot = make_init_data("999:AAother-bot-token-xxxxxxxxxxxx", ANN)
    for init_data in (stale, urlencode(fields), forged_by_other_bot):
        response = shop.client.get("/miniapp_api/api/me", headers={"Authorization": f"tma {init_data}"})
        assert response.status_code == 401
    with db_session:
        assert count(u for u in User) == 0


def test_orders_through_each_provider(shop):
    crypto = shop.api(ANN, "post", "orders", json={"product": "vpn", "plan": "vpn-3m", "provider": "cryptobot"})
    assert crypto.status_code == 201
    assert crypto.get_json()["pay_url"] == shop.cryptopay.invoices[-1]["bot_invoice_url"]
    assert shop.cryptopay.invoices[-1]["amount"] == "549.00"
    card = shop.api(ANN, "post", "orders", json={"product": "vpn", "plan": "vpn-1m", "provider": "yookassa"})
    assert card.get_json()["pay_url"].startswith("http")
    broke = shop.api(ANN, "post", "orders", json={"product": "vpn", "plan": "vpn-1m", "provider": "balance"})
    assert broke.status_code == 402 and broke.get_json()["error"] == "insufficient_balance"
    for bad in ({"product": "vpn", "plan": "nope", "provider": "cryptobot"},
                {"product": "vps", "plan": "vpn-1m", "provider": "cryptobot"},
                {"product": "vpn", "plan": "vpn-1m", "provider": "sandbox"},
                {"product": "vpn", "plan": "vpn-1m", "provider": "cryptobot", "renew": "x"},
                ["not", "an", "object"]):
        assert shop.api(ANN, "post", "orders", json=bad).status_code in (400, 404, 409)
    with db_session:
        assert count(o for o in Order) == 2


def test_pause_and_resume_from_the_mini_app_change_the_server(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg, SANDBOX_PAYMENTS="true")
    buy_vpn_in_the_app(shop, ANN)
    paused = shop.api(ANN, "post", "vpn/1/pause")
    assert paused.status_code == 200 and paused.get_json()["peer"]["status"] == "paused"
    shop.run_jobs()
    assert fake_wg.peers() == []
    assert shop.api(ANN, "post", "vpn/1/pause").status_code == 409
    assert shop.api(ANN, "post", "vpn/1/resume").get_json()["peer"]["status"] == "active"
    shop.run_jobs()
    assert len(fake_wg.peers()) == 1


def test_renewal_adds_a_period_to_the_same_key(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg, SANDBOX_PAYMENTS="true")
    buy_vpn_in_the_app(shop, ANN)
    first = shop.api(ANN, "get", "me").get_json()["vpn"][0]["expires_at"]
    for _ in range(2):
        created = shop.api(ANN, "post", "orders", json={"product": "vpn", "plan": "vpn-1m", "provider": "sandbox",
                                                     "renew": 1}).get_json()
        shop.api(ANN, "post", f"orders/{created['order_id']}/sandbox_pay")
        shop.run_jobs()
    me = shop.api(ANN, "get", "me").get_json()
    assert len(me["vpn"]) == 1 and len(fake_wg.peers()) == 1
    from datetime import datetime
    gained = datetime.fromisoformat(me["vpn"][0]["expires_at"][:-1]) - datetime.fromisoformat(first[:-1])
    assert gained.days == 60


def test_banned_user_gets_403(shop):
    shop.api(ANN, "get", "me")
    with db_session:
        User[ANN].banned = True
    response = shop.api(ANN, "get", "me")
    assert response.status_code == 403 and response.get_json()["error"] == "banned"
