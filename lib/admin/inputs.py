"""Checking what an admin typed (days, amounts, reasons): a value, or Refused with a clear text key."""
import re
from decimal import Decimal

from lib.admin import Refused

MAX_DAYS = 3650
MAX_AMOUNT = Decimal("1000000")
MAX_REASON = 200
_AMOUNT = re.compile(r"^([0-9]{1,9})(?:[.,]([0-9]{1,2}))?(?:\s+(.*))?$", re.S)


def parse_days(text: str) -> int:
    """A number of days, 1..MAX_DAYS."""
    value = (text or "").strip()
    if not re.fullmatch(r"[0-9]{1,9}", value) or not 1 <= int(value) <= MAX_DAYS:
        raise Refused("adm_bad_days", max=MAX_DAYS)
    return int(value)


def parse_amount(text: str) -> tuple:
    """`<amount> <comment>` → (Decimal amount > 0, comment); the comment is required."""
    match = _AMOUNT.match((text or "").strip())
    comment = " ".join((match.group(3) or "").split()) if match else ""
    if not match or not comment:
        raise Refused("adm_bad_amount", max=MAX_AMOUNT)
    amount = Decimal(f"{match.group(1)}.{match.group(2) or '0'}")
    if not Decimal("0.01") <= amount <= MAX_AMOUNT:
        raise Refused("adm_bad_amount", max=MAX_AMOUNT)
    if len(comment) > MAX_REASON:
        raise Refused("adm_too_long", max=MAX_REASON)
    return amount, comment


def parse_reason(text: str) -> str:
    """A ban or unban reason: some words, at most MAX_REASON characters."""
    reason = " ".join((text or "").split())
    if not reason:
        raise Refused("adm_bad_reason")
    if len(reason) > MAX_REASON:
        raise Refused("adm_too_long", max=MAX_REASON)
    return reason
