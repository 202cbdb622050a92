"""The providers' own documented payloads, fed to the shop's webhooks, do what they say."""
import json
from pathlib import Path

from pony.orm import db_session

from lib.models import Order, Payment
from tests.support.buying import pending_order

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


def test_documented_crypto_pay_invoice_paid_update_pays_the_order(make_shop):
    shop = make_shop(CRYPTOBOT_CURRENCY="USDT")  # the documented invoice is a USDT one
    checkout = pending_order(shop, "cryptobot")
    invoice = shop.cryptopay.invoices[-1]
    update = fixture("cryptopay_invoice_paid.json")
    # The documented shape, for the invoice this order created.
    update["payload"].update(invoice_id=invoice["invoice_id"], payload=f"order:{checkout.order_id}",
                             amount=invoice["amount"], paid_amount=invoice["amount"])
    raw = json.dumps(update).encode()
    headers = {"crypto-pay-api-signature": shop.cryptopay.sign(raw), "Content-Type": "application/json"}
    assert shop.cryptopay_webhook(raw, headers).get_json()["result"] == "paid"
    with db_session:
        assert Order[checkout.order_id].status == "paid"
        payment = Payment.select().first()
        assert (payment.provider_payment_id, payment.paid_amount, payment.paid_currency, payment.verdict) == \
            (str(invoice["invoice_id"]), invoice["amount"], "USDT", "paid")


def test_documented_yookassa_notification_is_checked_against_the_api(vpn_shop):
    shop = vpn_shop
    checkout = pending_order(shop, "yookassa")
    payment_id = next(iter(shop.yookassa.payments))
    note = fixture("yookassa_payment_succeeded.json")
    note["object"]["id"] = payment_id
    assert shop.yookassa_notify(note).get_json() == {"ok": True, "queued": "payment"}
    shop.run_jobs()  # the job re-reads the payment: YooKassa says it is not paid yet
    with db_session:
        assert Order[checkout.order_id].status == "pending"
    shop.yookassa.succeed(payment_id)
    assert shop.yookassa_notify(note).status_code == 200
    shop.run_jobs()
    with db_session:
        assert Order[checkout.order_id].status == "fulfilled"
        assert Payment.get(provider_payment_id=payment_id) is not None


def test_documented_telegram_update_gets_the_main_menu(shop):
    update = fixture("telegram_update_message.json")
    assert shop.post_update(update).status_code == 200
    shop.run_jobs()
    user_id = update["message"]["from"]["id"]
    assert shop.last_text(user_id).startswith("Hi, Test!")
    callback = fixture("telegram_update_callback.json")
    assert shop.post_update(callback).status_code == 200
    shop.run_jobs()
