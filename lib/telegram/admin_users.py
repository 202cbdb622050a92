"""Admin work on one customer: find, card, ban/unban, extend a service, credit or debit the balance.

Buttons ask a question (admin_input); the admin's next message is the answer, handled by INPUTS.
"""
from lib.admin import Refused, actions
from lib.admin.inputs import parse_amount, parse_days, parse_reason
from lib.admin.users import find_user, user_card
from lib.billing.orders import order_amount_text as money
from lib.models.database import run_transaction
from lib.models import User
from lib.telegram import admin_user_screens as screens
from lib.telegram.admin_input import ask, ask_again
from lib.telegram.callbacks import int_arg
from lib.telegram.screens import when
from lib.telegram.ui import show

KINDS = ("vpn", "vps")


def target_id(args, index=0) -> int:
    value = int_arg(args, index)
    if value is None:
        raise Refused("adm_not_found")
    return value


def _existing_user(args) -> int:
    user_id = target_id(args)
    if not run_transaction(lambda: User.exists(id=user_id)):
        raise Refused("adm_user_not_found")
    return user_id


def send_card(bot, user, chat, user_id, call=None):
    card = run_transaction(user_card, user_id)
    if card is None:
        raise Refused("adm_user_not_found")
    show(bot, chat, screens.user_card(user["lang"], card), call)


def on_find(bot, rt, user, chat, call, args):
    ask(bot, rt, user, chat, "search", None, "adm_find_prompt")


def on_user(bot, rt, user, chat, call, args):
    send_card(bot, user, chat, target_id(args), call)


def on_ban(bot, rt, user, chat, call, args):
    user_id = _existing_user(args)
    ask(bot, rt, user, chat, "ban", user_id, "adm_ban_prompt", user_id=user_id)


def on_unban(bot, rt, user, chat, call, args):
    user_id = _existing_user(args)
    ask(bot, rt, user, chat, "unban", user_id, "adm_unban_prompt", user_id=user_id)


def on_credit(bot, rt, user, chat, call, args):
    user_id = _existing_user(args)
    ask(bot, rt, user, chat, "credit", user_id, "adm_credit_prompt", user_id=user_id)


def on_debit(bot, rt, user, chat, call, args):
    user_id = _existing_user(args)
    ask(bot, rt, user, chat, "debit", user_id, "adm_debit_prompt", user_id=user_id)


def _check_extendable(kind, service_id):
    actions.extendable(kind, service_id)  # Refused unless it exists and may be extended


def on_extend(bot, rt, user, chat, call, args):
    kind, service_id = (args[0] if args else ""), target_id(args, 1)
    if kind not in KINDS:
        raise Refused("adm_not_found")
    run_transaction(_check_extendable, kind, service_id)
    ask(bot, rt, user, chat, "days", f"{kind}:{service_id}", "adm_extend_prompt", kind=kind.upper(), id=service_id)


def _parsed(parse, bot, rt, user, chat, text, pending):
    """The parsed answer, or None after saying what is wrong and asking again."""
    try:
        return parse(text)
    except Refused as refused:
        ask_again(bot, rt, user, chat, pending, refused.key, **refused.params)
        return None


def _reply(bot, user, chat, key, card_of, **params):
    show(bot, chat, screens.done(user["lang"], key, card_of, **params))


def input_search(bot, rt, user, chat, text, pending):
    try:
        found = run_transaction(find_user, text)
    except Refused as refused:
        return ask_again(bot, rt, user, chat, pending, refused.key)
    if found is None:
        return ask_again(bot, rt, user, chat, pending, "adm_nobody", query=text.strip()[:64])
    send_card(bot, user, chat, found)


def _input_ban(banned):
    def handle(bot, rt, user, chat, text, pending):
        reason = _parsed(parse_reason, bot, rt, user, chat, text, pending)
        if reason is not None:
            user_id = int(pending["target"])
            run_transaction(actions.set_banned, rt, user["id"], user_id, banned, reason)
            _reply(bot, user, chat, "adm_banned_done" if banned else "adm_unbanned_done", user_id,
                   user_id=user_id, reason=reason)
    return handle


def input_days(bot, rt, user, chat, text, pending):
    days = _parsed(parse_days, bot, rt, user, chat, text, pending)
    if days is not None:
        kind, _, service_id = str(pending["target"]).partition(":")
        done = run_transaction(actions.extend_service, rt, user["id"], kind, int(service_id), days)
        _reply(bot, user, chat, "adm_extended_done", done["user_id"], kind=kind.upper(), id=service_id, days=days,
               until=when(done["expires_at"]), status=done["status"])


def _input_balance(sign):
    def handle(bot, rt, user, chat, text, pending):
        answer = _parsed(parse_amount, bot, rt, user, chat, text, pending)
        if answer is not None:
            user_id, (amount, comment) = int(pending["target"]), answer
            done = run_transaction(actions.adjust_balance, user["id"], user_id, sign * amount, comment)
            _reply(bot, user, chat, "adm_balance_done", user_id, user_id=user_id,
                   amount=("+" if sign > 0 else "−") + money(amount), balance=money(done["balance"]))
    return handle


ACTIONS = {"admf": on_find, "admu": on_user, "admban": on_ban, "admunb": on_unban, "admcr": on_credit,
           "admdb": on_debit, "admext": on_extend}
INPUTS = {"search": input_search, "ban": _input_ban(True), "unban": _input_ban(False), "days": input_days,
          "credit": _input_balance(1), "debit": _input_balance(-1)}
