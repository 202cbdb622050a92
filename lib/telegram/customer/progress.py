"""One chat message per new server, edited through the steps: reserved → … → ready.

jobs.fulfil_order hands `reporter(rt)` to lib.vps.provisioning, which calls it after each step.
"""
import logging

from telebot.apihelper import ApiTelegramException

from lib.telegram.bot import get_bot
from lib.telegram.passwords import hide_later
from lib.texts import t
from lib.vps.progress import progress_of, remember_message

log = logging.getLogger(__name__)
STEPS = ("reserved", "cloning", "configuring", "starting", "ready")


def progress_text(lang: str, server: dict, plan_title: str) -> str:
    if server["step"] == "ready":
        return t(lang, "vps_ready", server_id=server["id"], ip=server["ip"], user=server["ci_user"],
                 password=server["password"])
    lines = [t(lang, "vps_progress_title", server_id=server["id"], plan=plan_title)]
    current = STEPS.index(server["step"]) if server["step"] in STEPS else 0
    for index, step in enumerate(STEPS[:-1]):
        mark = "✅" if index < current or (index == current == 0) else "⏳" if index == current else "▫️"
        lines.append(f"{mark} " + t(lang, f"vps_step_{step}", ip=server["ip"]))
    return "\n".join(lines)


def _hide_password_later(rt, server: dict, message_id: int) -> None:
    if server["step"] == "ready":  # only the last step's text shows the password
        hide_later(rt, server["user_id"], message_id, server["lang"])


def show_progress(rt, server_id: int) -> None:
    """Show the server's current step to its owner; a chat problem never stops provisioning."""
    server = progress_of(rt, server_id)
    plan = rt.settings.catalog.get(server["plan_id"])
    text = progress_text(server["lang"], server, plan.title_in(server["lang"]) if plan else server["plan_id"])
    bot = get_bot(rt.settings)
    try:
        if server["message_id"]:
            try:
                bot.edit_message_text(text, server["user_id"], server["message_id"])
                _hide_password_later(rt, server, server["message_id"])
                return
            except ApiTelegramException as exc:
                if "not modified" in str(exc.description):
                    return
        message = bot.send_message(server["user_id"], text)
        remember_message(server_id, message.message_id)
        _hide_password_later(rt, server, message.message_id)
    except ApiTelegramException as exc:
        log.warning("progress of server %s not shown: %s", server_id, exc.description)


def reporter(rt):
    """The progress callback for provisioning: the chat message when the bot is on, else nothing."""
    if not rt.settings.telegram_enabled:
        return lambda server_id: None
    return lambda server_id: show_progress(rt, server_id)
