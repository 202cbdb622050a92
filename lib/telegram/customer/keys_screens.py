"""Screens of the customer's VPN keys (pure)."""
from telebot.types import InlineKeyboardButton as Button

from lib.telegram.callbacks import pack
from lib.telegram.ui import button, keyboard, menu_row
from lib.texts import raw, t
from lib.texts.formats import when


def my_vpn_screen(lang, peers):
    if not peers:
        return t(lang, "my_vpn_empty"), keyboard([button(lang, "btn_buy_vpn", "buy")], menu_row(lang))
    rows = [[Button(t(lang, "peer_button", peer_id=p["id"], status=raw(lang, f"peer_{p['status']}"),
                      expires=p["expires_at"].strftime("%Y-%m-%d")), callback_data=pack("peer", p["id"]))]
            for p in peers]
    return t(lang, "my_vpn_list"), keyboard(*rows, menu_row(lang))


def peer_screen(lang, peer, plan_title, handshake):
    if handshake is None:
        seen = raw(lang, "handshake_unknown")
    else:
        seen = t(lang, "handshake_at", moment=when(handshake)) if handshake else raw(lang, "handshake_never")
    text = t(lang, "peer_card", peer_id=peer["id"], status=raw(lang, f"peer_{peer['status']}"),
             address=peer["address"], plan=plan_title, expires=when(peer["expires_at"]), handshake=seen)
    pid = peer["id"]
    rows = [[button(lang, "btn_config_file", "cfg", pid), button(lang, "btn_qr", "qr", pid)]]
    toggle = {"active": ("btn_pause", "pause"), "paused": ("btn_resume", "resume")}.get(peer["status"])
    if toggle:
        rows.append([button(lang, toggle[0], toggle[1], pid)])
    rows.append([button(lang, "btn_renew", "buy", pid)])
    rows.append([button(lang, "btn_back", "my")])
    return text, keyboard(*rows)
