"""Buying, paying for and managing VPN keys from the bot. Each action checks ownership itself."""
from lib import clock
from lib.billing.orders import owned_order
from lib.models.database import run_transaction
from lib.models import LedgerEntry, VpnPeer
from lib.payments import PaymentProviderError
from lib.payments.checkout import CheckoutRefused, start_checkout
from lib.payments.confirm import recheck_order
from lib.payments.sandbox import pay_in_sandbox
from lib import tasks
from lib.tasks import enqueue
from lib.telegram import delivery, screens
from lib.telegram.callbacks import PROVIDERS_BY_CODE, int_arg
from lib.telegram.ui import show
from lib.texts import t
from lib.vpn.sync import set_peer_paused, sync_peer, wg_server
from lib.vpn.wireguard.server import WireGuardError


def _say(bot, chat, user, key, **params):
    bot.send_message(chat, t(user["lang"], key, **params))


def plans(rt, user, args):
    renew = int_arg(args) if args else None
    if renew and run_transaction(_owned_peer, renew, user["id"]) is None:
        renew = None
    return screens.plans_screen(user["lang"], rt.settings.catalog.for_product("vpn"), renew)


def _owned_peer(peer_id, user_id):
    peer = VpnPeer.get(id=peer_id)
    if peer is None or peer.user.id != user_id:
        return None
    return {"id": peer.id, "status": peer.status, "address": peer.address, "expires_at": peer.expires_at,
            "plan_id": peer.plan_id, "public_key": peer.public_key}


def on_buy(bot, rt, user, chat, call, args):
    if not rt.settings.vpn_enabled:
        return _say(bot, chat, user, "vpn_sales_off")
    show(bot, chat, plans(rt, user, args), call)


def on_plan(bot, rt, user, chat, call, args):
    plan = rt.settings.catalog.get(args[0] if args else "")
    if plan is None:
        return _say(bot, chat, user, "not_found")
    if not getattr(rt.settings, f"{plan.product}_enabled"):
        return _say(bot, chat, user, "product_off")
    screen = screens.providers_screen(user["lang"], plan, rt.settings.payment_providers(), user["balance"],
                                      int_arg(args, 1) or 0)
    show(bot, chat, screen, call)


def on_pay(bot, rt, user, chat, call, args):
    plan = rt.settings.catalog.get(args[0] if args else "")
    provider = PROVIDERS_BY_CODE.get(args[1] if len(args) > 1 else "")
    if plan is None or provider is None:
        return _say(bot, chat, user, "not_found")
    try:
        checkout = start_checkout(rt, user_id=user["id"], plan=plan, provider=provider,
                                  renew_id=int_arg(args, 2), description=plan.title_in(user["lang"]),
                                  return_url=rt.settings.public_url + "/miniapp_api/")
    except CheckoutRefused as refused:
        return _say(bot, chat, user, refused.reason)
    if checkout.status == "paid":
        return _say(bot, chat, user, "payment_received", order_id=checkout.order_id)
    show(bot, chat, screens.payment_screen(user["lang"], checkout.order_id, plan, checkout.pay_url), call)


def on_check(bot, rt, user, chat, call, args):
    order = run_transaction(owned_order, int_arg(args) or 0, user["id"])
    if order is None:
        return _say(bot, chat, user, "not_found")
    try:
        status = recheck_order(rt, order["id"])
    except PaymentProviderError:
        status = order["status"]
    show(bot, chat, screens.order_status_screen(user["lang"], order["id"], status), call)


def on_sandbox_pay(bot, rt, user, chat, call, args):
    order = run_transaction(owned_order, int_arg(args) or 0, user["id"])
    if order is None or not pay_in_sandbox(rt, order):
        return _say(bot, chat, user, "not_found")
    show(bot, chat, screens.order_status_screen(user["lang"], order["id"], "paid"), call)


def _peers_of(user_id):
    peers = VpnPeer.select(lambda p: p.user.id == user_id and p.status != "failed").order_by(VpnPeer.id)
    return [{"id": p.id, "status": p.status, "expires_at": p.expires_at} for p in peers]


def on_my(bot, rt, user, chat, call, args):
    show(bot, chat, screens.my_vpn_screen(user["lang"], run_transaction(_peers_of, user["id"])), call)


def on_peer(bot, rt, user, chat, call, args):
    peer = run_transaction(_owned_peer, int_arg(args) or 0, user["id"])
    if peer is None:
        return _say(bot, chat, user, "not_found")
    try:
        live = wg_server(rt).peers().get(peer["public_key"])
        handshake = clock.from_epoch(live.latest_handshake) if live and live.latest_handshake else 0
    except WireGuardError:
        handshake = None
    plan = rt.settings.catalog.get(peer["plan_id"])
    title = plan.title_in(user["lang"]) if plan else peer["plan_id"]
    show(bot, chat, screens.peer_screen(user["lang"], peer, title, handshake), call)


def on_config(bot, rt, user, chat, call, args, qr=False):
    peer = run_transaction(_owned_peer, int_arg(args) or 0, user["id"])
    if peer is None or peer["status"] in ("failed", "provisioning"):
        return _say(bot, chat, user, "not_found")
    data = delivery.load_peer_config(rt, peer["id"])
    (delivery.send_config_qr if qr else delivery.send_config_file)(bot, chat, user["lang"], data)


def on_pause(bot, rt, user, chat, call, args, paused=True):
    peer_id = int_arg(args) or 0
    outcome = set_peer_paused(peer_id, user["id"], paused)
    if outcome != "ok":
        return _say(bot, chat, user, "not_found" if outcome == "not_found" else "peer_not_changeable")
    try:
        sync_peer(rt, peer_id)
    except WireGuardError:  # the database holds the wish; a job applies it when wg answers again
        enqueue(rt.redis, tasks.SYNC_PEER, peer_id)
    _say(bot, chat, user, "peer_paused_done" if paused else "peer_resumed_done", peer_id=peer_id)


def _ledger_of(user_id):
    entries = LedgerEntry.select(lambda e: e.user.id == user_id).order_by(lambda e: -e.id)[:10]
    return [{"created_at": e.created_at, "amount": e.amount, "kind": e.kind} for e in entries]


def on_balance(bot, rt, user, chat, call, args):
    show(bot, chat, screens.balance_screen(user["lang"], user["balance"], run_transaction(_ledger_of, user["id"])),
         call)


ACTIONS = {
    "buy": on_buy, "plan": on_plan, "pay": on_pay, "chk": on_check, "sbx": on_sandbox_pay,
    "my": on_my, "peer": on_peer, "cfg": on_config,
    "qr": lambda *a: on_config(*a, qr=True), "pause": on_pause,
    "resume": lambda *a: on_pause(*a, paused=False), "bal": on_balance,
}
