"""Deliver a VPN config (message, config file, QR) to its owner after creation or renewal."""
from lib.runtime import current
from lib.telegram.bot import get_bot
from lib.telegram.customer.delivery import deliver_config
from lib.vpn.delivery import to_deliver


def run(peer_id: int, reason: str = "created") -> str:
    rt = current()
    if not rt.settings.telegram_enabled:
        return "telegram off"
    found = to_deliver(rt, peer_id)
    deliver_config(get_bot(rt.settings), found["lang"], found["user_id"], found["peer"], found["config"], reason)
    return "sent"
