"""Screens of buying: plans, ways to pay, the payment, the order's status (pure)."""
from telebot.types import InlineKeyboardButton as Button

from lib.telegram.callbacks import PROVIDER_CODES, pack
from lib.telegram.ui import button, keyboard, menu_row
from lib.texts import raw, t
from lib.texts.formats import money


def plans_screen(lang, plans, renew_peer_id=None):
    rows = [[Button(t(lang, "plan_button", title=p.title_in(lang), price=money(p.price_rub)),
                    callback_data=pack("plan", p.id, renew_peer_id or 0))] for p in plans]
    back = [button(lang, "btn_back", "peer", renew_peer_id)] if renew_peer_id else menu_row(lang)
    text = t(lang, "renew_choose_plan", peer_id=renew_peer_id) if renew_peer_id else t(lang, "choose_plan")
    return text, keyboard(*rows, back)


def vps_plans_screen(lang, plans, renew_server_id=None):
    rows = [[Button(t(lang, "vps_plan_button", title=p.title_in(lang), cores=p.cores,
                      memory=f"{p.memory_mb / 1024:g}", disk=p.disk_gb, price=money(p.price_rub)),
                    callback_data=pack("plan", p.id, renew_server_id or 0))] for p in plans]
    back = [button(lang, "btn_back", "sv", renew_server_id)] if renew_server_id else menu_row(lang)
    text = t(lang, "vps_renew_choose_plan", server_id=renew_server_id) if renew_server_id \
        else t(lang, "choose_vps_plan")
    return text, keyboard(*rows, back, [button(lang, "btn_ssh_key", "ssh")])


def providers_screen(lang, plan, providers, balance, renew_id=0):
    rows = []
    for provider in providers:
        label = t(lang, "provider_balance", balance=money(balance)) if provider == "balance" \
            else raw(lang, f"provider_{provider}")
        rows.append([Button(label, callback_data=pack("pay", plan.id, PROVIDER_CODES[provider], renew_id))])
    rows.append([button(lang, "btn_back", "buy" if plan.product == "vpn" else "vbuy", renew_id)])
    text = t(lang, "choose_provider", title=plan.title_in(lang), price=money(plan.price_rub),
             usdt=plan.price_usdt)
    return text, keyboard(*rows)


def payment_screen(lang, order_id, plan, pay_url):
    price = money(plan.price_rub)
    if pay_url is None:  # sandbox: a button that pays without money
        return (t(lang, "sandbox_pay", order_id=order_id, title=plan.title_in(lang), price=price),
                keyboard([button(lang, "btn_sandbox_pay", "sbx", order_id)], menu_row(lang)))
    return (t(lang, "pay_link", order_id=order_id, title=plan.title_in(lang), price=price),
            keyboard([Button(t(lang, "btn_pay", price=price), url=pay_url)],
                     [button(lang, "btn_check", "chk", order_id)], menu_row(lang)))


def order_status_screen(lang, order_id, status):
    text = t(lang, "order_status", order_id=order_id, status=raw(lang, f"status_{status}"))
    rows = [[button(lang, "btn_check", "chk", order_id)]] if status == "pending" else []
    return text, keyboard(*rows, menu_row(lang))
