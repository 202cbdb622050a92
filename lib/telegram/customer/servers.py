"""The customer's servers in the bot: list, card with the live state, power, reinstall, password, SSH key."""
from lib.telegram.callbacks import int_arg
from lib.telegram.customer import servers_screens as screens
from lib.telegram.passwords import send_password
from lib.telegram.ui import show
from lib.texts import t
from lib.vps import actions as vps


def on_my_servers(bot, rt, user, chat, call, args):
    show(bot, chat, screens.my_servers_screen(user["lang"], vps.servers(rt, user["id"])), call)


def on_server(bot, rt, user, chat, call, args):
    server = vps.server(rt, user["id"], int_arg(args) or 0, live=True)
    plan = rt.settings.catalog.get(server["plan_id"])
    show(bot, chat, screens.server_screen(user["lang"], server, plan, server["live_status"]), call)


def on_power(bot, rt, user, chat, call, args):
    server = vps.request_power(rt, user["id"], int_arg(args) or 0, args[1] if len(args) > 1 else "")
    bot.send_message(chat, t(user["lang"], "vps_action_queued", server_id=server["id"]))


def on_reinstall(bot, rt, user, chat, call, args):
    server = vps.server(rt, user["id"], int_arg(args) or 0)
    show(bot, chat, screens.reinstall_confirm_screen(user["lang"], server["id"]), call)


def on_reinstall_confirmed(bot, rt, user, chat, call, args):
    server = vps.reinstall(rt, user["id"], int_arg(args) or 0, confirmed=True)
    bot.send_message(chat, t(user["lang"], "vps_action_queued", server_id=server["id"]))


def on_password(bot, rt, user, chat, call, args):
    access = vps.password(rt, user["id"], int_arg(args) or 0)
    send_password(bot, rt, chat, user["lang"], t(user["lang"], "vps_password", server_id=access["id"],
                                                 ip=access["ip"], login=access["user"], password=access["password"]))


def on_ssh_prompt(bot, rt, user, chat, call, args):
    bot.send_message(chat, t(user["lang"], "ssh_key_prompt"))


def on_ssh_key(bot, rt, user, chat, text):
    vps.set_ssh_key(rt, user["id"], text)
    bot.send_message(chat, t(user["lang"], "ssh_key_saved"))


ACTIONS = {"vmy": on_my_servers, "sv": on_server, "pw": on_power, "pwd": on_password, "rein": on_reinstall,
           "reinok": on_reinstall_confirmed, "ssh": on_ssh_prompt}
