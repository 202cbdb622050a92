"""The customer's VPN keys in the bot: list, card with the last handshake, config, QR, pause/resume."""
from lib.telegram.callbacks import int_arg
from lib.telegram.customer import delivery
from lib.telegram.customer import keys_screens as screens
from lib.telegram.ui import show
from lib.texts import t
from lib.vpn import actions as vpn


def on_my(bot, rt, user, chat, call, args):
    show(bot, chat, screens.my_vpn_screen(user["lang"], vpn.keys(rt, user["id"])), call)


def on_peer(bot, rt, user, chat, call, args):
    peer = vpn.key(rt, user["id"], int_arg(args) or 0, live=True)
    plan = rt.settings.catalog.get(peer["plan_id"])
    title = plan.title_in(user["lang"]) if plan else peer["plan_id"]
    show(bot, chat, screens.peer_screen(user["lang"], peer, title, peer["handshake"]), call)


def on_config(bot, rt, user, chat, call, args, qr=False):
    peer_id = int_arg(args) or 0
    config = vpn.client_config(rt, user["id"], peer_id)
    (delivery.send_config_qr if qr else delivery.send_config_file)(bot, chat, user["lang"], peer_id, config)


def on_pause(bot, rt, user, chat, call, args, paused=True):
    peer = vpn.set_paused(rt, user["id"], int_arg(args) or 0, paused)
    bot.send_message(chat, t(user["lang"], "peer_paused_done" if paused else "peer_resumed_done", peer_id=peer["id"]))


ACTIONS = {"my": on_my, "peer": on_peer, "cfg": on_config, "qr": lambda *a: on_config(*a, qr=True),
           "pause": on_pause, "resume": lambda *a: on_pause(*a, paused=False)}
