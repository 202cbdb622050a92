"""End to end: /start → buy → pay → a WireGuard peer on a real interface, and a client that connects."""
import pytest
from pony.orm import count, db_session

from lib.models import Event, LedgerEntry, Order, Payment, User, VpnPeer
from tests.support import wgnet

USER = 700001

lab = pytest.fixture(wgnet.wireguard_lab)


def buy_until_pay_button(shop, user_id, provider_label, buy="Buy VPN", plan="1 month", **user):
    shop.send(user_id, "/start", **user)
    shop.click(user_id, buy)
    shop.click(user_id, plan)
    shop.click(user_id, provider_label)


def delivered_config(shop, user_id) -> str:
    documents = shop.telegram.documents(user_id)
    assert documents, f"no config file was sent; chat: {shop.texts(user_id)}"
    assert documents[-1]["file_name"].endswith(".conf")
    return documents[-1]["data"].decode()


def assert_connects(lab, config_text):
    client = lab.connect_client(config_text)
    assert client.ping(lab.server_address, count=3, timeout_s=5), "the issued config does not reach the server"


def test_crypto_pay_purchase_delivers_a_config_that_connects(make_shop, lab):
    shop = make_shop(wg=lab)
    buy_until_pay_button(shop, USER, "Crypto")
    pay_url = shop.link_button(USER, "Pay 199")
    invoice = shop.cryptopay.invoices[-1]
    assert pay_url == invoice["bot_invoice_url"]
    assert invoice["payload"].startswith("order:") and invoice["fiat"] == "RUB" and invoice["amount"] == "199.00"

    body, headers = shop.cryptopay.pay(invoice["invoice_id"])
    response = shop.cryptopay_webhook(body, headers)
    assert response.status_code == 200
    with db_session:  # recorded before the webhook was answered, before any job ran
        assert Order.get(id=int(invoice["payload"].removeprefix("order:"))).status == "paid"
    shop.run_jobs()

    config = delivered_config(shop, USER)
    assert "Your VPN" in " ".join(shop.texts(USER))
    assert shop.telegram.photos(USER), "no QR code was sent"
    peers = lab.peers()
    assert len(peers) == 1
    with db_session:
        peer = VpnPeer.select().first()
        assert peer.status == "active" and peer.order.status == "fulfilled"
        assert peers[0].public_key == peer.public_key
        assert peers[0].allowed_ips == [f"{peer.address}/32"]
        assert peer.private_key_enc not in config and "PrivateKey" in config
        names = sorted(e.name for e in Event.select())
        assert names == ["payment.received", "user.registered", "vpn.created"]
    assert f"PublicKey = {lab.server_public_key}" in config
    assert_connects(lab, config)


def test_yookassa_purchase_delivers_a_config_that_connects(make_shop, lab):
    shop = make_shop(wg=lab)
    buy_until_pay_button(shop, USER, "ЮKassa", buy="Купить VPN", plan="1 месяц",
                         language_code="ru", first_name="Иван")
    assert any("Выберите тариф" in t for t in shop.texts(USER)), "a Russian user sees Russian menus"
    pay_url = shop.link_button(USER, "Оплатить 199")
    payment_id, payment = next(iter(shop.yookassa.payments.items()))
    assert pay_url == payment["confirmation"]["confirmation_url"]
    assert shop.yookassa.idempotence_keys[-1].startswith("shop-order-")

    shop.yookassa.succeed(payment_id)
    assert shop.yookassa_notify(shop.yookassa.notification(payment_id)).status_code == 200
    shop.run_jobs()

    assert_connects(lab, delivered_config(shop, USER))
    with db_session:
        assert count(p for p in Payment) == 1
        user = User[USER]
        assert user.balance == 0 and sum(e.amount for e in LedgerEntry.select()) == 0


def test_my_vpn_shows_the_key_and_pause_takes_it_off_the_server(make_shop, lab):
    shop = make_shop(wg=lab, SANDBOX_PAYMENTS="true")
    buy_until_pay_button(shop, USER, "Sandbox")
    shop.click(USER, "Pay in sandbox")
    assert len(lab.peers()) == 1
    shop.click(USER, "Menu") if shop.telegram.find_button(USER, "Menu") else shop.send(USER, "/start")
    shop.click(USER, "My VPN")
    shop.click(USER, "#1")
    card = shop.last_text(USER)
    assert "active" in card and "Valid until" in card and "Last handshake" in card

    shop.click(USER, "Pause")
    assert lab.peers() == []
    with db_session:
        assert VpnPeer[1].status == "paused" and VpnPeer[1].live_address is not None
    shop.click(USER, "#1") if shop.telegram.find_button(USER, "#1") else None
    shop.send(USER, "/start")
    shop.click(USER, "My VPN")
    shop.click(USER, "#1")
    shop.click(USER, "Resume")
    assert len(lab.peers()) == 1
    shop.click(USER, "Config file")
    assert_connects(lab, delivered_config(shop, USER))
