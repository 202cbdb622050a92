"""What an admin may type (days, amounts, reasons): a value, or UserError with a clear text key (pure)."""
import re
from decimal import Decimal, InvalidOperation

from lib.errors import UserError

MAX_DAYS = 3650
MAX_AMOUNT = Decimal("1000000")
MAX_REASON = 200
_AMOUNT = re.compile(r"^([0-9]{1,9})(?:[.,]([0-9]{1,2}))?(?:\s+(.*))?$", re.S)


def parse_days(text) -> int:
    """A number of days, 1..MAX_DAYS."""
    value = str(text or "").strip()
    if not re.fullmatch(r"[0-9]{1,9}", value) or not 1 <= int(value) <= MAX_DAYS:
        raise UserError("adm_bad_days", max=MAX_DAYS)
    return int(value)


def check_amount(amount) -> Decimal:
    """A positive amount of at most MAX_AMOUNT with kopecks at most."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise UserError("adm_bad_amount", max=MAX_AMOUNT) from None
    if not Decimal("0.01") <= value <= MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise UserError("adm_bad_amount", max=MAX_AMOUNT)
    return value


def parse_reason(text) -> str:
    """A reason or a comment: some words, at most MAX_REASON characters."""
    reason = " ".join(str(text or "").split())
    if not reason:
        raise UserError("adm_bad_reason")
    if len(reason) > MAX_REASON:
        raise UserError("adm_too_long", max=MAX_REASON)
    return reason


def parse_amount(text) -> tuple:
    """`<amount> <comment>` → (Decimal amount > 0, comment); the comment is required."""
    match = _AMOUNT.match(str(text or "").strip())
    comment = " ".join((match.group(3) or "").split()) if match else ""
    if not match or not comment:
        raise UserError("adm_bad_amount", max=MAX_AMOUNT)
    return check_amount(f"{match.group(1)}.{match.group(2) or '0'}"), parse_reason(comment)
