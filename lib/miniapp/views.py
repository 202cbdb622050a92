"""The mini app's JSON shapes of what the use cases return (pure)."""
from lib import clock


def _plan_title(rt, plan_id, lang):
    plan = rt.settings.catalog.get(plan_id)
    return plan.title_in(lang) if plan else plan_id


def key_json(rt, key: dict, lang: str) -> dict:
    return {"id": key["id"], "address": key["address"], "status": key["status"], "plan": key["plan_id"],
            "plan_title": _plan_title(rt, key["plan_id"], lang), "expires_at": clock.iso(key["expires_at"]),
            "created_at": clock.iso(key["created_at"])}


def server_json(rt, server: dict, lang: str) -> dict:
    plan = rt.settings.catalog.get(server["plan_id"])
    return {"id": server["id"], "ip": server["ip"], "status": server["status"], "step": server["step"],
            "pending": server["pending"], "plan": server["plan_id"],
            "plan_title": _plan_title(rt, server["plan_id"], lang),
            "cores": plan.cores if plan else None, "memory_mb": plan.memory_mb if plan else None,
            "disk_gb": plan.disk_gb if plan else None, "expires_at": clock.iso(server["expires_at"]),
            "status_checked_at": clock.iso(server["status_checked_at"])}


def plan_json(plan) -> dict:
    return {"id": plan.id, "title": plan.title, "duration": f"{plan.duration_days}d",
            "duration_days": plan.duration_days, "price_rub": str(plan.price_rub),
            "price_usdt": str(plan.price_usdt), **dict(plan.extra)}
