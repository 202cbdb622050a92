"""Screens of the bot: (text, inline keyboard) built from plain data, no I/O."""
from telebot.types import InlineKeyboardButton as Button
from telebot.types import InlineKeyboardMarkup, WebAppInfo

from lib.billing.orders import order_amount_text as money
from lib.telegram.callbacks import PROVIDER_CODES, pack
from lib.texts import raw, t


def when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def _keyboard(*rows) -> InlineKeyboardMarkup:
    markup = InlineKeyboardMarkup()
    for row in rows:
        markup.row(*row)
    return markup


def _back(lang):
    return [Button(raw(lang, "btn_menu"), callback_data=pack("m"))]


def main_menu(lang, name, miniapp_url=None, vps=False):
    rows = [[Button(raw(lang, "btn_buy_vpn"), callback_data=pack("buy")),
             Button(raw(lang, "btn_my_vpn"), callback_data=pack("my"))]]
    if vps:
        rows.append([Button(raw(lang, "btn_buy_vps"), callback_data=pack("vbuy")),
                     Button(raw(lang, "btn_my_servers"), callback_data=pack("vmy"))])
    rows.append([Button(raw(lang, "btn_balance"), callback_data=pack("bal")),
                 Button(raw(lang, "btn_help"), callback_data=pack("help"))])
    if miniapp_url:  # Telegram accepts only https mini app links
        rows.append([Button(raw(lang, "btn_app"), web_app=WebAppInfo(miniapp_url))])
    rows.append([Button(raw(lang, "btn_language"), callback_data=pack("lang"))])
    return t(lang, "welcome", name=name or "friend"), _keyboard(*rows)


def plans_screen(lang, plans, renew_peer_id=None):
    rows = [[Button(t(lang, "plan_button", title=p.title_in(lang), price=money(p.price_rub)),
                    callback_data=pack("plan", p.id, renew_peer_id or 0))] for p in plans]
    back = [Button(raw(lang, "btn_back"), callback_data=pack("peer", renew_peer_id))] if renew_peer_id \
        else _back(lang)
    text = t(lang, "renew_choose_plan", peer_id=renew_peer_id) if renew_peer_id else t(lang, "choose_plan")
    return text, _keyboard(*rows, back)


def providers_screen(lang, plan, providers, balance, renew_id=0):
    rows = []
    for provider in providers:
        label = t(lang, "provider_balance", balance=money(balance)) if provider == "balance" \
            else raw(lang, f"provider_{provider}")
        rows.append([Button(label, callback_data=pack("pay", plan.id, PROVIDER_CODES[provider], renew_id))])
    back = "buy" if plan.product == "vpn" else "vbuy"
    rows.append([Button(raw(lang, "btn_back"), callback_data=pack(back, renew_id))])
    text = t(lang, "choose_provider", title=plan.title_in(lang), price=money(plan.price_rub),
             usdt=plan.price_usdt)
    return text, _keyboard(*rows)


def payment_screen(lang, order_id, plan, pay_url):
    price = money(plan.price_rub)
    if pay_url is None:  # sandbox: a button that pays without money
        return (t(lang, "sandbox_pay", order_id=order_id, title=plan.title_in(lang), price=price),
                _keyboard([Button(raw(lang, "btn_sandbox_pay"), callback_data=pack("sbx", order_id))],
                          _back(lang)))
    return (t(lang, "pay_link", order_id=order_id, title=plan.title_in(lang), price=price),
            _keyboard([Button(t(lang, "btn_pay", price=price), url=pay_url)],
                      [Button(raw(lang, "btn_check"), callback_data=pack("chk", order_id))], _back(lang)))


def order_status_screen(lang, order_id, status):
    text = t(lang, "order_status", order_id=order_id, status=raw(lang, f"status_{status}"))
    rows = [[Button(raw(lang, "btn_check"), callback_data=pack("chk", order_id))]] if status == "pending" else []
    return text, _keyboard(*rows, _back(lang))


def my_vpn_screen(lang, peers):
    if not peers:
        return t(lang, "my_vpn_empty"), _keyboard([Button(raw(lang, "btn_buy_vpn"), callback_data=pack("buy"))],
                                                  _back(lang))
    rows = [[Button(t(lang, "peer_button", peer_id=p["id"], status=raw(lang, f"peer_{p['status']}"),
                      expires=p["expires_at"].strftime("%Y-%m-%d")), callback_data=pack("peer", p["id"]))]
            for p in peers]
    return t(lang, "my_vpn_list"), _keyboard(*rows, _back(lang))


def peer_screen(lang, peer, plan_title, handshake):
    if handshake is None:
        seen = raw(lang, "handshake_unknown")
    else:
        seen = t(lang, "handshake_at", moment=when(handshake)) if handshake else raw(lang, "handshake_never")
    text = t(lang, "peer_card", peer_id=peer["id"], status=raw(lang, f"peer_{peer['status']}"),
             address=peer["address"], plan=plan_title, expires=when(peer["expires_at"]), handshake=seen)
    pid = peer["id"]
    rows = [[Button(raw(lang, "btn_config_file"), callback_data=pack("cfg", pid)),
             Button(raw(lang, "btn_qr"), callback_data=pack("qr", pid))]]
    toggle = {"active": ("btn_pause", "pause"), "paused": ("btn_resume", "resume")}.get(peer["status"])
    if toggle:
        rows.append([Button(raw(lang, toggle[0]), callback_data=pack(toggle[1], pid))])
    rows.append([Button(raw(lang, "btn_renew"), callback_data=pack("buy", pid))])
    rows.append([Button(raw(lang, "btn_back"), callback_data=pack("my"))])
    return text, _keyboard(*rows)


def balance_screen(lang, balance, entries):
    if entries:
        lines = [t(lang, "ledger_line", moment=e["created_at"].strftime("%Y-%m-%d"),
                   amount=("+" if e["amount"] > 0 else "") + money(e["amount"]),
                   what=raw(lang, f"ledger_{e['kind']}")) for e in entries]
        history = "\n".join([raw(lang, "balance_history_title"), *lines])
    else:
        history = raw(lang, "balance_history_empty")
    return t(lang, "balance", balance=money(balance), history=history), _keyboard(_back(lang))


def help_screen(lang):
    return t(lang, "help"), _keyboard(_back(lang))


def app_screen(lang, miniapp_url):
    return t(lang, "app_open"), _keyboard([Button(raw(lang, "btn_app"), web_app=WebAppInfo(miniapp_url))])
