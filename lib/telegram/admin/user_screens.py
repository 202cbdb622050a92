"""Admin screens about one customer and about orders — (text, inline keyboard), no I/O."""
from lib.telegram.admin.screens import back
from lib.telegram.ui import button, keyboard
from lib.texts import raw, t
from lib.texts.formats import money, when

BUTTONS_PER_LIST = 5


def _day(moment) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "—"


def _signed(amount) -> str:
    return ("+" if amount > 0 else "") + money(amount)


def _section(lang, key, total, lines):
    return ["", t(lang, key, count=total), *(lines or [raw(lang, "adm_none")])]


def user_card(lang, card):
    status = t(lang, "adm_banned_because", reason=card["ban_reason"] or "—") if card["banned"] \
        else raw(lang, "adm_not_banned_status")
    lines = [t(lang, "adm_card", user_id=card["id"], username=f"@{card['username']}" if card["username"] else "—",
               name=card["name"] or "—", locale=card["language"], since=_day(card["created_at"]),
               balance=money(card["balance"])), status]
    counts = card["counts"]
    lines += _section(lang, "adm_card_vpn", counts["peers"], [
        t(lang, "adm_card_peer", id=p["id"], status=p["status"], address=p["address"], until=when(p["expires_at"]))
        for p in card["peers"]])
    lines += _section(lang, "adm_card_vps", counts["servers"], [
        t(lang, "adm_card_server", id=s["id"], status=s["status"], ip=s["ip"], until=when(s["expires_at"]))
        for s in card["servers"]])
    lines += _section(lang, "adm_card_orders", counts["orders"], [
        t(lang, "adm_card_order", id=o["id"], day=_day(o["created_at"]), product=o["product"], plan=o["plan_id"],
          amount=money(o["amount"]), provider=o["provider"], status=o["status"]) for o in card["orders"]])
    lines += _section(lang, "adm_card_ledger", counts["ledger"], [
        t(lang, "adm_card_entry", day=_day(e["created_at"]), amount=_signed(e["amount"]), kind=e["kind"],
          comment=(e["comment"] or "")[:60]) for e in card["ledger"]])
    uid = card["id"]
    ban = button(lang, "adm_btn_unban", "admunb", uid) if card["banned"] else button(lang, "adm_btn_ban", "admban", uid)
    rows = [[ban], [button(lang, "adm_btn_credit", "admcr", uid), button(lang, "adm_btn_debit", "admdb", uid)]]
    extend = [button(lang, "adm_btn_extend_vpn", "admext", "vpn", p["id"], id=p["id"])
              for p in card["peers"][:BUTTONS_PER_LIST] if p["status"] not in ("failed", "removing")]
    extend += [button(lang, "adm_btn_extend_vps", "admext", "vps", s["id"], id=s["id"])
               for s in card["servers"][:BUTTONS_PER_LIST] if s["status"] != "removing"]
    rows += [extend[i:i + 2] for i in range(0, len(extend), 2)]
    orders = [button(lang, "adm_btn_order", "admord", o["id"], id=o["id"]) for o in card["orders"][:BUTTONS_PER_LIST]]
    if orders:
        rows.append(orders)
    rows.append([button(lang, "adm_btn_refresh", "admu", uid)] + back(lang))
    return "\n".join(lines), keyboard(*rows)


def _order_line(lang, o):
    return t(lang, "adm_order_line", id=o["id"], user_id=o["user_id"], product=o["product"], plan=o["plan_id"],
             amount=money(o["amount"]), provider=o["provider"], day=when(o["paid_at"] or o["created_at"]))


def orders(lang, lists):
    counts, lines, rows = lists["counts"], [raw(lang, "adm_orders")], []
    for status in ("paid", "pending", "failed"):
        lines += _section(lang, f"adm_orders_{status}", counts[status], [_order_line(lang, o) for o in lists[status]])
    retry = [button(lang, "adm_btn_retry_n", "admrt", o["id"], id=o["id"]) for o in lists["paid"][:BUTTONS_PER_LIST]]
    others = [button(lang, "adm_btn_order", "admord", o["id"], id=o["id"])
              for o in (lists["failed"] + lists["pending"])[:BUTTONS_PER_LIST]]
    rows += [row for row in (retry, others) if row]
    rows.append([button(lang, "adm_btn_refresh", "admo")] + back(lang))
    return "\n".join(lines), keyboard(*rows)


def order_card(lang, o):
    text = t(lang, "adm_order", id=o["id"], user_id=o["user_id"], product=o["product"], plan=o["plan_id"],
             amount=money(o["amount"]), provider=o["provider"], status=o["status"], attempts=o["attempts"],
             created=when(o["created_at"]), paid=when(o["paid_at"]), error=o["error"] or "—")
    rows = []
    if o["status"] in ("paid", "failed"):
        rows.append([button(lang, "adm_btn_retry", "admrt", o["id"])])
    if o["status"] in ("paid", "fulfilled"):
        rows.append([button(lang, "adm_btn_refund", "admrf", o["id"])])
    rows.append([button(lang, "adm_btn_user", "admu", o["user_id"]), button(lang, "adm_btn_orders", "admo")])
    return text, keyboard(*rows, back(lang))


def refund_confirm(lang, o):
    return t(lang, "adm_refund_confirm", id=o["id"], amount=money(o["amount"]), user_id=o["user_id"],
             status=o["status"]), keyboard([button(lang, "adm_btn_refund_yes", "admrfy", o["id"])],
                                           [button(lang, "adm_btn_cancel", "admord", o["id"])])


def done(lang, key, card_of=None, **params):
    """A result message, with the way back to the card of user `card_of` when there is one."""
    rows = [[button(lang, "adm_btn_user", "admu", card_of)]] if card_of else []
    return t(lang, key, **params), keyboard(*rows, back(lang))
