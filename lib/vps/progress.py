"""What a new server's progress message shows, and which chat message shows it (read by the bot)."""
from lib.models import VpsServer
from lib.models.database import run_transaction


def _load(rt, server_id):
    s = VpsServer[server_id]
    return {"id": s.id, "ip": s.ip, "step": s.step, "plan_id": s.plan_id, "user_id": s.user.id,
            "lang": s.user.language, "message_id": s.progress_message_id,
            "password": rt.box.open(s.password_enc), "ci_user": rt.settings.proxmox.ci_user}


def progress_of(rt, server_id: int) -> dict:
    """The server's step, address and (once ready) login, with its owner's chat and language."""
    return run_transaction(_load, rt, server_id)


def remember_message(server_id: int, message_id: int) -> None:
    """The chat message that shows this server's progress, edited from now on."""
    def store():
        VpsServer[server_id].progress_message_id = message_id
    run_transaction(store)
