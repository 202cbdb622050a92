"""Admin work on one customer: find, card, ban/unban, extend a service, credit or debit the balance.

Buttons ask a question (lib.telegram.admin.dialog); the admin's next message is the answer,
handled by INPUTS. A malformed answer is asked for again; the use case checks it once more.
"""
from lib.admin import actions
from lib.admin.inputs import parse_amount, parse_days, parse_reason
from lib.errors import UserError
from lib.telegram.admin import user_screens as screens
from lib.telegram.admin.dialog import ask, ask_again
from lib.telegram.callbacks import int_arg
from lib.telegram.ui import show
from lib.texts.formats import money, when


def target_id(args, index=0) -> int:
    value = int_arg(args, index)
    if value is None:
        raise UserError("adm_not_found")
    return value


def send_card(bot, rt, user, chat, user_id, call=None):
    show(bot, chat, screens.user_card(user["lang"], actions.user_card(rt, user["id"], user_id)), call)


def on_find(bot, rt, user, chat, call, args):
    ask(bot, rt, user, chat, "search", None, "adm_find_prompt")


def on_user(bot, rt, user, chat, call, args):
    send_card(bot, rt, user, chat, target_id(args), call)


def _asking(what, prompt):
    def handle(bot, rt, user, chat, call, args):
        user_id = actions.require_user(rt, user["id"], target_id(args))
        ask(bot, rt, user, chat, what, user_id, prompt, user_id=user_id)
    return handle


def on_extend(bot, rt, user, chat, call, args):
    kind, service_id = (args[0] if args else ""), target_id(args, 1)
    actions.check_extendable(rt, user["id"], kind, service_id)
    ask(bot, rt, user, chat, "days", f"{kind}:{service_id}", "adm_extend_prompt", kind=kind.upper(), id=service_id)


def _parsed(parse, bot, rt, user, chat, text, pending):
    """The parsed answer, or None after saying what is wrong and asking again."""
    try:
        return parse(text)
    except UserError as refused:
        ask_again(bot, rt, user, chat, pending, refused.text_key, **refused.params)
        return None


def _reply(bot, user, chat, key, card_of, **params):
    show(bot, chat, screens.done(user["lang"], key, card_of, **params))


def input_search(bot, rt, user, chat, text, pending):
    try:
        found = actions.find_user(rt, user["id"], text)
    except UserError as refused:
        return ask_again(bot, rt, user, chat, pending, refused.text_key)
    if found is None:
        return ask_again(bot, rt, user, chat, pending, "adm_nobody", query=text.strip()[:64])
    send_card(bot, rt, user, chat, found)


def _input_ban(banned):
    def handle(bot, rt, user, chat, text, pending):
        reason = _parsed(parse_reason, bot, rt, user, chat, text, pending)
        if reason is not None:
            user_id = int(pending["target"])
            actions.ban(rt, user["id"], user_id, reason, banned)
            _reply(bot, user, chat, "adm_banned_done" if banned else "adm_unbanned_done", user_id,
                   user_id=user_id, reason=reason)
    return handle


def input_days(bot, rt, user, chat, text, pending):
    days = _parsed(parse_days, bot, rt, user, chat, text, pending)
    if days is not None:
        kind, _, service_id = str(pending["target"]).partition(":")
        done = actions.extend(rt, user["id"], kind, int(service_id), days)
        _reply(bot, user, chat, "adm_extended_done", done["user_id"], kind=kind.upper(), id=service_id, days=days,
               until=when(done["expires_at"]), status=done["status"])


def _input_balance(sign):
    def handle(bot, rt, user, chat, text, pending):
        answer = _parsed(parse_amount, bot, rt, user, chat, text, pending)
        if answer is not None:
            user_id, (amount, comment) = int(pending["target"]), answer
            done = actions.adjust_balance(rt, user["id"], user_id, sign * amount, comment)
            _reply(bot, user, chat, "adm_balance_done", user_id, user_id=user_id,
                   amount=("+" if sign > 0 else "−") + money(amount), balance=money(done["balance"]))
    return handle


ACTIONS = {"admf": on_find, "admu": on_user, "admban": _asking("ban", "adm_ban_prompt"),
           "admunb": _asking("unban", "adm_unban_prompt"), "admcr": _asking("credit", "adm_credit_prompt"),
           "admdb": _asking("debit", "adm_debit_prompt"), "admext": on_extend}
INPUTS = {"search": input_search, "ban": _input_ban(True), "unban": _input_ban(False), "days": input_days,
          "credit": _input_balance(1), "debit": _input_balance(-1)}
