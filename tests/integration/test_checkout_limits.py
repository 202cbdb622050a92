"""Checkout under pressure: "pay" tapped again reuses the order and its invoice, a user's pending
orders are capped (MAX_PENDING_ORDERS), and two payments from one balance at once never fail badly."""
import threading
from decimal import Decimal

from pony.orm import count, db_session

from functions.main import app
from lib.admin.actions import adjust_balance
from lib.models import Order, User
from tests.support.doors_vpn import ADMIN, ANN
from tests.support.initdata import auth


def orders_of(user_id) -> list:
    with db_session:
        return [(o.plan_id, o.provider, o.status) for o in Order.select(lambda o: o.user.id == user_id)]


def buy(shop, plan="vpn-1m", provider="cryptobot", user_id=ANN, **extra):
    return shop.api(user_id, "post", "orders", json={"product": "vpn", "plan": plan, "provider": provider, **extra})


def test_paying_again_for_the_same_thing_reuses_the_pending_order_and_its_invoice(vpn_shop):
    first = buy(vpn_shop).get_json()
    again = [buy(vpn_shop).get_json() for _ in range(5)]
    assert {(a["order_id"], a["pay_url"]) for a in again} == {(first["order_id"], first["pay_url"])}
    assert len(vpn_shop.cryptopay.calls("createInvoice")) == 1
    assert buy(vpn_shop, provider="yookassa").get_json()["order_id"] != first["order_id"]  # another way to pay
    assert buy(vpn_shop, plan="vpn-3m").get_json()["order_id"] != first["order_id"]  # another plan
    vpn_shop.send(ANN, "/start")  # the bot's "pay" finds the same order too
    vpn_shop.click(ANN, "Buy VPN")
    vpn_shop.click(ANN, "1 month")
    vpn_shop.click(ANN, "Crypto")
    assert vpn_shop.link_button(ANN, "Pay") == first["pay_url"]
    assert len(orders_of(ANN)) == 3


def test_a_user_with_max_pending_orders_gets_429_with_retry_after(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg, MAX_PENDING_ORDERS="2", SANDBOX_PAYMENTS="true")
    assert buy(shop, plan="vpn-1m").status_code == 201
    assert buy(shop, plan="vpn-3m").status_code == 201
    refused = buy(shop, plan="vpn-12m")
    assert refused.status_code == 429 and refused.get_json()["error"] == "too_many_pending"
    assert 7000 < int(refused.headers["Retry-After"]) <= 7200  # when the oldest unpaid order expires
    assert "2 unpaid orders" in refused.get_json()["message"]
    assert buy(shop, plan="vpn-1m").status_code == 201  # the same thing again is still its own order
    assert buy(shop, plan="vpn-12m", user_id=ANN + 1).status_code == 201  # another customer is not held back
    assert len(shop.cryptopay.calls("createInvoice")) == 3
    shop.send(ANN, "/buy")
    shop.click(ANN, "12 months")
    shop.click(ANN, "Crypto")
    assert shop.last_text(ANN).startswith("You have 2 unpaid orders already")


def test_two_balance_payments_at_once_from_one_account_never_fail_badly(vpn_shop):
    vpn_shop.send(ANN, "/start")
    adjust_balance(vpn_shop.rt, ADMIN, ANN, Decimal("250"), "enough for one month, not two")
    barrier, codes = threading.Barrier(2), []

    def pay():
        client = app.test_client()
        barrier.wait()
        codes.append(client.post("/miniapp_api/api/orders", headers=auth(vpn_shop.settings.bot_token, ANN),
                                 json={"product": "vpn", "plan": "vpn-1m", "provider": "balance"}).status_code)
    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(codes) == [201, 402]  # one paid, the other refused for lack of money
    with db_session:
        assert User[ANN].balance == Decimal("51.00") and count(o for o in Order if o.status == "paid") == 1


def test_two_affordable_balance_payments_at_once_both_succeed(vpn_shop):
    vpn_shop.send(ANN, "/start")
    adjust_balance(vpn_shop.rt, ADMIN, ANN, Decimal("1000"), "enough for both")
    barrier, codes = threading.Barrier(4), []

    def pay(plan):
        client = app.test_client()
        barrier.wait()
        codes.append(client.post("/miniapp_api/api/orders", headers=auth(vpn_shop.settings.bot_token, ANN),
                                 json={"product": "vpn", "plan": plan, "provider": "balance"}).status_code)
    threads = [threading.Thread(target=pay, args=("vpn-1m",)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [201] * 4
    with db_session:
        assert User[ANN].balance == Decimal("1000") - 4 * Decimal("199")
