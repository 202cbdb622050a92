"""Admin changes to users and services, each in the caller's transaction with its audit row."""
from datetime import timedelta
from decimal import Decimal

from lib import clock, tasks
from lib.admin.audit import record
from lib.billing.ledger import InsufficientBalance, locked_user, post_entry
from lib.errors import UserError
from lib.models import User, VpnPeer, VpsServer
from lib.models.database import after_commit
from lib.models.subscriptions import set_expiry
from lib.tasks import enqueue
from lib.texts.formats import money

SERVICES = {"vpn": VpnPeer, "vps": VpsServer}
NOT_EXTENDABLE = ("failed", "removing", "deleted")  # gone, or on their way out


def _money(amount) -> str:
    return f"{Decimal(amount):.2f}"


def set_banned(rt, admin_id: int, user_id: int, banned: bool, reason: str) -> dict:
    """Ban or unban a user with a reason; the user is told once it is committed."""
    user = User.get_for_update(id=user_id)
    if user is None:
        raise UserError("adm_user_not_found")
    if banned and user_id in rt.settings.admin_ids:
        raise UserError("adm_cannot_ban_admin")
    if user.banned == banned:
        raise UserError("adm_already_banned" if banned else "adm_not_banned", user_id=user_id)
    user.banned = banned
    entry = record(admin_id, "ban" if banned else "unban", f"user:{user_id}", {"banned": not banned},
                   {"banned": banned, "reason": reason})
    notice = ("adm_ban_notice", {"reason": reason}) if banned else ("adm_unban_notice", {})
    after_commit(enqueue, rt.redis, tasks.NOTIFY_USER, user_id, *notice)
    return {"audit_id": entry.id, "user_id": user_id}


def extendable(kind: str, service_id: int, lock: bool = False):
    """The VPN peer or VPS server, when it exists and may still be extended; else UserError."""
    entity = SERVICES.get(kind)
    service = (entity.get_for_update if lock else entity.get)(id=service_id) if entity else None
    if service is None:
        raise UserError("adm_service_not_found")
    if service.status in NOT_EXTENDABLE:
        raise UserError("adm_not_extendable", status=service.status)
    return service


def extend_service(rt, admin_id: int, kind: str, service_id: int, days: int) -> dict:
    """Move a VPN peer's or a VPS server's expiry `days` later; lifecycle jobs follow the new date."""
    service = extendable(kind, service_id, lock=True)
    before = service.expires_at
    set_expiry(service, before + timedelta(days=days), rt.settings.reminder_offsets)
    entry = record(admin_id, "extend", f"{kind}:{service_id}", {"expires_at": clock.iso(before)},
                   {"expires_at": clock.iso(service.expires_at), "days": days})
    return {"audit_id": entry.id, "user_id": service.user.id, "status": service.status,
            "expires_at": service.expires_at}


def adjust_balance(admin_id: int, user_id: int, amount: Decimal, comment: str) -> dict:
    """Credit (amount > 0) or debit (amount < 0) a balance; a debit never takes it below zero."""
    user = locked_user(user_id)
    if user is None:
        raise UserError("adm_user_not_found")
    before = user.balance
    if before + amount < 0:
        raise UserError("adm_debit_too_much", balance=money(before))
    entry = record(admin_id, "credit" if amount > 0 else "debit", f"user:{user_id}",
                   {"balance": _money(before)}, None)
    try:
        post_entry(user, amount, "adjustment", f"admin:{entry.id}", comment)
    except InsufficientBalance:
        raise UserError("adm_debit_too_much", balance=money(before)) from None
    entry.after = {"balance": _money(user.balance), "amount": _money(amount), "comment": comment}
    return {"audit_id": entry.id, "user_id": user_id, "balance": user.balance}
