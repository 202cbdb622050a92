"""The main menu, help, the mini app link and the balance."""
from telebot.types import InlineKeyboardButton as Button
from telebot.types import WebAppInfo

from lib.billing.actions import balance_history
from lib.telegram.ui import button, keyboard, menu_row, miniapp_url, show
from lib.texts import raw, t
from lib.texts.formats import money


def main_menu(lang, name, app_url=None, vps=False):
    rows = [[button(lang, "btn_buy_vpn", "buy"), button(lang, "btn_my_vpn", "my")]]
    if vps:
        rows.append([button(lang, "btn_buy_vps", "vbuy"), button(lang, "btn_my_servers", "vmy")])
    rows.append([button(lang, "btn_balance", "bal"), button(lang, "btn_help", "help")])
    if app_url:  # Telegram accepts only https mini app links
        rows.append([Button(raw(lang, "btn_app"), web_app=WebAppInfo(app_url))])
    rows.append([button(lang, "btn_language", "lang")])
    return t(lang, "welcome", name=name or "friend"), keyboard(*rows)


def help_screen(lang):
    return t(lang, "help"), keyboard(menu_row(lang))


def app_screen(lang, app_url):
    return t(lang, "app_open"), keyboard([Button(raw(lang, "btn_app"), web_app=WebAppInfo(app_url))])


def balance_screen(lang, balance, entries):
    if entries:
        lines = [t(lang, "ledger_line", moment=e["created_at"].strftime("%Y-%m-%d"),
                   amount=("+" if e["amount"] > 0 else "") + money(e["amount"]),
                   what=raw(lang, f"ledger_{e['kind']}")) for e in entries]
        history = "\n".join([raw(lang, "balance_history_title"), *lines])
    else:
        history = raw(lang, "balance_history_empty")
    return t(lang, "balance", balance=money(balance), history=history), keyboard(menu_row(lang))


def on_menu(bot, rt, user, chat, call, args):
    show(bot, chat, main_menu(user["lang"], user["name"], miniapp_url(rt), vps=rt.settings.vps_enabled), call)


def on_help(bot, rt, user, chat, call, args):
    show(bot, chat, help_screen(user["lang"]), call)


def on_app(bot, rt, user, chat):
    show(bot, chat, app_screen(user["lang"], miniapp_url(rt)))


def on_balance(bot, rt, user, chat, call, args):
    show(bot, chat, balance_screen(user["lang"], user["balance"], balance_history(rt, user["id"])), call)


ACTIONS = {"m": on_menu, "help": on_help, "bal": on_balance}
