"""Admin work on orders: paid-but-stuck, pending and failed lists, retry, refund to the balance."""
from lib.admin import Refused
from lib.admin import orders as admin_orders
from lib.models.database import run_transaction
from lib.telegram import admin_user_screens as screens
from lib.telegram.admin_users import target_id
from lib.telegram.ui import show


def _order(args) -> dict:
    order = run_transaction(admin_orders.order_facts, target_id(args))
    if order is None:
        raise Refused("adm_order_not_found")
    return order


def on_orders(bot, rt, user, chat, call, args):
    show(bot, chat, screens.orders(user["lang"], run_transaction(admin_orders.attention_lists)), call)


def on_order(bot, rt, user, chat, call, args):
    show(bot, chat, screens.order_card(user["lang"], _order(args)), call)


def on_retry(bot, rt, user, chat, call, args):
    order_id = target_id(args)
    run_transaction(admin_orders.retry_order, rt, user["id"], order_id)
    order = _order(args)
    show(bot, chat, screens.done(user["lang"], "adm_retry_queued", order["user_id"], order_id=order_id))


def on_refund(bot, rt, user, chat, call, args):
    show(bot, chat, screens.refund_confirm(user["lang"], _order(args)), call)


def on_refund_confirmed(bot, rt, user, chat, call, args):
    order_id = target_id(args)
    run_transaction(admin_orders.refund_order, rt, user["id"], order_id)
    order = _order(args)
    show(bot, chat, screens.done(user["lang"], "adm_refund_queued", order["user_id"], order_id=order_id), call)


ACTIONS = {"admo": on_orders, "admord": on_order, "admrt": on_retry, "admrf": on_refund,
           "admrfy": on_refund_confirmed}
