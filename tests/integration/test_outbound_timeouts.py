"""An outside service that accepts a connection and never answers costs a bounded wait, never a hung
web worker: the YooKassa webhook does not call YooKassa at all, and every client gives up in time."""
import socket
import threading
import time

import pytest

from lib.payments import PaymentProviderError


@pytest.fixture
def silent_server():
    """A loopback server that accepts connections, reads, and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held, done = [], threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not done.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    done.set()
    thread.join(5)
    for conn in held:
        conn.close()
    listener.close()


def test_yookassa_notifications_are_answered_at_once_while_yookassa_hangs(make_shop, silent_server):
    shop = make_shop(YOOKASSA_API_URL=f"{silent_server}/v3")
    started = time.monotonic()
    for n in range(20):
        note = {"type": "notification", "event": "payment.succeeded",
                "object": {"id": f"2f0a11b3-000f-5000-8000-{n:012d}"}}
        assert shop.yookassa_notify(note).get_json() == {"ok": True, "queued": "payment"}
    assert time.monotonic() - started < 5  # twenty answers, none of them waiting on YooKassa


def test_the_yookassa_sdk_gives_up_on_a_silent_api(make_shop, silent_server):
    from lib.payments.yookassa import YooKassaProvider
    shop = make_shop(YOOKASSA_API_URL=f"{silent_server}/v3")
    provider = YooKassaProvider(shop.settings, timeouts=(0.5, 0.5))
    started = time.monotonic()
    with pytest.raises(PaymentProviderError):
        list(provider.fetch_payments(["2f0a11b3-000f-5000-8000-000000000001"]))
    assert time.monotonic() - started < 5


def test_crypto_pay_gives_up_on_a_silent_api(silent_server):
    from lib.payments.cryptobot import CryptoPayClient
    started = time.monotonic()
    with pytest.raises(PaymentProviderError):
        CryptoPayClient("1234:AAfake", f"{silent_server}/api", timeout=0.5).call("getMe")
    assert time.monotonic() - started < 5


def test_the_bot_gives_up_on_a_silent_telegram(make_shop, silent_server):
    from lib.telegram.bot import TIMEOUTS, get_bot
    shop = make_shop(TELEGRAM_API_URL=silent_server)
    bot = get_bot(shop.settings, timeouts=(0.5, 0.5))
    started = time.monotonic()
    try:
        with pytest.raises(Exception) as failure:  # requests' ReadTimeout, as pyTelegramBotAPI passes it on
            bot.send_message(600001, "hello")
        assert "timed out" in str(failure.value).lower()
        assert time.monotonic() - started < 5
    finally:
        get_bot(shop.settings, timeouts=TIMEOUTS)  # the module-wide defaults back for the tests after this one
