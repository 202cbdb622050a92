"""Each VPN and money action once through the bot (Ann) and once through the mini app (Bob): same outcome,
and the same refusal by the same rule. (Servers: test_both_doors_vps.py; helpers: tests/support/doors.py.)"""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from pony.orm import db_session

from lib.admin.actions import adjust_balance
from lib.models import VpnPeer
from lib.vpn.wireguard.keys import public_key_of
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
from tests.support.invariants import check_invariants

ADMIN = 1
BOUGHT = {"orders": [("vpn", "vpn-1m", "sandbox", "fulfilled")], "balance": Decimal("0.00"),
          "ledger": [("payment", Decimal("199.00")), ("purchase", Decimal("-199.00"))]}
LIVE_KEY = {"plan": "vpn-1m", "status": "active", "on_server": True, "days": 30}


@pytest.fixture
def vpn_shop(make_shop, fake_wg):
    return make_shop(wg=fake_wg, SANDBOX_PAYMENTS="true", ADMIN_IDS=str(ADMIN))


def bot_orders(shop, plan="1 month", pay="Sandbox"):
    shop.send(ANN, "/start")
    shop.click(ANN, "Buy VPN")
    shop.click(ANN, plan)
    shop.click(ANN, pay)


def bot_buys(shop):
    bot_orders(shop)
    shop.click(ANN, "Pay in sandbox")


def app_buys(shop, plan="vpn-1m", provider="sandbox", renew=None) -> dict:
    body = {"product": "vpn", "plan": plan, "provider": provider, **({"renew": renew} if renew else {})}
    order = call(shop, BOB, "post", "orders", 201, json=body).get_json()
    if provider == "sandbox":
        call(shop, BOB, "post", f"orders/{order['order_id']}/sandbox_pay")
    shop.run_jobs()
    return order


def both_buy(shop) -> dict:
    bot_buys(shop)
    app_buys(shop)
    return {ANN: key_of(ANN)["id"], BOB: key_of(BOB)["id"]}


def both_sign_in(shop):
    shop.send(ANN, "/start")
    call(shop, BOB, "get", "me")


def open_key(shop):
    shop.send(ANN, "/start")
    shop.click(ANN, "My VPN")
    shop.click(ANN, "until")


def key_of(user_id) -> dict:
    with db_session:
        (peer,) = VpnPeer.select(lambda p: p.user.id == user_id)
        return {"id": peer.id, "public_key": peer.public_key, "address": peer.address, "expires_at": peer.expires_at}


def keys_of(user_id, wg) -> list:
    """The user's keys as they would describe them: plan, status, whether the server has it, days paid."""
    on_server = {peer.public_key: peer.allowed_ips for peer in wg.peers()}
    with db_session:
        return [{"plan": p.plan_id, "status": p.status, "on_server": on_server.get(p.public_key) == [f"{p.address}/32"],
                 "days": round((p.expires_at - p.created_at) / timedelta(days=1))}
                for p in VpnPeer.select(lambda p: p.user.id == user_id).order_by(VpnPeer.id)]


def outcome(user_id, wg) -> dict:
    return {**money_of(user_id), "keys": keys_of(user_id, wg), "events": events_of(user_id)}


def shape(config: str) -> str:
    """The config with what is the customer's own (their keys and address) blanked."""
    return re.sub(r"^(PrivateKey|PresharedKey|Address) = .+$", r"\1 = …", config, flags=re.M)


def fits_the_key(config: str, user_id) -> bool:
    """The config's private key belongs to the user's key on the server, at its address."""
    key = key_of(user_id)
    private = re.search(r"^PrivateKey = (\S+)$", config, re.M).group(1)
    return public_key_of(private) == key["public_key"] and f"Address = {key['address']}/" in config


def conf_sent(shop, user_id) -> dict:
    """The newest .conf file in the user's chat: file_name, data."""
    return shop.telegram.documents(user_id)[-1]


def qr_sent(shop, user_id) -> bytes:
    return shop.telegram.photos(user_id)[-1]["data"]


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


def test_pausing_takes_the_key_off_the_server_and_resuming_puts_it_back(vpn_shop, fake_wg):
    keys = both_buy(vpn_shop)
    open_key(vpn_shop)
    vpn_shop.click(ANN, "Pause")
    assert vpn_shop.last_text(ANN) == text("peer_paused_done", peer_id=keys[ANN])
    assert call(vpn_shop, BOB, "post", f"vpn/{keys[BOB]}/pause").get_json()["peer"]["status"] == "paused"
    vpn_shop.run_jobs()
    assert keys_of(ANN, fake_wg) == keys_of(BOB, fake_wg) == [{**LIVE_KEY, "status": "paused", "on_server": False}]
    assert fake_wg.peers() == []
    with nothing_changes(vpn_shop):
        bot_refuses(vpn_shop, ANN, f"pause:{keys[ANN]}", "peer_not_changeable")
        app_refuses(vpn_shop, BOB, "post", f"vpn/{keys[BOB]}/pause", 409, "peer_not_changeable")
    open_key(vpn_shop)
    vpn_shop.click(ANN, "Resume")
    assert vpn_shop.last_text(ANN) == text("peer_resumed_done", peer_id=keys[ANN])
    assert call(vpn_shop, BOB, "post", f"vpn/{keys[BOB]}/resume").get_json()["peer"]["status"] == "active"
    vpn_shop.run_jobs()
    assert outcome(ANN, fake_wg) == outcome(BOB, fake_wg) == {
        **BOUGHT, "keys": [LIVE_KEY], "events": ["payment.received", "user.registered", "vpn.created"]}
    check_invariants(lab=fake_wg)


def test_the_config_and_its_qr_code_are_the_ones_handed_over_at_purchase(vpn_shop, fake_wg):
    keys = both_buy(vpn_shop)
    at_purchase = {user: (conf_sent(vpn_shop, user)["data"], qr_sent(vpn_shop, user)) for user in keys}
    open_key(vpn_shop)
    vpn_shop.click(ANN, "Config file")
    vpn_shop.click(ANN, "QR code")
    config = call(vpn_shop, BOB, "get", f"vpn/{keys[BOB]}/config")
    qr = call(vpn_shop, BOB, "get", f"vpn/{keys[BOB]}/qr")
    assert (conf_sent(vpn_shop, ANN)["data"], qr_sent(vpn_shop, ANN)) == at_purchase[ANN]
    assert (config.get_data(), qr.get_data()) == at_purchase[BOB] and qr.mimetype == "image/png"
    assert conf_sent(vpn_shop, ANN)["file_name"] == f"vpn{keys[ANN]}.conf"
    assert config.headers["Content-Disposition"] == f'attachment; filename="vpn{keys[BOB]}.conf"'
    assert shape(conf_sent(vpn_shop, ANN)["data"].decode()) == shape(config.get_data(as_text=True))
    files_before = len(vpn_shop.telegram.documents(ANN)), len(vpn_shop.telegram.photos(ANN))
    with nothing_changes(vpn_shop):
        for what in ("cfg", "qr"):
            bot_refuses(vpn_shop, ANN, f"{what}:{keys[BOB]}", "not_found")
        for what in ("config", "qr"):
            app_refuses(vpn_shop, BOB, "get", f"vpn/{keys[ANN]}/{what}", 404, "not_found")
    assert (len(vpn_shop.telegram.documents(ANN)), len(vpn_shop.telegram.photos(ANN))) == files_before


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
