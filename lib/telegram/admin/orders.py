"""Admin work on orders: paid-but-stuck, pending and failed lists, retry, refund to the balance."""
from lib.admin import actions
from lib.telegram.admin import user_screens as screens
from lib.telegram.admin.users import target_id
from lib.telegram.ui import show


def on_orders(bot, rt, user, chat, call, args):
    show(bot, chat, screens.orders(user["lang"], actions.order_lists(rt, user["id"])), call)


def on_order(bot, rt, user, chat, call, args):
    show(bot, chat, screens.order_card(user["lang"], actions.order(rt, user["id"], target_id(args))), call)


def on_retry(bot, rt, user, chat, call, args):
    order_id = target_id(args)
    actions.retry(rt, user["id"], order_id)
    order = actions.order(rt, user["id"], order_id)
    show(bot, chat, screens.done(user["lang"], "adm_retry_queued", order["user_id"], order_id=order_id))


def on_refund(bot, rt, user, chat, call, args):
    show(bot, chat, screens.refund_confirm(user["lang"], actions.order(rt, user["id"], target_id(args))), call)


def on_refund_confirmed(bot, rt, user, chat, call, args):
    order_id = target_id(args)
    actions.refund(rt, user["id"], order_id, "balance")
    order = actions.order(rt, user["id"], order_id)
    show(bot, chat, screens.done(user["lang"], "adm_refund_queued", order["user_id"], order_id=order_id), call)


ACTIONS = {"admo": on_orders, "admord": on_order, "admrt": on_retry, "admrf": on_refund,
           "admrfy": on_refund_confirmed}
