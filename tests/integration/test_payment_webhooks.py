"""Payment webhooks: verified before anything is recorded; repeats and races credit and fulfil once."""
import json
import threading

from pony.orm import count, db_session

from functions.main import app
from lib.models import LedgerEntry, Order, Payment, User, VpnPeer
from tests.support.buying import VPN_USER as USER
from tests.support.buying import pending_order


def counts():
    with db_session:
        return {"payments": count(p for p in Payment), "peers": count(p for p in VpnPeer),
                "ledger": count(e for e in LedgerEntry), "balance": User[USER].balance}


def post_concurrently(path, bodies_and_headers):
    """POST each body at the same moment from its own thread and client; the status codes."""
    barrier = threading.Barrier(len(bodies_and_headers))
    results = [None] * len(bodies_and_headers)

    def send(i, body, headers):
        client = app.test_client()
        barrier.wait()
        results[i] = client.post(path, data=body, headers=headers).status_code
    threads = [threading.Thread(target=send, args=(i, b, h)) for i, (b, h) in enumerate(bodies_and_headers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_three_concurrent_crypto_pay_deliveries_record_one_payment_and_make_one_peer(shop):
    checkout = pending_order(shop, "cryptobot")
    invoice_id = shop.cryptopay.invoices[-1]["invoice_id"]
    body, headers = shop.cryptopay.pay(invoice_id)
    assert post_concurrently("/cryptobot_webhook", [(body, headers)] * 3) == [200, 200, 200]
    again = shop.cryptopay.webhook(invoice_id)  # a later redelivery with a new update_id
    assert shop.cryptopay_webhook(*again).status_code == 200
    with db_session:
        assert Order[checkout.order_id].status == "paid"
    assert counts() == {"payments": 1, "peers": 0, "ledger": 2, "balance": 0}


def test_three_concurrent_yookassa_notifications_record_one_payment(vpn_shop):
    shop = vpn_shop
    checkout = pending_order(shop, "yookassa")
    payment_id = next(iter(shop.yookassa.payments))
    shop.yookassa.succeed(payment_id)
    note = json.dumps(shop.yookassa.notification(payment_id)).encode()
    codes = post_concurrently("/yukassa_webhook", [(note, {"Content-Type": "application/json"})] * 3)
    assert codes == [200, 200, 200]
    shop.run_jobs()
    with db_session:
        assert Order[checkout.order_id].status == "fulfilled"
        assert count(p for p in Payment) == 1


def test_repeated_yookassa_notifications_wait_in_one_check_and_answer_at_once(shop):
    pending_order(shop, "yookassa")
    payment_id = next(iter(shop.yookassa.payments))
    for _ in range(5):
        forged = shop.yookassa.forged_notification(payment_id)  # anyone can post one
        assert shop.yookassa_notify(forged).get_json() == {"ok": True, "queued": "payment"}
    assert shop.yookassa.reads(payment_id) == 0  # the web process never asked YooKassa
    shop.run_jobs()
    assert shop.yookassa.reads(payment_id) == 1


def test_forged_crypto_pay_signature_is_refused_and_nothing_recorded(shop):
    pending_order(shop, "cryptobot")
    body, headers = shop.cryptopay.pay(shop.cryptopay.invoices[-1]["invoice_id"])
    forged = dict(headers, **{"crypto-pay-api-signature": "0" * 64})
    assert shop.cryptopay_webhook(body, forged).status_code == 401
    unsigned = {k: v for k, v in headers.items() if k != "crypto-pay-api-signature"}
    assert shop.cryptopay_webhook(body, unsigned).status_code == 401
    tampered = body.replace(b'"status": "paid"', b'"status": "paid" ')
    assert shop.cryptopay_webhook(tampered, headers).status_code == 401
    assert counts()["payments"] == 0


def test_yookassa_notification_is_trusted_only_after_yookassa_confirms(shop):
    checkout = pending_order(shop, "yookassa")
    payment_id = next(iter(shop.yookassa.payments))
    forged = shop.yookassa.forged_notification(payment_id)  # claims succeeded, YooKassa says pending
    assert shop.yookassa_notify(forged).status_code == 200
    unknown = dict(forged, object=dict(forged["object"], id="2f000000-000f-5000-8000-000000000000"))
    assert shop.yookassa_notify(unknown).status_code == 200
    shop.run_jobs()
    with db_session:
        assert Order[checkout.order_id].status == "pending"
    assert counts()["payments"] == 0


def test_wrong_telegram_secret_is_refused_and_nothing_queued(shop):
    from tests.fakes.telegram import make_message_update
    update = make_message_update(1, USER, "/start")
    assert shop.post_update(update, secret="wrong-secret").status_code == 401
    assert shop.client.post("/telegram_webhook", json=update).status_code == 401
    assert shop.run_jobs() == 0
    assert shop.telegram.messages(USER) == []


def test_repeated_telegram_update_is_handled_once(shop):
    from tests.fakes.telegram import make_message_update
    update = make_message_update(4242, USER, "/start")
    assert shop.post_update(update).status_code == 200
    assert shop.post_update(update).get_json()["duplicate"] is True
    shop.redis.delete("shop:tg:seen:4242")  # Redis forgot: the database still knows
    shop.post_update(update)
    shop.run_jobs()
    assert len(shop.telegram.messages(USER)) == 1
