"""The TeleBot instance for this process, pointed at TELEGRAM_API_URL, honouring 429 retry_after.

Every Bot API request has a connect and a read timeout (TIMEOUTS), so a Telegram that accepts a
connection and never answers costs a bounded wait, never a hung job or web worker."""
import logging
import threading
import time

import requests
import telebot
from telebot import apihelper

log = logging.getLogger(__name__)
MAX_RETRY_AFTER = 30  # seconds; a longer wait is better spent failing the job and retrying it later
TIMEOUTS = (5, 30)  # (connect, read) seconds; a big config document still uploads well within 30 s
_session = requests.Session()
_bots = {}
_lock = threading.Lock()


def _rewind(files):
    for value in (files or {}).values():
        handle = value[1] if isinstance(value, tuple) else value
        if hasattr(handle, "seek"):
            handle.seek(0)


def send_with_retry_after(method, url, params=None, files=None, timeout=None, proxies=None, attempts=4):
    """pyTelegramBotAPI's request sender: on 429 wait `retry_after` seconds and send again."""
    timeout = timeout or (apihelper.CONNECT_TIMEOUT, apihelper.READ_TIMEOUT)  # requests waits forever on None
    for attempt in range(attempts):
        response = _session.request(method, url, params=params, files=files, timeout=timeout, proxies=proxies)
        if response.status_code != 429 or attempt == attempts - 1:
            return response
        try:
            wait = int(response.json().get("parameters", {}).get("retry_after", 1))
        except ValueError:
            wait = 1
        if wait > MAX_RETRY_AFTER:
            return response
        log.warning("Telegram asked to slow down; retrying in %ss", wait)
        time.sleep(wait)
        _rewind(files)
    return response


def get_bot(settings, timeouts=TIMEOUTS) -> telebot.TeleBot:
    """One bot per token in this process (lib.telegram.dispatch adds the handlers where updates are handled).

    `timeouts` (connect, read) hold for every Bot API request of the process from now on:
    pyTelegramBotAPI keeps them module-wide, like the API URL."""
    with _lock:
        apihelper.API_URL = settings.telegram_api_url.rstrip("/") + "/bot{0}/{1}"
        apihelper.CUSTOM_REQUEST_SENDER = send_with_retry_after
        apihelper.CONNECT_TIMEOUT, apihelper.READ_TIMEOUT = timeouts
        bot = _bots.get(settings.bot_token)
        if bot is None:
            bot = telebot.TeleBot(settings.bot_token, threaded=False, parse_mode="HTML")
            _bots[settings.bot_token] = bot
        return bot
