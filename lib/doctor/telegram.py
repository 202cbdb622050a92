"""Telegram: the token (getMe) and the webhook (getWebhookInfo) as Telegram itself sees them."""
from datetime import datetime, timezone

import requests

TIMEOUT = 10


class TelegramSaid(Exception):
    """Telegram answered, but not ok: the message is its description (never the token)."""


def bot_api(settings, method: str) -> dict:
    url = f"{settings.telegram_api_url.rstrip('/')}/bot{settings.bot_token}/{method}"
    try:
        answer = requests.get(url, timeout=TIMEOUT)
        body = answer.json()
    except requests.RequestException as exc:  # the URL holds the token: report only the kind of failure
        raise TelegramSaid(f"{settings.telegram_api_url} does not answer ({type(exc).__name__})") from None
    except ValueError:
        raise TelegramSaid(f"{settings.telegram_api_url} answered {answer.status_code} without JSON") from None
    if not body.get("ok"):
        raise TelegramSaid(f"{body.get('error_code', answer.status_code)} {body.get('description', '')}".strip())
    return body["result"]


def check_token(settings) -> tuple:
    try:
        me = bot_api(settings, "getMe")
    except TelegramSaid as exc:
        if str(exc).startswith("401"):
            return False, ("Telegram does not know BOT_TOKEN (401 Unauthorized): copy the token again from "
                           "@BotFather (/mybots → API Token).")
        return False, f"Telegram refused getMe: {exc}."
    return True, f"BOT_TOKEN belongs to @{me.get('username')} ({me.get('first_name', '')})."


def webhook_sentence(info: dict, expected: str, now=None) -> tuple:
    """Judge getWebhookInfo against the URL the shop expects (pure, for tests)."""
    url, pending = info.get("url") or "", int(info.get("pending_update_count") or 0)
    error = info.get("last_error_message")
    when = ""
    if info.get("last_error_date"):
        stamp = datetime.fromtimestamp(int(info["last_error_date"]), timezone.utc)
        minutes = int(((now or datetime.now(timezone.utc)) - stamp).total_seconds() // 60)
        when = f" {minutes} min ago" if minutes >= 0 else ""
    tail = f"; {pending} update{'s' if pending != 1 else ''} waiting"
    tail += f"; last delivery error{when}: {error!r}" if error else ""
    if not url:
        return False, (f"No webhook is set, so Telegram delivers nothing{tail}. Run `python local_runner.py "
                       f"set-webhook` (or `make set-webhook`) to register {expected}.")
    if url != expected:
        return False, (f"The webhook points at {url}, not at {expected}{tail}. Run `python local_runner.py "
                       "set-webhook` with the right PUBLIC_URL.")
    if error and pending:
        return False, (f"The webhook is {url}, but Telegram cannot deliver to it{tail}. Check that "
                       "PUBLIC_URL answers over https from the internet (proxy, certificate, firewall) and that "
                       "TELEGRAM_WEBHOOK_SECRET is the one registered (a wrong one shows as 401 in the web log).")
    return True, f"The webhook is {url}{tail}."


def check_webhook(settings) -> tuple:
    expected = f"{settings.public_url.rstrip('/')}/telegram_webhook"
    info = bot_api(settings, "getWebhookInfo")
    if settings.polling:
        if info.get("url"):
            return True, (f"No PUBLIC_URL: the local runner long-polls and removes the webhook {info['url']} "
                          "when it starts.")
        return True, "No PUBLIC_URL: the local runner long-polls Telegram; no webhook is needed."
    if not settings.public_url.startswith("https://"):
        return False, (f"PUBLIC_URL is {settings.public_url}: Telegram delivers webhooks only to https:// "
                       "addresses; set PUBLIC_URL to the shop's public https address.")
    return webhook_sentence(info, expected)


def checks(settings) -> list:
    from lib.doctor.checks import guarded, off_sentence
    if not settings.telegram_enabled:
        return [("Telegram", None, off_sentence(settings, "Telegram bot"))]
    token = guarded("Telegram token", check_token, settings)
    if token[1] is False:
        return [token, ("Telegram webhook", None, "Not checked: Telegram did not accept the token.")]
    return [token, guarded("Telegram webhook", check_webhook, settings)]
