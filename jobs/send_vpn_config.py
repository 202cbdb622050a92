"""Deliver a VPN config (message, .conf file, QR) to its owner after creation or renewal."""
from lib.runtime import current
from lib.telegram.bot import get_bot
from lib.telegram.delivery import deliver_config


def run(peer_id: int, reason: str = "created") -> str:
    rt = current()
    if not rt.settings.telegram_enabled:
        return "telegram off"
    deliver_config(get_bot(rt.settings), rt, peer_id, reason)
    return "sent"
