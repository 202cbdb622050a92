"""How amounts and moments are written in messages (pure)."""
from decimal import Decimal

WHEN = "%Y-%m-%d %H:%M UTC"


def money(amount) -> str:
    """199.00 → '199', 12.50 → '12.50' for messages."""
    amount = Decimal(amount)
    return str(amount.quantize(Decimal(1))) if amount == amount.to_integral() else f"{amount:.2f}"


def when(moment) -> str:
    """A moment as customers read it, or a dash when there is none."""
    return moment.strftime(WHEN) if moment else "—"
