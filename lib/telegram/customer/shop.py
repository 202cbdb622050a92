"""Buying from the bot: plans → way to pay → payment → check. Each step is one use case."""
from lib.billing import actions as billing
from lib.errors import UserError
from lib.telegram.callbacks import PROVIDERS_BY_CODE, int_arg
from lib.telegram.customer import shop_screens as screens
from lib.telegram.ui import show
from lib.texts import t


def on_buy(bot, rt, user, chat, call, args):
    """VPN plans, for a purchase or (`args[0]`: a key of theirs) a renewal."""
    plans, renew = billing.renewal_plans(rt, user["id"], "vpn", int_arg(args) if args else None)
    if not plans:
        raise UserError("vpn_sales_off")
    show(bot, chat, screens.plans_screen(user["lang"], plans, renew), call)


def on_buy_vps(bot, rt, user, chat, call, args):
    if not rt.settings.vps_enabled:
        raise UserError("product_off")
    plans, renew = billing.renewal_plans(rt, user["id"], "vps", int_arg(args) if args else None)
    show(bot, chat, screens.vps_plans_screen(user["lang"], plans, renew), call)


def on_plan(bot, rt, user, chat, call, args):
    plan = billing.plan_for(rt, args[0] if args else "")
    screen = screens.providers_screen(user["lang"], plan, rt.settings.payment_providers(), user["balance"],
                                      int_arg(args, 1) or 0)
    show(bot, chat, screen, call)


def on_pay(bot, rt, user, chat, call, args):
    code = args[1] if len(args) > 1 else ""
    provider = PROVIDERS_BY_CODE.get(code, code)  # a code we never showed is no way to pay: billing says so
    checkout = billing.buy(rt, user["id"], args[0], provider, renew_id=int_arg(args, 2), language=user["lang"])
    if checkout.status == "paid":
        bot.send_message(chat, t(user["lang"], "payment_received", order_id=checkout.order_id))
        return
    plan = rt.settings.catalog.get(args[0])
    show(bot, chat, screens.payment_screen(user["lang"], checkout.order_id, plan, checkout.pay_url), call)


def on_check(bot, rt, user, chat, call, args):
    order = billing.check_payment(rt, user["id"], int_arg(args) or 0)
    show(bot, chat, screens.order_status_screen(user["lang"], order["id"], order["status"]), call)


def on_sandbox_pay(bot, rt, user, chat, call, args):
    order = billing.pay_in_sandbox(rt, user["id"], int_arg(args) or 0)
    show(bot, chat, screens.order_status_screen(user["lang"], order["id"], order["status"]), call)


ACTIONS = {"buy": on_buy, "vbuy": on_buy_vps, "plan": on_plan, "pay": on_pay, "chk": on_check,
           "sbx": on_sandbox_pay}
