"""Screens of the VPS part of the bot: (text, inline keyboard), no I/O."""
from telebot.types import InlineKeyboardButton as Button
from telebot.types import InlineKeyboardMarkup

from lib.billing.orders import order_amount_text as money
from lib.telegram.callbacks import pack
from lib.telegram.screens import when
from lib.texts import raw, t


def _keyboard(*rows):
    markup = InlineKeyboardMarkup()
    for row in rows:
        markup.row(*row)
    return markup


def _menu(lang):
    return [Button(raw(lang, "btn_menu"), callback_data=pack("m"))]


def vps_plans_screen(lang, plans, renew_server_id=None):
    rows = [[Button(t(lang, "vps_plan_button", title=p.title_in(lang), cores=p.cores,
                      memory=f"{p.memory_mb / 1024:g}", disk=p.disk_gb, price=money(p.price_rub)),
                    callback_data=pack("plan", p.id, renew_server_id or 0))] for p in plans]
    back = [Button(raw(lang, "btn_back"), callback_data=pack("sv", renew_server_id))] if renew_server_id \
        else _menu(lang)
    text = t(lang, "vps_renew_choose_plan", server_id=renew_server_id) if renew_server_id \
        else t(lang, "choose_vps_plan")
    return text, _keyboard(*rows, back, [Button(raw(lang, "btn_ssh_key"), callback_data=pack("ssh"))])


def my_servers_screen(lang, servers):
    if not servers:
        return t(lang, "my_servers_empty"), _keyboard(
            [Button(raw(lang, "btn_buy_vps"), callback_data=pack("vbuy"))], _menu(lang))
    rows = [[Button(t(lang, "server_button", server_id=s["id"], ip=s["ip"], status=raw(lang, f"srv_{s['status']}")),
                    callback_data=pack("sv", s["id"]))] for s in servers]
    return t(lang, "my_servers_list"), _keyboard(*rows, _menu(lang))


def server_screen(lang, server, plan, live_status):
    status = live_status or server["status"]
    text = t(lang, "server_card", server_id=server["id"], status=raw(lang, f"srv_{status}"), ip=server["ip"],
             plan=plan.title_in(lang) if plan else server["plan_id"], cores=plan.cores if plan else "?",
             memory=f"{plan.memory_mb / 1024:g}" if plan else "?", disk=plan.disk_gb if plan else "?",
             expires=when(server["expires_at"]))
    sid, rows = server["id"], []
    if status == "running":
        rows.append([Button(raw(lang, "btn_stop"), callback_data=pack("pw", sid, "stop")),
                     Button(raw(lang, "btn_reboot"), callback_data=pack("pw", sid, "reboot"))])
    elif status == "stopped":
        rows.append([Button(raw(lang, "btn_start"), callback_data=pack("pw", sid, "start"))])
    if status in ("running", "stopped"):
        rows.append([Button(raw(lang, "btn_password"), callback_data=pack("pwd", sid)),
                     Button(raw(lang, "btn_reinstall"), callback_data=pack("rein", sid))])
    rows.append([Button(raw(lang, "btn_renew"), callback_data=pack("vbuy", sid)),
                 Button(raw(lang, "btn_refresh"), callback_data=pack("sv", sid))])
    rows.append([Button(raw(lang, "btn_back"), callback_data=pack("vmy"))])
    return text, _keyboard(*rows)


def reinstall_confirm_screen(lang, server_id):
    return t(lang, "reinstall_confirm", server_id=server_id), _keyboard(
        [Button(raw(lang, "btn_reinstall_yes"), callback_data=pack("reinok", server_id))],
        [Button(raw(lang, "btn_cancel"), callback_data=pack("sv", server_id))])
