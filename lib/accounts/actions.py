"""What a customer does about their account, from either door: sign in (registered on first contact), language."""
from lib.accounts.registration import register_user
from lib.errors import UserError
from lib.models import User
from lib.models.database import run_transaction
from lib.vpn.actions import keys_of
from lib.vps.actions import servers_of


def _sign_in(rt, telegram_user: dict) -> dict:
    user = register_user(rt.redis, telegram_user["id"], username=telegram_user.get("username"),
                         first_name=telegram_user.get("first_name") or "",
                         language_code=telegram_user.get("language_code"))
    return {"id": user.id, "lang": user.language, "name": user.first_name, "banned": user.banned,
            "balance": user.balance}


def sign_in(rt, telegram_user: dict) -> dict:
    """The Telegram user (id, username, first_name, language_code) as our customer; UserError('banned')."""
    customer = run_transaction(_sign_in, rt, telegram_user)
    if customer["banned"]:
        refused = UserError("banned")
        refused.language = customer["lang"]
        raise refused
    return customer


def _toggle_language(user_id):
    user = User[user_id]
    user.language = "en" if user.language == "ru" else "ru"
    return user.language


def switch_language(rt, user_id: int) -> str:
    """Russian ↔ English; the new language."""
    return run_transaction(_toggle_language, user_id)


def languages(user_ids) -> dict:
    """Each user's language (English for one we do not know), for messages sent to them by jobs."""
    ids = list(user_ids)

    def read():
        return {user.id: user.language for user in User.select(lambda u: u.id in ids)}
    known = run_transaction(read)
    return {user_id: known.get(user_id, "en") for user_id in ids}


def language(user_id: int) -> str | None:
    """The user's language, or None when there is no such user."""
    return run_transaction(lambda: User[user_id].language if User.exists(id=user_id) else None)


def _profile(user_id: int) -> dict:
    user = User[user_id]
    return {"id": user.id, "first_name": user.first_name, "language": user.language, "balance": user.balance,
            "ssh_key": user.ssh_key}


def profile(rt, user_id: int) -> dict:
    """What the customer's own screens show of their account."""
    return run_transaction(_profile, user_id)


def home(rt, user_id: int) -> dict:
    """The customer's account with their keys and servers, read in one transaction (the mini app's start)."""
    return run_transaction(lambda: {"user": _profile(user_id), "vpn": keys_of(user_id),
                                    "vps": servers_of(rt, user_id)})
