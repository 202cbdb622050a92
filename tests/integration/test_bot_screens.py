"""The bot's menus as a customer sees them, in both languages, and its manners under Telegram's limits."""
from datetime import timedelta

from pony.orm import db_session

from lib import clock
from lib.billing.ledger import post_entry
from lib.models import User

USER = 600001


def test_start_shows_the_main_menu_with_the_mini_app_button(shop):
    shop.send(USER, "/start", first_name="<Ann & co>")
    message = shop.telegram.last_message(USER)
    assert message["text"].startswith("Hi, <Ann & co>!")  # escaped for HTML, shown as typed
    labels = [b["text"] for b in shop.telegram.buttons(message)]
    assert labels == ["🛒 Buy VPN", "🔑 My VPN", "💰 Balance", "❓ Help", "📱 Open app", "🌐 Русский"]
    app_button = shop.telegram.find_button(USER, "Open app")
    assert app_button["web_app"]["url"] == "https://shop.example.test/miniapp_api/"


def test_language_switch_is_remembered(shop):
    shop.send(USER, "/start")
    shop.click(USER, "Русский")
    assert shop.last_text(USER).startswith("Привет")
    shop.send(USER, "hello?")
    assert shop.last_text(USER).startswith("Привет")
    with db_session:
        assert User[USER].language == "ru"


def test_balance_shows_the_history_and_pays_for_a_plan(shop):
    shop.send(USER, "/start")
    with db_session:
        post_entry(User[USER], 500, "adjustment", "test-credit", "welcome bonus")
    shop.click(USER, "Balance")
    assert "Balance: 500 ₽" in shop.last_text(USER) and "+500" in shop.last_text(USER)
    shop.click(USER, "Menu")
    shop.click(USER, "Buy VPN")
    shop.click(USER, "1 month")
    shop.click(USER, "From balance (500 ₽)")
    assert any(t.startswith("✅ Payment for order #1 received") for t in shop.texts(USER))
    # No WireGuard server in this test: fulfilment fails and the price returns to the balance.
    assert shop.last_text(USER).startswith("😔 We could not set up order #1. 199 ₽ went back")
    with db_session:
        assert User[USER].balance == 500


def test_not_enough_balance_is_said_plainly(shop):
    shop.send(USER, "/start")
    shop.click(USER, "Buy VPN")
    shop.click(USER, "12 months")
    shop.click(USER, "From balance")
    assert shop.last_text(USER) == "Your balance does not cover this plan. Choose another way to pay."


def test_check_payment_asks_the_provider(shop):
    shop.send(USER, "/start")
    shop.click(USER, "Buy VPN")
    shop.click(USER, "1 month")
    shop.click(USER, "Crypto")
    shop.click(USER, "Check payment")
    assert "waiting for payment" in shop.last_text(USER)
    invoice = shop.cryptopay.invoices[-1]
    shop.cryptopay.pay(invoice["invoice_id"])  # paid, but the webhook never arrives
    shop.click(USER, "Check payment")  # at once again: the provider is not asked twice within 15 s
    assert "paid, being set up" not in shop.last_text(USER)
    clock.advance(timedelta(seconds=15))
    shop.click(USER, "Check payment")
    assert "Order #1: paid, being set up" in shop.texts(USER)


def test_forged_callback_data_is_answered_politely(shop):
    shop.send(USER, "/start")
    menu = shop.telegram.last_message(USER)
    for data in ("peer:999", "cfg:1", "pay:vpn-1m:zz:0", "plan:nope:0", "chk:abc", "sbx:1", "bogus"):
        shop.press(USER, data, menu)
    texts = shop.texts(USER)
    assert texts.count("Not found. It may belong to another account or be gone.") == 5
    assert texts.count("This way to pay is not available. Please choose another.") == 1  # pay:…:zz


def test_banned_customer_gets_one_short_message(shop):
    shop.send(USER, "/start")
    with db_session:
        User[USER].banned = True
    shop.send(USER, "/start")
    assert shop.last_text(USER) == "Access to this shop is blocked for your account."


def test_telegram_429_is_retried_after_retry_after(shop):
    shop.telegram.fail_next(1, retry_after=1)
    shop.send(USER, "/start")
    assert shop.last_text(USER).startswith("Hi, Ann!")
    assert len(shop.telegram.failed) == 1
