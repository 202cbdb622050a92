"""Order states and the moves allowed between them; every status change of an order goes through move()."""
from lib import clock

PENDING, PAID, FULFILLED, FAILED, REFUNDED, EXPIRED = (
    "pending", "paid", "fulfilled", "failed", "refunded", "expired")
ALL = (PENDING, PAID, FULFILLED, FAILED, REFUNDED, EXPIRED)
CLOSED = (FAILED, REFUNDED, EXPIRED)

_MOVES = {
    PENDING: {PAID, EXPIRED, FAILED},
    EXPIRED: {PAID},  # a late payment still buys what was ordered
    PAID: {FULFILLED, FAILED, REFUNDED},
    FULFILLED: {REFUNDED},
    FAILED: set(),
    REFUNDED: set(),
}


class TransitionError(ValueError):
    """An order was asked to move where it cannot go."""


def can_move(current: str, target: str) -> bool:
    return target in _MOVES.get(current, set())


def check_move(current: str, target: str) -> None:
    if not can_move(current, target):
        raise TransitionError(f"order cannot go from {current} to {target}")


def accepts_payment(status: str) -> bool:
    """Whether money arriving for an order in this state buys the order (else it goes to the balance)."""
    return can_move(status, PAID)


def move(order, target: str, error: str | None = None) -> None:
    """Move `order` to `target` and stamp when; TransitionError (nothing changed) if the move is illegal."""
    check_move(order.status, target)
    now = clock.now()
    order.status = target
    if target == PAID:
        order.paid_at, order.closed_at = now, None  # a late payment reopens an expired order
    elif target == FULFILLED:
        order.fulfilled_at = now
    else:
        order.closed_at = now
    if error is not None:
        order.error = error[:500]
