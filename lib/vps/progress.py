"""One chat message per new server, edited through the steps: reserved → … → ready."""
import logging

from telebot.apihelper import ApiTelegramException

from lib.models.database import run_transaction
from lib.models import VpsServer
from lib.texts import t

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


def _load(rt, server_id):
    s = VpsServer[server_id]
    return {"id": s.id, "ip": s.ip, "step": s.step, "plan_id": s.plan_id, "user_id": s.user.id,
            "lang": s.user.language, "message_id": s.progress_message_id,
            "password": rt.box.open(s.password_enc), "ci_user": rt.settings.proxmox.ci_user}


def _remember(server_id, message_id):
    VpsServer[server_id].progress_message_id = message_id


def report_progress(rt, server_id: int) -> None:
    """Show the server's current step to its owner; a chat problem never stops provisioning."""
    if not rt.settings.telegram_enabled:
        return
    from lib.telegram.bot import get_bot
    server = run_transaction(_load, rt, server_id)
    plan = rt.settings.catalog.get(server["plan_id"])
    text = progress_text(server["lang"], server, plan.title_in(server["lang"]) if plan else server["plan_id"])
    bot = get_bot(rt.settings)
    try:
        if server["message_id"]:
            try:
                bot.edit_message_text(text, server["user_id"], server["message_id"])
                return
            except ApiTelegramException as exc:
                if "not modified" in str(exc.description):
                    return
        message = bot.send_message(server["user_id"], text)
        run_transaction(_remember, server_id, message.message_id)
    except ApiTelegramException as exc:
        log.warning("progress of server %s not shown: %s", server_id, exc.description)
