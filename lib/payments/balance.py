"""Paying from the balance: no outside provider, the order is paid from the ledger as it is created."""
from lib.payments.base import PaymentProvider


class BalanceProvider(PaymentProvider):
    name = "balance"
    settles_now = True
