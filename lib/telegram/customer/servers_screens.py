"""Screens of the customer's servers (pure)."""
from telebot.types import InlineKeyboardButton as Button

from lib.telegram.callbacks import pack
from lib.telegram.ui import button, keyboard, menu_row
from lib.texts import raw, t
from lib.texts.formats import when


def my_servers_screen(lang, servers):
    if not servers:
        return t(lang, "my_servers_empty"), keyboard([button(lang, "btn_buy_vps", "vbuy")], menu_row(lang))
    rows = [[Button(t(lang, "server_button", server_id=s["id"], ip=s["ip"], status=raw(lang, f"srv_{s['status']}")),
                    callback_data=pack("sv", s["id"]))] for s in servers]
    return t(lang, "my_servers_list"), keyboard(*rows, menu_row(lang))


def server_screen(lang, server, plan, live_status):
    status = live_status or server["status"]
    text = t(lang, "server_card", server_id=server["id"], status=raw(lang, f"srv_{status}"), ip=server["ip"],
             plan=plan.title_in(lang) if plan else server["plan_id"], cores=plan.cores if plan else "?",
             memory=f"{plan.memory_mb / 1024:g}" if plan else "?", disk=plan.disk_gb if plan else "?",
             expires=when(server["expires_at"]))
    sid, rows = server["id"], []
    if status == "running":
        rows.append([button(lang, "btn_stop", "pw", sid, "stop"), button(lang, "btn_reboot", "pw", sid, "reboot")])
    elif status == "stopped":
        rows.append([button(lang, "btn_start", "pw", sid, "start")])
    if status in ("running", "stopped"):
        rows.append([button(lang, "btn_password", "pwd", sid), button(lang, "btn_reinstall", "rein", sid)])
    rows.append([button(lang, "btn_renew", "vbuy", sid), button(lang, "btn_refresh", "sv", sid)])
    rows.append([button(lang, "btn_back", "vmy")])
    return text, keyboard(*rows)


def reinstall_confirm_screen(lang, server_id):
    return t(lang, "reinstall_confirm", server_id=server_id), keyboard(
        [button(lang, "btn_reinstall_yes", "reinok", server_id)], [button(lang, "btn_cancel", "sv", server_id)])
