"""The mini app's JSON API: each handler gets the verified user and answers (status, body)."""
from lib import clock
from lib.billing.orders import owned_order, register_user
from lib.models.database import run_transaction
from lib.miniapp.vps_api import servers_json
from lib.models import User, VpnPeer
from lib.payments.checkout import CheckoutRefused, start_checkout
from lib.payments.sandbox import pay_in_sandbox
from lib import tasks
from lib.tasks import enqueue
from lib.texts import has_text, raw
from lib.vpn.sync import set_peer_paused

REFUSAL_STATUS = {"insufficient_balance": 402, "provider_unavailable": 503, "provider_off": 400,
                  "not_found": 404, "product_off": 409, "plan_mismatch": 409}


class ApiError(Exception):
    """An answer other than success; without a message, the code's text in the customer's language."""

    def __init__(self, status: int, code: str, message: str | None = None):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message

    def text(self, language: str) -> str:
        return self.message or (raw(language, self.code) if has_text(self.code) else self.code)


def _peer_json(rt, peer):
    plan = rt.settings.catalog.get(peer.plan_id)
    return {"id": peer.id, "address": peer.address, "status": peer.status, "plan": peer.plan_id,
            "plan_title": plan.title_in(peer.user.language) if plan else peer.plan_id,
            "expires_at": clock.iso(peer.expires_at), "created_at": clock.iso(peer.created_at)}


def _customer(rt, tg_user):
    user = register_user(rt.redis, tg_user["id"], username=tg_user.get("username"),
                         first_name=tg_user.get("first_name", ""), language_code=tg_user.get("language_code"))
    if user.banned:
        raise ApiError(403, "banned", raw(user.language, "banned"))
    return {"id": user.id, "lang": user.language}


def customer(rt, tg_user) -> dict:
    """The verified Telegram user as our customer (registered on first contact); 403 when banned."""
    return run_transaction(_customer, rt, tg_user)


def _me(rt, customer):
    user = User[customer["id"]]
    peers = VpnPeer.select(lambda p: p.user == user and p.status != "failed").order_by(VpnPeer.id)
    return {"user": {"id": user.id, "first_name": user.first_name, "language": user.language,
                     "balance": f"{user.balance:.2f}", "ssh_key": user.ssh_key},
            "vpn": [_peer_json(rt, p) for p in peers], "vps": servers_json(rt, user)}


def me(rt, customer, body=None):
    return 200, run_transaction(_me, rt, customer)


def plans(rt, customer, body=None):
    def as_json(plan):
        return {"id": plan.id, "title": plan.title, "duration": f"{plan.duration_days}d",
                "duration_days": plan.duration_days, "price_rub": str(plan.price_rub),
                "price_usdt": str(plan.price_usdt), **{k: v for k, v in plan.extra.items()}}
    catalog = rt.settings.catalog
    return 200, {"vpn": [as_json(p) for p in catalog.for_product("vpn")] if rt.settings.vpn_enabled else [],
                 "vps": [as_json(p) for p in catalog.for_product("vps")] if rt.settings.vps_enabled else [],
                 "providers": rt.settings.payment_providers()}


def create_order(rt, customer, body):
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    product, provider = body.get("product"), body.get("provider")
    plan = rt.settings.catalog.get(str(body.get("plan", "")))
    if product not in ("vpn", "vps") or plan is None or plan.product != product:
        raise ApiError(400, "unknown_plan", "product and plan must name a plan of the plans file")
    if not getattr(rt.settings, f"{product}_enabled"):
        raise ApiError(409, "product_off")
    renew = body.get("renew")
    if renew is not None and (not isinstance(renew, (int, str)) or not str(renew).isdigit()):
        raise ApiError(400, "bad_request", "renew must be the id of one of your keys or servers")
    lang = customer["lang"]
    try:
        checkout = start_checkout(rt, user_id=customer["id"], plan=plan, provider=str(provider),
                                  renew_id=int(renew) if renew is not None else None,
                                  description=plan.title_in(lang), return_url=rt.settings.public_url + "/miniapp_api/")
    except CheckoutRefused as refused:
        raise ApiError(REFUSAL_STATUS.get(refused.reason, 400), refused.reason, raw(lang, refused.reason)) from None
    return 201, {"order_id": checkout.order_id, "status": checkout.status, "pay_url": checkout.pay_url}


def _owned_order(order_id, user_id) -> dict:
    order = run_transaction(owned_order, order_id, user_id)
    if order is None:
        raise ApiError(404, "not_found")
    return order


def get_order(rt, customer, body, order_id):
    order = _owned_order(order_id, customer["id"])
    return 200, {"order_id": order["id"], "status": order["status"]}


def sandbox_pay(rt, customer, body, order_id):
    if not pay_in_sandbox(rt, _owned_order(order_id, customer["id"])):
        raise ApiError(404, "not_found")
    return get_order(rt, customer, body, order_id)


def owned_peer(rt, peer_id, user_id):
    """The peer as JSON plus its config text; ApiError 404 unless it is the user's."""
    from lib.vpn.peers import client_config

    def load():
        peer = VpnPeer.get(id=peer_id)
        if peer is None or peer.user.id != user_id or peer.status in ("failed", "provisioning"):
            raise ApiError(404, "not_found")
        return _peer_json(rt, peer), client_config(rt, peer)
    return run_transaction(load)


def pause(rt, customer, body, peer_id, paused=True):
    outcome = set_peer_paused(peer_id, customer["id"], paused)
    if outcome == "not_found":
        raise ApiError(404, "not_found")
    if outcome != "ok":
        raise ApiError(409, "peer_not_changeable")
    enqueue(rt.redis, tasks.SYNC_PEER, peer_id)
    return 200, {"peer": owned_peer(rt, peer_id, customer["id"])[0]}
