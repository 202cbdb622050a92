"""Whether a payment pays its order (DESIGN rule 7): every way a payment can differ from its order."""
from decimal import Decimal

import pytest

from lib.billing.matching import MISMATCH, OVERPAID, PAY, TO_BALANCE, OrderTerms, judge
from lib.payments import PAID, PaymentFact

ANN, BOB = 1, 2
RUB_ORDER = OrderTerms(order_id=10, user_id=ANN, amount=Decimal("1790.00"), currency="RUB",
                       price_rub=Decimal("1790.00"), open=True)
ANNS_OTHER = OrderTerms(11, ANN, Decimal("199.00"), "RUB", Decimal("199.00"), True)
BOBS_ORDER = OrderTerms(20, BOB, Decimal("199.00"), "RUB", Decimal("199.00"), True)
USDT_ORDER = OrderTerms(30, ANN, Decimal("2.50"), "USDT", Decimal("199.00"), True)


def paid(order_id=10, amount="1790.00", currency="RUB"):
    return PaymentFact("cryptobot", "inv-1", order_id, amount, currency, PAID)


def test_a_payment_that_matches_its_own_order_in_everything_pays_it():
    verdict = judge(paid(), RUB_ORDER, RUB_ORDER)
    assert (verdict.kind, verdict.user_id, verdict.credit_rub, verdict.pays_order) == (PAY, ANN, Decimal("1790.00"), True)


@pytest.mark.parametrize("fact, own, named, differs, credit", [
    (paid(amount="0.01"), RUB_ORDER, RUB_ORDER, "amount", "0.01"),  # too little
    (paid(amount="1790.00", currency="USDT"), RUB_ORDER, RUB_ORDER, "currency", "0"),  # no order priced it in USDT
    (paid(order_id=11), RUB_ORDER, ANNS_OTHER, "payload", "1790.00"),  # another order's payment id
    (paid(order_id=20), RUB_ORDER, BOBS_ORDER, "payload", "1790.00"),  # someone else's order: Ann's money
    (paid(order_id=None), RUB_ORDER, None, "payload", "1790.00"),  # a bare or foreign payload
    (paid(order_id=10, amount="0.01"), None, RUB_ORDER, "payment_id+amount", "0.01"),  # an invoice no order made
    (paid(order_id=None, amount="5"), None, None, "payment_id+payload", "5.00"),
    (paid(amount="abc"), RUB_ORDER, RUB_ORDER, "amount", "0"),
])
def test_a_payment_that_differs_pays_nothing_and_its_money_goes_to_the_balance(fact, own, named, differs, credit):
    verdict = judge(fact, own, named)
    assert (verdict.kind, verdict.differs, verdict.credit_rub, verdict.pays_order) == \
        (MISMATCH, differs, Decimal(credit), False)
    assert verdict.label == f"mismatch:{differs}"
    assert verdict.user_id == ((own or named).user_id if (own or named) else None)


def test_an_overpayment_pays_the_order_and_the_rest_is_credited():
    verdict = judge(paid(amount="2000.00"), RUB_ORDER, RUB_ORDER)
    assert (verdict.kind, verdict.credit_rub, verdict.pays_order) == (OVERPAID, Decimal("2000.00"), True)


def test_money_for_an_order_that_no_longer_takes_payment_goes_to_the_balance():
    closed = OrderTerms(10, ANN, Decimal("1790.00"), "RUB", Decimal("1790.00"), open=False)
    verdict = judge(paid(), closed, closed)
    assert (verdict.kind, verdict.credit_rub, verdict.pays_order) == (TO_BALANCE, Decimal("1790.00"), False)


def test_a_usdt_payment_is_worth_rub_at_the_orders_own_rate():
    exact = judge(paid(order_id=30, amount="2.50", currency="USDT"), USDT_ORDER, USDT_ORDER)
    assert (exact.kind, exact.credit_rub) == (PAY, Decimal("199.00"))
    short = judge(paid(order_id=30, amount="1.25", currency="USDT"), USDT_ORDER, USDT_ORDER)
    assert (short.kind, short.differs, short.credit_rub) == (MISMATCH, "amount", Decimal("99.50"))
