"""Admin commands in the bot, checked on the server side against ADMIN_IDS."""
from lib import tasks
from lib.tasks import enqueue
from lib.texts import t


def is_admin(rt, user_id: int) -> bool:
    return user_id in rt.settings.admin_ids


def on_refund_command(bot, rt, user, chat, text) -> bool:
    """`/refund <order id> [balance|provider]`; False when the sender is no admin (not handled)."""
    if not is_admin(rt, user["id"]):
        return False
    parts = text.split()
    via = parts[2] if len(parts) > 2 else "balance"
    if len(parts) < 2 or not parts[1].isdigit() or via not in ("balance", "provider"):
        bot.send_message(chat, t(user["lang"], "admin_refund_usage"))
        return True
    enqueue(rt.redis, tasks.REFUND_ORDER, int(parts[1]), via, f"by admin {user['id']}")
    bot.send_message(chat, t(user["lang"], "admin_refund_queued", order_id=parts[1], via=via))
    return True
