"""Whether a verified payment pays the order it was made for (DESIGN rule 7), decided once (pure).

A payment pays an order only when the provider, the provider's payment id (the invoice or
payment that order itself created), the order id the payment names, the currency and the amount
all match. Anything else pays no order: the money that arrived goes to the balance of the
customer it can be traced to, at its RUB value, and the admins are told what differed.
"""
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

PAY, OVERPAID, TO_BALANCE, MISMATCH = "paid", "overpaid", "to_balance", "mismatch"
KOPECK = Decimal("0.01")


@dataclass(frozen=True)
class OrderTerms:
    """What an order asked its provider to collect."""
    order_id: int
    user_id: int
    amount: Decimal  # in `currency`
    currency: str
    price_rub: Decimal  # what the order costs on the balance
    open: bool  # whether money arriving now still buys it


@dataclass(frozen=True)
class Verdict:
    kind: str  # PAY, OVERPAID, TO_BALANCE or MISMATCH
    differs: str  # for MISMATCH: what differs, "+"-joined: payment_id, payload, currency, amount
    user_id: int | None  # whose balance the money lands on; None: nobody can be named
    credit_rub: Decimal  # what the payment puts on that balance
    terms: OrderTerms | None  # the order it was made for (own) or names

    @property
    def pays_order(self) -> bool:
        return self.kind in (PAY, OVERPAID)

    @property
    def label(self) -> str:
        return f"{MISMATCH}:{self.differs}" if self.kind == MISMATCH else self.kind


def amount_of(text) -> Decimal | None:
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() and value >= 0 else None


def rub_value(amount: Decimal | None, currency: str, terms: OrderTerms | None) -> Decimal:
    """The RUB the money is worth: RUB as it is, the order's own currency at the order's own rate, else 0."""
    if amount is None:
        return Decimal(0)
    if currency == "RUB":
        return amount.quantize(KOPECK, ROUND_DOWN)
    if terms is not None and currency == terms.currency and terms.amount > 0:
        return (amount * terms.price_rub / terms.amount).quantize(KOPECK, ROUND_DOWN)
    return Decimal(0)  # a currency no order of ours priced: the admins decide


def _differs(fact, own: OrderTerms | None, named: OrderTerms | None, paid: Decimal | None) -> str:
    """What differs between the payment and its order, e.g. "payment_id+amount"; "" when nothing does."""
    terms = own or named
    found = [] if own else ["payment_id"]
    if fact.order_id is None or (own is not None and fact.order_id != own.order_id):
        found.append("payload")
    if terms is not None and fact.currency != terms.currency:
        found.append("currency")
    elif terms is not None and (paid is None or paid < terms.amount):
        found.append("amount")
    return "+".join(found)


def judge(fact, own: OrderTerms | None, named: OrderTerms | None) -> Verdict:
    """What `fact` (a paid PaymentFact) means: `own` is the order whose payment id it carries, `named`
    the order its payload names (exact `order:<id>` or our YooKassa metadata)."""
    paid = amount_of(fact.amount)
    differs = _differs(fact, own, named, paid)
    terms = own or named
    user_id = terms.user_id if terms else None
    credit = rub_value(paid, fact.currency, terms)
    if differs:
        return Verdict(MISMATCH, differs, user_id, credit, terms)
    if not own.open:
        return Verdict(TO_BALANCE, "", user_id, credit, own)
    return Verdict(PAY if paid == own.amount else OVERPAID, "", user_id, max(credit, own.price_rub), own)
