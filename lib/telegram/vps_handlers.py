"""Buying and running VPS servers from the bot. Every action checks the server is the sender's."""
import re

from lib.models.database import run_transaction
from lib.models import User, VpsServer
from lib.payments.checkout import same_size
from lib import tasks
from lib.tasks import enqueue
from lib.telegram import vps_screens
from lib.telegram.callbacks import int_arg
from lib.telegram.ui import show
from lib.texts import t
from lib.vps.control import owned_server
from lib.vps.proxmox import ProxmoxError

_SSH_KEY = re.compile(r"^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-\S+) [A-Za-z0-9+/]+=* ?[^\n]{0,200}$")
POWER = ("start", "stop", "reboot")


def looks_like_ssh_key(text: str | None) -> bool:
    return bool(text) and text.strip().split(" ", 1)[0] in (
        "ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521")


def _say(bot, chat, user, key, **params):
    bot.send_message(chat, t(user["lang"], key, **params))


def _save_key(user_id, key):
    User[user_id].ssh_key = key


def on_ssh_key(bot, rt, user, chat, text):
    key = " ".join(text.split())
    if len(key) > 4000 or not _SSH_KEY.match(key):
        return _say(bot, chat, user, "ssh_key_invalid")
    run_transaction(_save_key, user["id"], key)
    _say(bot, chat, user, "ssh_key_saved")


def on_ssh_prompt(bot, rt, user, chat, call, args):
    _say(bot, chat, user, "ssh_key_prompt")


def on_buy_vps(bot, rt, user, chat, call, args):
    if not rt.settings.vps_enabled:
        return _say(bot, chat, user, "product_off")
    renew = int_arg(args) if args else None
    server = run_transaction(owned_server, renew, user["id"]) if renew else None
    plans = rt.settings.catalog.for_product("vps")
    if server is not None:  # a renewal keeps the server's size
        plans = [p for p in plans if same_size(rt.settings.catalog.get(server["plan_id"]), p)]
    show(bot, chat, vps_screens.vps_plans_screen(user["lang"], plans, renew if server else None), call)


def _servers_of(user_id):
    servers = VpsServer.select(lambda s: s.user.id == user_id and s.status not in ("failed", "deleted"))
    return [{"id": s.id, "ip": s.ip, "status": s.status} for s in servers.order_by(VpsServer.id)]


def on_my_servers(bot, rt, user, chat, call, args):
    show(bot, chat, vps_screens.my_servers_screen(user["lang"], run_transaction(_servers_of, user["id"])), call)


def _owned(bot, chat, user, args):
    server = run_transaction(owned_server, int_arg(args) or 0, user["id"])
    if server is None:
        _say(bot, chat, user, "not_found")
    return server


def on_server(bot, rt, user, chat, call, args):
    server = _owned(bot, chat, user, args)
    if server is None:
        return
    live = None
    if rt.settings.vps_enabled and server["vmid"] and server["status"] in ("running", "stopped"):
        try:
            from lib.vps.provisioning import proxmox
            live = (proxmox(rt).status(server["vmid"]) or {}).get("status")
        except ProxmoxError:
            live = None  # Proxmox unreachable: show the last known state
    plan = rt.settings.catalog.get(server["plan_id"])
    show(bot, chat, vps_screens.server_screen(user["lang"], server, plan, live), call)


def _queue_action(bot, rt, user, chat, server, action):
    if server["status"] not in ("running", "stopped"):
        return _say(bot, chat, user, "vps_busy", server_id=server["id"])
    enqueue(rt.redis, tasks.VPS_CONTROL, server["id"], action, user["id"])
    _say(bot, chat, user, "vps_action_queued", server_id=server["id"])


def on_power(bot, rt, user, chat, call, args):
    server = _owned(bot, chat, user, args)
    if server is not None and len(args) > 1 and args[1] in POWER:
        _queue_action(bot, rt, user, chat, server, args[1])


def on_reinstall(bot, rt, user, chat, call, args):
    server = _owned(bot, chat, user, args)
    if server is not None:
        show(bot, chat, vps_screens.reinstall_confirm_screen(user["lang"], server["id"]), call)


def on_reinstall_confirmed(bot, rt, user, chat, call, args):
    server = _owned(bot, chat, user, args)
    if server is not None:
        _queue_action(bot, rt, user, chat, server, "reinstall")


def _password(rt, server_id):
    return rt.box.open(VpsServer[server_id].password_enc)


def on_password(bot, rt, user, chat, call, args):
    server = _owned(bot, chat, user, args)
    if server is not None:
        _say(bot, chat, user, "vps_password", server_id=server["id"], ip=server["ip"],
             login=rt.settings.proxmox.ci_user if rt.settings.proxmox else "root",
             password=run_transaction(_password, rt, server["id"]))


ACTIONS = {
    "vbuy": on_buy_vps, "vmy": on_my_servers, "sv": on_server, "pw": on_power, "pwd": on_password,
    "rein": on_reinstall, "reinok": on_reinstall_confirmed, "ssh": on_ssh_prompt,
}
