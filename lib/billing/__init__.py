"""Orders, payments and the balance ledger: the money side of the shop."""
