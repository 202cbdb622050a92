"""The balance: every change is a ledger entry, unique per (kind, ref), under a row lock."""
from decimal import Decimal

from lib import clock
from lib.models import LedgerEntry, User


class InsufficientBalance(ValueError):
    """The balance does not cover a charge."""


def locked_user(user_id: int) -> User:
    """The user row, locked until the transaction ends (SELECT ... FOR UPDATE on PostgreSQL)."""
    return User.get_for_update(id=user_id)


def post_entry(user: User, amount: Decimal, kind: str, ref: str, comment: str = "") -> LedgerEntry:
    """Change the balance by `amount`; a second entry with the same (kind, ref) fails at commit."""
    amount = Decimal(amount)
    if amount < 0 and user.balance + amount < 0:
        raise InsufficientBalance(f"balance {user.balance} does not cover {-amount}")
    user.balance += amount
    return LedgerEntry(user=user, amount=amount, kind=kind, ref=ref, comment=comment[:256],
                       created_at=clock.now())


def ledger_total(user: User) -> Decimal:
    """Sum of the user's ledger; always equal to user.balance."""
    return sum((e.amount for e in user.ledger), Decimal("0"))
