"""Buying, paying and checking through both doors: the same order, balance, key and events for the customer of the bot
and the customer of the mini app, and the same refusals."""
from datetime import timedelta
from decimal import Decimal

from lib.admin.actions import adjust_balance
from tests.support.doors import (
    ANN,
    BOB,
    alike,
    app_refuses,
    bot_refuses,
    call,
    events_of,
    money_of,
    nothing_changes,
    notices,
    order_ids,
    text,
)
from tests.support.doors_vpn import (
    ADMIN,
    BOUGHT,
    LIVE_KEY,
    app_buys,
    bot_buys,
    bot_orders,
    both_buy,
    both_sign_in,
    conf_sent,
    fits_the_key,
    key_of,
    keys_of,
    open_key,
    outcome,
    shape,
)
from tests.support.invariants import check_invariants


def test_buying_a_key_fulfils_it_on_the_server_and_hands_over_the_same_config(vpn_shop, fake_wg):
    bot_buys(vpn_shop)
    order = app_buys(vpn_shop)
    assert order["status"] == "pending" and order["pay_url"] is None
    assert outcome(ANN, fake_wg) == outcome(BOB, fake_wg) == {
        **BOUGHT, "keys": [LIVE_KEY], "events": ["payment.received", "user.registered", "vpn.created"]}
    assert conf_sent(vpn_shop, ANN)["file_name"] == f"vpn{key_of(ANN)['id']}.conf"
    by_bot = conf_sent(vpn_shop, ANN)["data"].decode()
    by_app = call(vpn_shop, BOB, "get", f"vpn/{key_of(BOB)['id']}/config").get_data(as_text=True)
    assert shape(by_bot) == shape(by_app) and by_bot != by_app
    assert fits_the_key(by_bot, ANN) and fits_the_key(by_app, BOB)
    assert notices(vpn_shop, ANN)[-3:] == notices(vpn_shop, BOB)[-3:]  # the ready notice, the file, the QR code
    check_invariants(lab=fake_wg)


def test_a_plan_not_on_sale_is_refused_alike(vpn_shop, fake_wg):
    both_sign_in(vpn_shop)
    with nothing_changes(vpn_shop):
        bot_refuses(vpn_shop, ANN, "pay:vpn-2m:sb:0", "not_found")
        app_refuses(vpn_shop, BOB, "post", "orders", 400, "not_found",
                    json={"product": "vpn", "plan": "vpn-2m", "provider": "sandbox"})


def test_an_unknown_way_to_pay_is_refused_with_the_same_text(vpn_shop, fake_wg):
    both_sign_in(vpn_shop)
    with nothing_changes(vpn_shop):
        app_refuses(vpn_shop, BOB, "post", "orders", 400, "provider_off",
                    json={"product": "vpn", "plan": "vpn-1m", "provider": "paypal"})
        bot_refuses(vpn_shop, ANN, "pay:vpn-1m:pp:0", "provider_off")


def test_paying_from_the_balance_charges_it_and_fulfils_the_order(vpn_shop, fake_wg):
    both_sign_in(vpn_shop)
    for user in (ANN, BOB):
        adjust_balance(vpn_shop.rt, ADMIN, user, Decimal(500), "welcome bonus")
    bot_orders(vpn_shop, pay="From balance (500 ₽)")
    assert app_buys(vpn_shop, provider="balance")["status"] == "paid"
    assert outcome(ANN, fake_wg) == outcome(BOB, fake_wg) == {
        "orders": [("vpn", "vpn-1m", "balance", "fulfilled")], "balance": Decimal("301.00"),
        "ledger": [("adjustment", Decimal("500.00")), ("purchase", Decimal("-199.00"))],
        "keys": [LIVE_KEY], "events": ["user.registered", "vpn.created"]}
    with nothing_changes(vpn_shop):
        bot_orders(vpn_shop, plan="12 months", pay="From balance (301 ₽)")
        assert vpn_shop.last_text(ANN) == text("insufficient_balance")
        app_refuses(vpn_shop, BOB, "post", "orders", 402, "insufficient_balance",
                    json={"product": "vpn", "plan": "vpn-12m", "provider": "balance"})
    check_invariants(lab=fake_wg)


def test_renewing_moves_the_same_key_one_period_later(vpn_shop, fake_wg):
    keys = both_buy(vpn_shop)
    before = {user: key_of(user) for user in (ANN, BOB)}
    open_key(vpn_shop)
    vpn_shop.click(ANN, "Renew")
    vpn_shop.click(ANN, "1 month")
    vpn_shop.click(ANN, "Sandbox")
    vpn_shop.click(ANN, "Pay in sandbox")
    app_buys(vpn_shop, renew=keys[BOB])
    for user in (ANN, BOB):
        after = key_of(user)
        assert after["expires_at"] - before[user]["expires_at"] == timedelta(days=30)
        assert {**after, "expires_at": None} == {**before[user], "expires_at": None}
    assert outcome(ANN, fake_wg) == outcome(BOB, fake_wg)
    assert money_of(ANN)["orders"] == [("vpn", "vpn-1m", "sandbox", "fulfilled")] * 2
    assert keys_of(ANN, fake_wg) == [{**LIVE_KEY, "days": 60}] and "vpn.renewed" in events_of(ANN)
    assert alike(vpn_shop.last_text(ANN)) == alike(vpn_shop.last_text(BOB))
    assert vpn_shop.last_text(BOB).startswith(f"✅ VPN #{keys[BOB]} renewed")
    with nothing_changes(vpn_shop):
        bot_refuses(vpn_shop, ANN, f"pay:vpn-1m:sb:{keys[BOB]}", "not_found")
        app_refuses(vpn_shop, BOB, "post", "orders", 404, "not_found",
                    json={"product": "vpn", "plan": "vpn-1m", "provider": "sandbox", "renew": keys[ANN]})
    check_invariants(lab=fake_wg)


def test_an_order_shows_and_pays_only_for_its_owner(vpn_shop, fake_wg):
    bot_orders(vpn_shop)
    bob_order = call(vpn_shop, BOB, "post", "orders", 201,
                     json={"product": "vpn", "plan": "vpn-1m", "provider": "sandbox"}).get_json()["order_id"]
    (ann_order,) = order_ids(ANN)
    vpn_shop.press(ANN, f"chk:{ann_order}")
    assert vpn_shop.last_text(ANN) == f"Order #{ann_order}: waiting for payment"
    assert call(vpn_shop, BOB, "get", f"orders/{bob_order}").get_json() == {"order_id": bob_order, "status": "pending"}
    with nothing_changes(vpn_shop):
        for data in (f"chk:{bob_order}", f"sbx:{bob_order}"):
            bot_refuses(vpn_shop, ANN, data, "not_found")
        app_refuses(vpn_shop, BOB, "get", f"orders/{ann_order}", 404, "not_found")
        app_refuses(vpn_shop, BOB, "post", f"orders/{ann_order}/sandbox_pay", 404, "not_found")
    assert money_of(ANN) == money_of(BOB) == {**BOUGHT, "orders": [("vpn", "vpn-1m", "sandbox", "pending")],
                                              "ledger": []}
    vpn_shop.press(ANN, f"sbx:{ann_order}")
    assert call(vpn_shop, BOB, "post", f"orders/{bob_order}/sandbox_pay").get_json()["status"] == "paid"
    vpn_shop.run_jobs()
    assert f"Order #{ann_order}: paid, being set up" in vpn_shop.texts(ANN)
    assert outcome(ANN, fake_wg) == outcome(BOB, fake_wg)
    check_invariants(lab=fake_wg)


def test_a_payment_whose_webhook_was_lost_is_found_when_the_order_is_checked(vpn_shop, fake_wg):
    bot_orders(vpn_shop, pay="Crypto")
    vpn_shop.cryptopay.pay(vpn_shop.cryptopay.invoices[-1]["invoice_id"])  # paid; the webhook never comes
    bob_order = app_buys(vpn_shop, provider="cryptobot")["order_id"]
    vpn_shop.cryptopay.pay(vpn_shop.cryptopay.invoices[-1]["invoice_id"])
    vpn_shop.click(ANN, "Check payment")
    assert f"Order #{order_ids(ANN)[0]}: paid, being set up" in vpn_shop.texts(ANN)
    assert call(vpn_shop, BOB, "get", f"orders/{bob_order}").get_json()["status"] == "paid"
