"""Where an order may go next, as a customer's money would have it, and what move() stamps on the way."""
from datetime import datetime, timedelta, timezone
from itertools import product
from types import SimpleNamespace

import pytest

from lib import clock
from lib.models import order_states as states

# The rules, as someone who sells with orders would state them.
ALLOWED = {
    ("pending", "paid"), ("pending", "expired"), ("pending", "failed"),  # paid, left unpaid, or refused
    ("expired", "paid"),  # a late payment still buys what was ordered
    ("paid", "fulfilled"), ("paid", "failed"), ("paid", "refunded"),
    ("fulfilled", "refunded"),
}  # failed and refunded are final
STATUSES = ("pending", "paid", "fulfilled", "failed", "refunded", "expired")
REFUSED = sorted(set(product(STATUSES, STATUSES)) - ALLOWED)


def order(status, **stamps):
    """A stand-in for an order row: the fields move() reads and writes."""
    return SimpleNamespace(**{"status": status, "paid_at": None, "fulfilled_at": None, "closed_at": None,
                              "error": None, **stamps})


def test_the_state_machine_knows_exactly_the_statuses_orders_have():
    assert set(states.ALL) == set(STATUSES)


@pytest.mark.parametrize("current, target", sorted(ALLOWED))
def test_an_allowed_move_is_allowed(current, target):
    assert states.can_move(current, target)
    states.check_move(current, target)  # no error


@pytest.mark.parametrize("current, target", REFUSED)
def test_every_other_move_is_refused(current, target):
    assert not states.can_move(current, target)
    with pytest.raises(states.TransitionError, match=f"from {current} to {target}"):
        states.check_move(current, target)


def test_an_unknown_status_goes_nowhere():
    assert not states.can_move("archived", "paid") and not states.can_move("pending", "archived")


@pytest.mark.parametrize("status", STATUSES)
def test_money_buys_the_order_only_while_it_waits_for_payment_or_has_just_expired(status):
    assert states.accepts_payment(status) == (status in ("pending", "expired"))


def test_order_state_machine():
    assert states.accepts_payment("pending") and states.accepts_payment("expired")
    assert not states.accepts_payment("paid") and not states.accepts_payment("failed")
    with pytest.raises(states.TransitionError):
        states.check_move("fulfilled", "paid")


def moved_on_the_shop_clock(row, target, **kw):
    """move() after the shop's clock jumped a week ahead; the stamp must come from that clock."""
    clock.advance(timedelta(days=7))
    before = clock.now()
    states.move(row, target, **kw)
    after = clock.now()
    real_now = datetime.now(timezone.utc).replace(tzinfo=None)
    return before, after, real_now


@pytest.mark.parametrize("current, target, stamp", [
    ("pending", "paid", "paid_at"), ("expired", "paid", "paid_at"), ("paid", "fulfilled", "fulfilled_at"),
    ("pending", "expired", "closed_at"), ("pending", "failed", "closed_at"), ("paid", "failed", "closed_at"),
    ("paid", "refunded", "closed_at"), ("fulfilled", "refunded", "closed_at"),
])
def test_move_changes_the_status_and_stamps_when_from_the_shop_clock(current, target, stamp):
    row = order(current)
    before, after, real_now = moved_on_the_shop_clock(row, target)
    assert row.status == target
    assert before <= getattr(row, stamp) <= after
    assert getattr(row, stamp) > real_now + timedelta(days=6)  # lib.clock, not the wall clock
    untouched = {"paid_at", "fulfilled_at", "closed_at"} - {stamp}
    assert all(getattr(row, name) is None for name in untouched)
    assert row.error is None


def test_a_fulfilled_order_keeps_when_it_was_paid():
    paid_at = datetime(2030, 1, 1)
    row = order("paid", paid_at=paid_at)
    states.move(row, "fulfilled")
    assert row.paid_at == paid_at and row.fulfilled_at is not None


def test_a_failure_keeps_its_reason_cut_to_500_characters():
    row = order("paid")
    states.move(row, "failed", error="Proxmox said no. " * 100)
    assert row.status == "failed" and row.error.startswith("Proxmox said no.") and len(row.error) == 500


@pytest.mark.parametrize("current, target", REFUSED)
def test_an_illegal_move_raises_and_changes_nothing(current, target):
    row = order(current, paid_at=datetime(2030, 1, 1))
    row.error = "earlier"
    before = dict(vars(row))
    with pytest.raises(states.TransitionError):
        states.move(row, target, error="should not be written")
    assert vars(row) == before
