"""Everything an admin can do, each one function that checks ADMIN_IDS itself (whatever door asked).

Changes are written with their audit row in one transaction (lib.admin.changes, lib.admin.orders).
"""
from lib import clock
from lib.accounts.roles import is_admin
from lib.admin import audit, changes, inputs, orders, servers, stats, users
from lib.errors import UserError
from lib.models import User
from lib.models.database import run_transaction

KINDS = ("vpn", "vps")
VIA = ("balance", "provider")


def require_admin(rt, admin_id: int) -> None:
    if not is_admin(rt.settings, admin_id):
        raise UserError("forbidden", "not_found")


def require_user(rt, admin_id: int, user_id: int) -> int:
    """The id of an existing customer (before asking the admin what to do with them)."""
    require_admin(rt, admin_id)
    if not run_transaction(lambda: User.exists(id=user_id)):
        raise UserError("adm_user_not_found")
    return user_id


def ban(rt, admin_id: int, user_id: int, reason: str, banned: bool = True) -> dict:
    """Ban (or unban) a customer with a reason; they are told once it is committed."""
    require_admin(rt, admin_id)
    return run_transaction(changes.set_banned, rt, admin_id, user_id, banned, inputs.parse_reason(reason))


def check_extendable(rt, admin_id: int, kind: str, service_id: int) -> None:
    """UserError unless the VPN key or server exists and may still be extended."""
    require_admin(rt, admin_id)
    if kind not in KINDS:
        raise UserError("adm_not_found")
    run_transaction(lambda: changes.extendable(kind, service_id) and None)


def extend(rt, admin_id: int, kind: str, service_id: int, days: int) -> dict:
    """Move a key's or a server's expiry `days` later."""
    check_extendable(rt, admin_id, kind, service_id)
    days = inputs.parse_days(str(days))
    return run_transaction(changes.extend_service, rt, admin_id, kind, service_id, days)


def adjust_balance(rt, admin_id: int, user_id: int, amount, comment: str) -> dict:
    """Credit (amount > 0) or debit (amount < 0) a balance with a comment; never below zero."""
    require_admin(rt, admin_id)
    checked, comment = inputs.check_amount(abs(amount)), inputs.parse_reason(comment)
    return run_transaction(changes.adjust_balance, admin_id, user_id, checked if amount > 0 else -checked, comment)


def refund(rt, admin_id: int, order_id: int, via: str = "balance") -> dict:
    """Queue a refund of a paid order to the balance or through its provider."""
    require_admin(rt, admin_id)
    if via not in VIA:
        raise UserError("admin_refund_usage")
    return run_transaction(orders.refund_order, rt, admin_id, order_id, via)


def retry(rt, admin_id: int, order_id: int) -> dict:
    """Queue fulfilment of a paid order again."""
    require_admin(rt, admin_id)
    return run_transaction(orders.retry_order, rt, admin_id, order_id)


def find_user(rt, admin_id: int, query: str) -> int | None:
    """A customer's id from `123456`, `@name` or `name`; None when nobody matches."""
    require_admin(rt, admin_id)
    return run_transaction(users.find_user, query)


def user_card(rt, admin_id: int, user_id: int) -> dict:
    require_admin(rt, admin_id)
    card = run_transaction(users.user_card, user_id)
    if card is None:
        raise UserError("adm_user_not_found")
    return card


def order(rt, admin_id: int, order_id: int) -> dict:
    require_admin(rt, admin_id)
    found = run_transaction(orders.order_facts, order_id)
    if found is None:
        raise UserError("adm_order_not_found")
    return found


def order_lists(rt, admin_id: int) -> dict:
    """Paid but unfulfilled, pending and failed orders."""
    require_admin(rt, admin_id)
    return run_transaction(orders.attention_lists)


def shop_stats(rt, admin_id: int) -> tuple:
    """(overview, the last 30 days) from SQL aggregates."""
    require_admin(rt, admin_id)
    now = clock.now()
    return run_transaction(lambda: (stats.overview(now), stats.daily(now)))


def revenue_chart(rt, admin_id: int) -> tuple:
    """(PNG of the last 30 days, those days)."""
    require_admin(rt, admin_id)
    from lib.admin.chart import revenue_chart_png  # Pillow only when a chart is asked for
    days = run_transaction(lambda: stats.daily(clock.now()))
    return revenue_chart_png(days), days


def server_status(rt, admin_id: int) -> tuple:
    """(Proxmox node and pool, VPN server and its keys), each answering for itself."""
    require_admin(rt, admin_id)
    return servers.proxmox_status(rt), servers.wireguard_status(rt)


def audit_log(rt, admin_id: int, limit: int = 12) -> list:
    require_admin(rt, admin_id)
    return run_transaction(audit.recent, limit)
