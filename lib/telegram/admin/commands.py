"""Admin commands typed in the bot."""
from lib.accounts.roles import is_admin
from lib.admin import actions
from lib.texts import t

VIA = ("balance", "provider")


def on_refund_command(bot, rt, user, chat, text) -> bool:
    """`/refund <order id> [balance|provider]`; False when the sender is no admin (not handled)."""
    if not is_admin(rt.settings, user["id"]):
        return False
    parts = text.split()
    via = parts[2] if len(parts) > 2 else "balance"
    if len(parts) < 2 or not parts[1].isdigit() or len(parts[1]) > 18 or via not in VIA:
        bot.send_message(chat, t(user["lang"], "admin_refund_usage"))
        return True
    actions.refund(rt, user["id"], int(parts[1]), via)
    bot.send_message(chat, t(user["lang"], "admin_refund_queued", order_id=parts[1], via=via))
    return True
