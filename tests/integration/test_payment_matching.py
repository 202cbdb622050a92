"""A payment pays only its own order (DESIGN rule 7), through the real webhooks and the provider fakes.

"Foreign" payments are made with the shop's own credentials outside its checkout (another app on
the same token, the operator by hand, a leaked key): they carry the right signature, so only the
match against the order they name can tell them apart.
"""
from decimal import Decimal

import pytest
from pony.orm import db_session

from lib.models import LedgerEntry, Order, Payment, User
from lib.models.database import run_transaction
from lib.models.order_states import FAILED, move
from lib.payments.cryptobot import CryptoPayClient
from tests.support.buying import VPN_USER as ANN
from tests.support.buying import pending_order
from tests.support.doors_vpn import ADMIN

BOB = 810002


def foreign_invoice(shop, payload, amount="199.00", asset=None) -> int:
    """An invoice made with the shop's Crypto Pay token outside its checkout; its id."""
    client = CryptoPayClient(shop.cryptopay.token, shop.cryptopay.api_url)
    kind = {"currency_type": "crypto", "asset": asset} if asset else {"currency_type": "fiat", "fiat": "RUB"}
    return client.call("createInvoice", amount=amount, payload=payload, **kind)["invoice_id"]


def pay_invoice(shop, invoice_id, **how) -> dict:
    body, headers = shop.cryptopay.pay(invoice_id, **how)
    response = shop.cryptopay_webhook(body, headers)
    assert response.status_code == 200
    shop.run_jobs()
    return response.get_json()


def payment(provider_payment_id) -> dict:
    with db_session:
        p = Payment.get(provider_payment_id=str(provider_payment_id))
        return {"verdict": p.verdict, "paid": (p.paid_amount, p.paid_currency), "credited": p.amount,
                "expected": (p.expected_amount, p.expected_currency), "user": p.user.id if p.user else None}


def status(order_id) -> str:
    with db_session:
        return Order[order_id].status


def balance(user_id) -> Decimal:
    with db_session:
        return User[user_id].balance


def admin_heard(shop, *words) -> bool:
    return any(all(w in text for w in words) for text in shop.texts(ADMIN))


@pytest.fixture
def order(vpn_shop):
    """Ann's pending 199 ₽ VPN order with its own Crypto Pay invoice."""
    return pending_order(vpn_shop, "cryptobot").order_id


def test_an_invoice_of_the_wrong_amount_naming_the_order_pays_nothing(vpn_shop, order):
    invoice = foreign_invoice(vpn_shop, f"order:{order}", amount="0.01")
    assert pay_invoice(vpn_shop, invoice)["result"] == "mismatch"
    assert status(order) == "pending"
    assert payment(invoice) == {"verdict": "mismatch:payment_id+amount", "paid": ("0.01", "RUB"),
                                "credited": Decimal("0.01"), "expected": ("199.00", "RUB"), "user": ANN}
    assert balance(ANN) == Decimal("0.01")
    assert admin_heard(vpn_shop, str(invoice), "paid 0.01 RUB", f"order #{order} expected 199.00 RUB")
    assert any("did not match order" in text for text in vpn_shop.texts(ANN))


def test_an_invoice_in_another_currency_pays_nothing_and_the_admins_decide(vpn_shop, order):
    invoice = foreign_invoice(vpn_shop, f"order:{order}", amount="199", asset="USDT")
    assert pay_invoice(vpn_shop, invoice)["result"] == "mismatch"
    assert status(order) == "pending"
    assert payment(invoice)["verdict"] == "mismatch:payment_id+currency"
    assert payment(invoice)["credited"] == 0 and balance(ANN) == 0  # no order priced it in USDT: no guessing
    assert admin_heard(vpn_shop, "paid 199 USDT", "expected 199.00 RUB")


def test_a_payment_the_order_did_not_create_does_not_pay_it_even_with_the_right_amount(vpn_shop, order):
    from yookassa import Configuration
    from yookassa import Payment as YooPayment
    yk = vpn_shop.yookassa
    Configuration.configure(yk.shop_id, yk.secret_key, api_url=yk.api_url)
    other = YooPayment.create({"amount": {"value": "199.00", "currency": "RUB"}, "capture": True,
                               "confirmation": {"type": "redirect", "return_url": "https://example.test/"},
                               "metadata": {"order_id": str(order)}}, "made-outside-the-shop").id
    yk.succeed(other)
    assert vpn_shop.yookassa_notify(yk.notification(other)).status_code == 200
    vpn_shop.run_jobs()
    assert status(order) == "pending"
    assert payment(other)["verdict"] == "mismatch:payment_id" and balance(ANN) == Decimal("199.00")
    # The order's own invoice still pays it.
    assert pay_invoice(vpn_shop, vpn_shop.cryptopay.invoices[0]["invoice_id"])["result"] == "paid"
    assert status(order) == "fulfilled" and balance(ANN) == Decimal("199.00")


def test_a_payment_naming_someone_elses_order_leaves_it_unpaid(vpn_shop, order):
    bobs = pending_order(vpn_shop, "cryptobot", user_id=BOB).order_id
    invoice = foreign_invoice(vpn_shop, f"order:{bobs}")
    assert pay_invoice(vpn_shop, invoice)["result"] == "mismatch"
    assert (status(bobs), status(order)) == ("pending", "pending")
    assert payment(invoice)["user"] == BOB  # the money is traced to the order it names, and the admins look
    assert admin_heard(vpn_shop, str(invoice), "payment_id")


@pytest.mark.parametrize("payload", ["{order}", "order:{order} ", "order:0{order}", "Order #{order}"])
def test_a_payload_that_is_not_exactly_order_id_names_nobody(vpn_shop, order, payload):
    invoice = foreign_invoice(vpn_shop, payload.format(order=order))
    assert pay_invoice(vpn_shop, invoice)["result"] == "mismatch"
    assert status(order) == "pending" and balance(ANN) == 0
    assert payment(invoice)["user"] is None and payment(invoice)["verdict"] == "mismatch:payment_id+payload"
    assert admin_heard(vpn_shop, str(invoice), "199.00 RUB")


def test_an_overpayment_fulfils_the_order_and_the_rest_goes_to_the_balance(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg, CRYPTOBOT_CURRENCY="USDT")
    order_id = pending_order(shop, "cryptobot").order_id
    invoice = shop.cryptopay.invoices[-1]
    price_usdt = Decimal(invoice["amount"])
    assert pay_invoice(shop, invoice["invoice_id"], sent=price_usdt * 2)["result"] == "paid"
    assert status(order_id) == "fulfilled"
    assert payment(invoice["invoice_id"])["verdict"] == "overpaid"
    assert balance(ANN) == Decimal("199.00")  # twice the USDT price, at the order's own rate, minus the order
    assert any("more than its price" in text for text in shop.texts(ANN))


def test_money_for_an_order_closed_meanwhile_lands_on_the_balance(vpn_shop, order):
    def close(order_id):
        move(Order[order_id], FAILED, error="closed by the operator")
    run_transaction(close, order)
    assert pay_invoice(vpn_shop, vpn_shop.cryptopay.invoices[-1]["invoice_id"])["result"] == "credited_to_balance"
    assert status(order) == "failed" and balance(ANN) == Decimal("199.00")
    assert any("on your balance" in text for text in vpn_shop.texts(ANN))
    with db_session:
        assert [e.kind for e in LedgerEntry.select()] == ["payment"]
