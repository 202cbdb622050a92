"""The fakes of tests/fakes/ keep the real services' rules, driven by the real clients."""
import hashlib
import hmac
import io
import json
import pathlib
import time
from datetime import timedelta

import pytest
import requests
import telebot
from telebot import apihelper, types
from yookassa import Configuration, Payment, Refund
from yookassa.domain.exceptions import BadRequestError, NotFoundError, UnauthorizedError
from yookassa.domain.notification import WebhookNotificationFactory

from tests.fakes.clock import FakeClock
from tests.fakes.cryptopay import FakeCryptoPay
from tests.fakes.http import LoopbackServer
from tests.fakes.telegram import (
    FakeTelegram,
    make_callback_update,
    make_message_update,
    make_pre_checkout_update,
    make_successful_payment_update,
)
from tests.fakes.yookassa import FakeYooKassa

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures"
TOKEN = "123456:TEST-fake-token"
START = 1_750_000_000  # 2025-06-15T15:06:40Z: where the fakes' frozen clocks stand


def fixture(name):
    return json.loads((FIXTURES / name).read_text("utf-8"))


def test_fake_clock_follows_real_time_or_stands_still():
    live, frozen = FakeClock(), FakeClock(start=START)
    assert abs(live.now() - time.time()) < 5 and frozen() == frozen.now() == START
    live.advance(3600)
    frozen.advance(2.5)
    assert abs(live() - time.time() - 3600) < 5 and frozen() == START + 2.5
    with pytest.raises(ValueError):
        frozen.advance(-1)  # never back: rate windows and expiries assume it


# ---------------------------------------------------------------- Telegram --
@pytest.fixture
def tg():
    fake = FakeTelegram(TOKEN, clock=FakeClock(start=START))
    fake.start()
    saved = apihelper.API_URL, apihelper.CUSTOM_REQUEST_SENDER
    # The shop installs a 429-retrying sender; these tests see the raw Bot API answers.
    apihelper.API_URL, apihelper.CUSTOM_REQUEST_SENDER = fake.api_url, None
    yield fake
    apihelper.API_URL, apihelper.CUSTOM_REQUEST_SENDER = saved
    fake.stop()


@pytest.fixture
def bot(tg):
    return telebot.TeleBot(TOKEN, threaded=False)


def tg_error(call, *args, **kwargs):
    with pytest.raises(apihelper.ApiTelegramException) as info:
        call(*args, **kwargs)
    return info.value


def keyboard(*buttons):
    markup = types.InlineKeyboardMarkup()
    markup.add(*buttons)
    return markup


def png(width=300, height=200):
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def test_loopback_server():
    from flask import Flask
    app = Flask("t")
    app.add_url_rule("/ping", view_func=lambda: "pong")
    with LoopbackServer(app) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert requests.get(server.url + "/ping", timeout=5).text == "pong"
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/ping", timeout=2)


def test_fake_stops_serving(tg):
    assert tg.url.startswith("http://127.0.0.1:")
    url = tg.url
    tg.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/bot%s/getMe" % TOKEN, timeout=2)


def test_wrong_token_and_unknown_method(tg, bot):
    err = tg_error(telebot.TeleBot("999:wrong", threaded=False).get_me)
    assert err.error_code == 401
    assert err.result_json == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    r = requests.post(tg.url + "/bot%s/sendFoo" % TOKEN, timeout=5)
    assert r.status_code == 404
    assert r.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert bot.get_me().username == "fake_shop_bot"


def test_send_message_answers_real_message_objects(tg, bot):
    first = bot.send_message(42, "Hello", reply_markup=keyboard(
        types.InlineKeyboardButton("Buy", callback_data="buy:1")))
    second = bot.send_message(42, "Again")
    other = bot.send_message(7, "Other chat")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.id == 42 and first.chat.type == "private"
    assert first.from_user.is_bot and first.date > 0
    assert first.reply_markup.keyboard[0][0].callback_data == "buy:1"
    call = tg.calls[0]
    assert call["method"] == "sendMessage" and call["params"]["chat_id"] == 42
    assert call["params"]["reply_markup"] == {
        "inline_keyboard": [[{"text": "Buy", "callback_data": "buy:1"}]]}


@pytest.mark.parametrize("text,description", [
    ("x" * 4097, "Bad Request: message is too long"),
    ("", "Bad Request: message text is empty"),
    ("   ", "Bad Request: message text is empty"),
])
def test_text_length(bot, text, description):
    assert tg_error(bot.send_message, 1, text).description == description


def test_text_length_counts_after_entity_parsing(bot):
    assert bot.send_message(1, "<b>%s</b>" % ("x" * 4096), parse_mode="HTML").text == "x" * 4096
    err = tg_error(bot.send_message, 1, "<b></b>", parse_mode="HTML")
    assert err.description == "Bad Request: message text is empty"


@pytest.mark.parametrize("text", [
    "<br>", "<b>open", "<b><i>x</b></i>", "</b>", "1 < 2", "AT&T", "&nbsp;",
    "<span>s</span>", "<div>x</div>", "<b",
])
def test_html_rejects_what_telegram_rejects(bot, text):
    err = tg_error(bot.send_message, 1, text, parse_mode="HTML")
    assert err.error_code == 400
    assert err.description.startswith("Bad Request: can't parse entities: ")


def test_html_accepts_supported_tags(bot):
    text = ('<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>'
            '<strike>k</strike><del>d</del><span class="tg-spoiler">p</span>'
            '<tg-spoiler>q</tg-spoiler><a href="https://e.x/?a=1&amp;b=2">a</a><code>c</code>'
            '<pre><code class="language-python">x</code></pre><blockquote>z</blockquote>'
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &lt;&gt;&amp;&quot;&#39;')
    message = bot.send_message(1, text, parse_mode="HTML")
    assert message.text.endswith("👍 <>&\"'")
    kinds = {e.type for e in message.entities}
    assert {"bold", "italic", "spoiler", "text_link", "pre", "custom_emoji"} <= kinds


def test_caption_limit(bot):
    err = tg_error(bot.send_document, 1, ("a.txt", b"x"), caption="c" * 1025)
    assert err.description == "Bad Request: message caption is too long"
    assert bot.send_photo(1, png(), caption="c" * 1024).caption == "c" * 1024


@pytest.mark.parametrize("data,ok", [("x" * 64, True), ("x" * 65, False),
                                     ("я" * 32, True), ("я" * 33, False)])
def test_callback_data_is_limited_in_bytes(bot, data, ok):
    markup = keyboard(types.InlineKeyboardButton("b", callback_data=data))
    if ok:
        bot.send_message(1, "t", reply_markup=markup)
    else:
        err = tg_error(bot.send_message, 1, "t", reply_markup=markup)
        assert err.description == "Bad Request: BUTTON_DATA_INVALID"


@pytest.mark.parametrize("button", [
    {"text": "none"},
    {"text": "both", "url": "https://e.x", "callback_data": "x"},
    {"text": "app", "web_app": {"url": "http://e.x/app"}},
    {"text": "empty", "callback_data": ""},
])
def test_bad_buttons_are_refused(bot, button):
    markup = json.dumps({"inline_keyboard": [[button]]})
    assert tg_error(bot.send_message, 1, "t", reply_markup=markup).error_code == 400


def test_web_app_button_with_https(bot):
    markup = keyboard(types.InlineKeyboardButton(
        "Open", web_app=types.WebAppInfo("https://shop.example/app")))
    assert bot.send_message(1, "t", reply_markup=markup).reply_markup


def test_edit_rules(tg, bot):
    markup = keyboard(types.InlineKeyboardButton("A", callback_data="a"))
    sent = bot.send_message(5, "Menu", reply_markup=markup)
    err = tg_error(bot.edit_message_text, "Menu", 5, sent.message_id, reply_markup=markup)
    assert err.description.startswith("Bad Request: message is not modified: ")
    # Dropping the markup is a change (it removes the keyboard).
    edited = bot.edit_message_text("Menu", 5, sent.message_id)
    assert edited.reply_markup is None and edited.edit_date
    err = tg_error(bot.edit_message_reply_markup, 5, sent.message_id)
    assert err.description.startswith("Bad Request: message is not modified")
    bot.edit_message_reply_markup(5, sent.message_id, reply_markup=markup)
    err = tg_error(bot.edit_message_text, "x", 5, 999)
    assert err.description == "Bad Request: message to edit not found"
    assert [m["text"] for m in tg.messages(5)] == ["Menu", "Menu", "Menu"]
    assert tg.last_message(5)["reply_markup"] == markup.to_dict()


def test_blocked_chat(tg, bot):
    tg.block(42)
    err = tg_error(bot.send_message, 42, "hi")
    assert (err.error_code, err.description) == (403, "Forbidden: bot was blocked by the user")
    assert tg.failed[-1]["error"]["error_code"] == 403 and not tg.calls


def test_rate_limit_window(tg, bot):
    tg.set_rate_limit(per_second=3)
    for _ in range(3):
        bot.send_message(1, "ok")
    err = tg_error(bot.send_message, 1, "too many")
    assert err.error_code == 429
    assert err.result_json["parameters"]["retry_after"] >= 1
    assert err.description.startswith("Too Many Requests: retry after ")
    tg.clock.advance(0.5)
    assert tg_error(bot.send_message, 1, "still inside the window").error_code == 429
    tg.clock.advance(0.5)  # the first three sends leave the 1 s window
    bot.send_message(1, "ok again")


def test_per_chat_rate_limit(tg, bot):
    tg.set_rate_limit(per_second=None, per_chat_per_second=1)
    bot.send_message(1, "a")
    bot.send_message(2, "b")
    assert tg_error(bot.send_message, 1, "c").error_code == 429
    assert bot.get_me() and bot.get_me()  # no chat: only a global limit counts these
    tg.clock.advance(1)
    bot.send_message(1, "c")


def test_messages_and_edits_are_dated_by_the_fakes_clock(tg, bot):
    sent = bot.send_message(4, "Menu")
    tg.clock.advance(90)
    edited = bot.edit_message_text("Menu, later", 4, sent.message_id)
    assert (sent.date, edited.date, edited.edit_date) == (START, START, START + 90)
    assert tg.last_message(4)["edit_date"] == START + 90


def test_fail_next(tg, bot):
    tg.fail_next(2, retry_after=5)
    for _ in range(2):
        err = tg_error(bot.send_message, 1, "x")
        assert err.result_json == {"ok": False, "error_code": 429,
                                   "description": "Too Many Requests: retry after 5",
                                   "parameters": {"retry_after": 5}}
    bot.send_message(1, "x")


def test_documents_and_photos(tg, bot):
    doc = bot.send_document(9, b"[Interface]\n", caption="<b>cfg</b>",
                            parse_mode="HTML", visible_file_name="wg0.conf")
    assert doc.document.file_name == "wg0.conf" and doc.document.file_size == 12
    assert doc.caption == "cfg"
    again = bot.send_document(9, doc.document.file_id)
    assert again.document.file_unique_id == doc.document.file_unique_id
    assert tg_error(bot.send_document, 9, "no-such-file-id").error_code == 400
    assert [d["data"] for d in tg.documents(9)] == [b"[Interface]\n"] * 2
    photo = bot.send_photo(9, png(2000, 1000))
    assert max(p.width for p in photo.photo) == 1280
    assert bot.send_photo(9, photo.photo[-1].file_id).photo
    assert tg.photos(9)[0]["data"] == png(2000, 1000)
    err = tg_error(bot.send_photo, 9, io.BytesIO(b"not an image"))
    assert err.description == "Bad Request: IMAGE_PROCESS_FAILED"
    assert tg.calls[0]["files"]["document"] == ("wg0.conf", b"[Interface]\n")


def test_delete_and_inspection_helpers(tg, bot):
    keep = bot.send_message(3, "Pick", reply_markup=keyboard(
        types.InlineKeyboardButton("VPN 1 month", callback_data="buy:vpn"),
        types.InlineKeyboardButton("Site", url="https://example.com")))
    gone = bot.send_message(3, "Temp")
    assert bot.delete_message(3, gone.message_id) is True
    assert tg.deleted == [(3, gone.message_id)]
    assert tg_error(bot.delete_message, 3, gone.message_id).description == \
        "Bad Request: message to delete not found"
    assert tg.last_message(3)["message_id"] == keep.message_id
    assert tg.find_button(3, "VPN") == {"text": "VPN 1 month", "callback_data": "buy:vpn"}
    assert tg.find_button(3, "nothing") is None
    assert [b["text"] for b in tg.buttons(tg.last_message(3))] == ["VPN 1 month", "Site"]
    assert len(tg.messages()) == 2 and tg.last_message(404) is None


def test_webhook_methods(tg, bot):
    assert tg_error(bot.set_webhook, "http://shop.example/tg").error_code == 400
    for secret in ("bad secret!", "x" * 257):
        assert tg_error(bot.set_webhook, "https://shop.example/tg",
                        secret_token=secret).error_code == 400
    assert bot.set_webhook("https://shop.example/tg", secret_token="Ab_1-" * 50)
    info = bot.get_webhook_info()
    assert info.url == "https://shop.example/tg" and tg.webhook["secret_token"] == "Ab_1-" * 50
    err = tg_error(bot.get_updates)
    assert err.error_code == 409
    assert bot.delete_webhook() and bot.get_webhook_info().url == ""


def test_get_updates_offsets_and_quick_return(tg, bot):
    start = time.monotonic()
    assert bot.get_updates(timeout=30) == []
    assert time.monotonic() - start < 2
    tg.max_long_poll = 0.1
    tg.queue_update(make_message_update(10, 77, "/start"))
    tg.queue_update(make_message_update(11, 77, "hello"))
    assert [u.update_id for u in bot.get_updates()] == [10, 11]
    assert [u.update_id for u in bot.get_updates(offset=11)] == [11]
    assert bot.get_updates(offset=12) == []
    assert bot.get_updates(offset=11) == []  # confirmed updates are gone


def test_commands_menu_and_answers(tg, bot):
    bot.set_my_commands([types.BotCommand("start", "Start")])
    bot.set_my_commands([types.BotCommand("start", "Старт")], language_code="ru")
    assert bot.get_my_commands(language_code="ru")[0].description == "Старт"
    assert tg.commands[("default", "")] == [{"command": "start", "description": "Start"}]
    assert tg_error(bot.set_my_commands, [types.BotCommand("Bad-Cmd", "x")]).error_code == 400
    bot.set_chat_menu_button(5, types.MenuButtonWebApp(
        "Shop", types.WebAppInfo("https://shop.example/app")))
    assert tg.menu_buttons[5]["web_app"]["url"] == "https://shop.example/app"
    assert bot.answer_callback_query("q1", "Done")
    assert tg_error(bot.answer_callback_query, "q1").error_code == 400  # answered twice
    assert bot.answer_pre_checkout_query("pc1", ok=True)
    assert tg_error(bot.answer_pre_checkout_query, "pc2", ok=False).error_code == 400
    assert tg.pre_checkout_answers == [{"pre_checkout_query_id": "pc1", "ok": True}]


def test_update_builders_are_real_updates(tg, bot):
    seen = []
    bot.message_handler(commands=["start"])(lambda m: seen.append(("start", m)))
    bot.callback_query_handler(func=lambda c: True)(lambda c: seen.append(("cb", c)))
    update = make_message_update(1, 77, "/start ref_5", language_code="ru", username="ann")
    bot.process_new_updates([types.Update.de_json(update)])
    message = seen[0][1]
    assert message.from_user.language_code == "ru" and message.chat.type == "private"
    sent = bot.send_message(77, "Menu", reply_markup=keyboard(
        types.InlineKeyboardButton("Buy", callback_data="buy:1")))
    update = make_callback_update(2, 77, "buy:1", tg.last_message(77))
    bot.process_new_updates([types.Update.de_json(update)])
    query = seen[1][1]
    assert query.data == "buy:1" and query.message.message_id == sent.message_id
    for name in ("telegram_update_message.json", "telegram_update_callback.json"):
        assert types.Update.de_json(fixture(name)).update_id


def test_payment_update_builders_parse():
    query = types.Update.de_json(make_pre_checkout_update(3, 77, "order:9", 250)).pre_checkout_query
    assert (query.currency, query.total_amount, query.invoice_payload) == ("XTR", 250, "order:9")
    paid = types.Update.de_json(make_successful_payment_update(4, 77, "order:9", 250))
    assert paid.message.successful_payment.telegram_payment_charge_id
    assert paid.message.content_type == "successful_payment"


def test_concurrent_sends_get_unique_ids(tg):
    import threading

    def worker():
        bot = telebot.TeleBot(TOKEN, threaded=False)  # telebot keeps a session per thread
        for _ in range(10):
            bot.send_message(8, "hi")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(m["message_id"] for m in tg.messages(8)) == list(range(1, 81))
    assert len(tg.calls) == 80


def test_builders_match_fixture_shapes():
    for built, name in ((make_message_update(1, 2, "/start"), "telegram_update_message.json"),
                        (make_callback_update(1, 2, "d", {"message_id": 1, "date": 1,
                                                          "chat": {"id": 2, "type": "private"}}),
                         "telegram_update_callback.json")):
        real = fixture(name)
        kind = next(k for k in real if k != "update_id")
        assert set(real[kind]) <= set(built[kind]) | {"message_id"}
        assert set(real[kind]["from"]) - {"last_name", "username"} <= set(built[kind]["from"])


# -------------------------------------------------------------- Crypto Pay --
@pytest.fixture
def cp():
    fake = FakeCryptoPay("1234:AAcryptoToken", clock=FakeClock(start=START))
    fake.start()
    yield fake
    fake.stop()


def cp_call(fake, method, token=None, how="json", **params):
    headers = {"Crypto-Pay-API-Token": fake.token if token is None else token}
    url = fake.api_url + "/" + method
    if how == "get":
        return requests.get(url, params=params, headers=headers, timeout=5)
    kwargs = {"json": params} if how == "json" else {"data": params}
    return requests.post(url, headers=headers, timeout=5, **kwargs)


def test_cryptopay_requires_token(cp):
    for token in ("", "wrong"):
        r = cp_call(cp, "getMe", token=token)
        assert r.status_code == 401
        assert r.json() == {"ok": False, "error": {"code": 401, "name": "UNAUTHORIZED"}}
    assert cp_call(cp, "getMe", how="get").json()["result"]["name"]
    assert cp_call(cp, "nope").json()["error"]["name"] == "METHOD_NOT_FOUND"


@pytest.mark.parametrize("how", ["json", "form", "get"])
def test_create_invoice_any_encoding(cp, how):
    r = cp_call(cp, "createInvoice", how=how, currency_type="crypto", asset="USDT",
                amount="1.5", description="VPN", payload="order:42", expires_in=3600)
    inv = r.json()["result"]
    assert inv["status"] == "active" and inv["amount"] == "1.5" and inv["payload"] == "order:42"
    assert inv["bot_invoice_url"] == "https://t.me/CryptoBot?start=" + inv["hash"]
    assert inv["mini_app_invoice_url"] and inv["web_app_invoice_url"] and inv["expiration_date"]
    assert isinstance(inv["invoice_id"], int) and inv["allow_comments"] is True


@pytest.mark.parametrize("params,name", [
    ({"asset": "DOGE", "amount": "1"}, "ASSET_INVALID"),
    ({"currency_type": "fiat", "fiat": "XXX", "amount": "1"}, "FIAT_INVALID"),
    ({"currency_type": "fiat", "fiat": "RUB", "accepted_assets": "USDT,DOGE", "amount": "1"},
     "ACCEPTED_ASSETS_INVALID"),
    ({"currency_type": "gold", "amount": "1"}, "CURRENCY_TYPE_INVALID"),
    ({"asset": "USDT", "amount": "0"}, "AMOUNT_INVALID"),
    ({"asset": "USDT", "amount": "-1"}, "AMOUNT_INVALID"),
    ({"asset": "USDT", "amount": "abc"}, "AMOUNT_INVALID"),
    ({"asset": "USDT"}, "AMOUNT_INVALID"),
    ({"asset": "USDT", "amount": "1", "description": "d" * 1025}, "DESCRIPTION_TOO_LONG"),
    ({"asset": "USDT", "amount": "1", "payload": "я" * 2049}, "PAYLOAD_TOO_LONG"),
    ({"asset": "USDT", "amount": "1", "expires_in": 0}, "EXPIRES_IN_INVALID"),
    ({"asset": "USDT", "amount": "1", "expires_in": 2678401}, "EXPIRES_IN_INVALID"),
])
def test_create_invoice_validation(cp, params, name):
    r = cp_call(cp, "createInvoice", **params)
    assert r.status_code == 400
    assert r.json() == {"ok": False, "error": {"code": 400, "name": name}}


def test_pay_builds_signed_webhook(cp):
    inv = cp_call(cp, "createInvoice", asset="USDT", amount="1.5", description="VPN",
                  payload="order:42").json()["result"]
    raw, headers = cp.pay(inv["invoice_id"])
    secret = hashlib.sha256(cp.token.encode()).digest()
    assert headers["crypto-pay-api-signature"] == hmac.new(secret, raw, hashlib.sha256).hexdigest()
    update = json.loads(raw)
    assert update["update_type"] == "invoice_paid" and isinstance(update["update_id"], int)
    paid = update["payload"]
    assert paid["status"] == "paid" and paid["paid_asset"] == "USDT" and paid["payload"] == "order:42"
    real = fixture("cryptopay_invoice_paid.json")
    assert set(real) == set(update)
    assert set(real["payload"]) <= set(paid)
    with pytest.raises(ValueError):
        cp.pay(inv["invoice_id"])
    got = cp_call(cp, "getInvoices", how="get", invoice_ids=str(inv["invoice_id"])).json()
    assert got["result"]["items"][0]["status"] == "paid"


def test_fiat_invoice_accepted_assets(cp):
    inv = cp_call(cp, "createInvoice", currency_type="fiat", fiat="RUB", amount="180",
                  accepted_assets="USDT,TON").json()["result"]
    assert inv["accepted_assets"] == ["USDT", "TON"] and "asset" not in inv
    with pytest.raises(ValueError):
        cp.pay(inv["invoice_id"], asset="BTC")
    paid = json.loads(cp.pay(inv["invoice_id"], asset="USDT")[0])["payload"]
    assert paid["paid_amount"] == "2" and paid["paid_fiat_rate"] == "90"


def test_get_invoices_filters_expire_and_delete(cp):
    ids = [cp_call(cp, "createInvoice", asset="TON", amount=str(n)).json()["result"]["invoice_id"]
           for n in (1, 2, 3)]
    cp.pay(ids[0], asset="TON")
    cp.expire(ids[1])
    result = cp_call(cp, "getInvoices", invoice_ids="%d,%d" % (ids[0], ids[1])).json()["result"]
    assert [i["status"] for i in result["items"]] == ["paid", "expired"]
    active = cp_call(cp, "getInvoices", status="active").json()["result"]["items"]
    assert [i["invoice_id"] for i in active] == [ids[2]]
    with pytest.raises(ValueError):
        cp.pay(ids[1], asset="TON")
    assert cp_call(cp, "deleteInvoice", invoice_id=ids[2]).json() == {"ok": True, "result": True}
    assert cp_call(cp, "deleteInvoice", invoice_id=ids[2]).json()["error"]["name"] == \
        "INVOICE_NOT_FOUND"
    assert len(cp.invoices) == 2
    asked = [p.get("invoice_ids") for p in cp.calls("getInvoices")]
    assert asked == ["%d,%d" % (ids[0], ids[1]), None]  # what the client sent, in order
    assert [p["invoice_id"] for p in cp.calls("deleteInvoice")] == [ids[2]] * 2


def test_invoice_expires_by_itself(cp):
    inv = cp_call(cp, "createInvoice", asset="USDT", amount="1", expires_in=1).json()["result"]
    assert inv["created_at"] == "2025-06-15T15:06:40.000Z"
    assert inv["expiration_date"] == "2025-06-15T15:06:41.000Z"
    cp.clock.advance(0.9)
    assert cp.invoice(inv["invoice_id"])["status"] == "active"
    cp.clock.advance(0.2)
    got = cp_call(cp, "getInvoices", invoice_ids=str(inv["invoice_id"])).json()["result"]
    assert got["items"][0]["status"] == "expired"
    with pytest.raises(ValueError):
        cp.pay(inv["invoice_id"])


def test_a_fake_can_share_the_shops_clock():
    from lib import clock  # reset around every test by tests/conftest.py
    with FakeCryptoPay(clock=clock.epoch) as fake:
        inv = cp_call(fake, "createInvoice", asset="USDT", amount="1",
                      expires_in=3600).json()["result"]
        clock.advance(timedelta(minutes=59))
        assert fake.invoice(inv["invoice_id"])["status"] == "active"
        clock.advance(timedelta(minutes=2))
        assert fake.invoice(inv["invoice_id"])["status"] == "expired"


# ---------------------------------------------------------------- YooKassa --
@pytest.fixture
def yk():
    fake = FakeYooKassa("100500", "test_secret", clock=FakeClock(start=START))
    fake.start()
    names = ("account_id", "secret_key", "auth_token", "api_url", "timeout", "max_attempts",
             "verify", "logger")
    saved = {n: getattr(Configuration, n) for n in names}
    Configuration.configure("100500", "test_secret", api_url=fake.api_url)
    yield fake
    for name, value in saved.items():
        setattr(Configuration, name, value)
    fake.stop()


def payment_params(**overrides):
    params = {"amount": {"value": "199.00", "currency": "RUB"}, "capture": True,
              "confirmation": {"type": "redirect", "return_url": "https://t.me/fake_shop_bot"},
              "description": "VPN, 1 month", "metadata": {"order_id": "42"}}
    params.update(overrides)
    return params


def yk_post(fake, path, body, key="k-1", auth=("100500", "test_secret")):
    headers = {"Idempotence-Key": key} if key else {}
    return requests.post(fake.api_url + path, json=body, auth=auth, headers=headers, timeout=5)


def test_yookassa_create_payment_with_sdk(yk):
    payment = Payment.create(payment_params(), "order-42")
    assert payment.status == "pending" and payment.paid is False and payment.test is True
    assert payment.confirmation.confirmation_url.endswith(payment.id)
    assert payment.amount.value == 199 and payment.recipient.account_id == "100500"
    assert payment.metadata["order_id"] == "42" and payment.refundable is False
    assert set(fixture("yookassa_payment_pending.json")) <= set(yk.payments[payment.id])
    assert Payment.find_one(payment.id).id == payment.id


def test_yookassa_idempotence(yk):
    first = Payment.create(payment_params(), "order-42")
    assert Payment.create(payment_params(), "order-42").id == first.id
    with pytest.raises(BadRequestError) as info:
        Payment.create(payment_params(description="changed"), "order-42")
    assert info.value.content["code"] == "invalid_request"
    assert yk.idempotence_keys == ["order-42"] * 3 and len(yk.payments) == 1
    r = yk_post(yk, "/payments", payment_params(), key=None)
    assert r.status_code == 400 and r.json()["parameter"] == "Idempotence-Key"


def test_yookassa_credentials(yk):
    Configuration.configure("100500", "wrong", api_url=yk.api_url)
    with pytest.raises(UnauthorizedError) as info:
        Payment.find_one("x")
    assert info.value.content["code"] == "invalid_credentials"
    assert info.value.content["type"] == "error" and info.value.content["id"]


@pytest.mark.parametrize("overrides,parameter", [
    ({"amount": {"value": "199.001", "currency": "RUB"}}, "amount.value"),
    ({"amount": {"value": "-5.00", "currency": "RUB"}}, "amount.value"),
    ({"amount": {"value": "5.00", "currency": "rub"}}, "amount.currency"),
    ({"confirmation": {"type": "redirect"}}, "confirmation.return_url"),
    ({"confirmation": {"type": "teleport"}}, "confirmation.type"),
    ({"description": "d" * 129}, "description"),
    ({"metadata": {"k%d" % i: "v" for i in range(17)}}, "metadata"),
    ({"metadata": {"nested": {"a": 1}}}, "metadata"),
    ({"capture": "yes"}, "capture"),
])
def test_yookassa_payment_validation(yk, overrides, parameter):
    r = yk_post(yk, "/payments", payment_params(**overrides))
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_request" and r.json()["parameter"] == parameter


def test_yookassa_unknown_payment(yk):
    with pytest.raises(NotFoundError) as info:
        Payment.find_one("2f3b588d-000f-5000-8000-1d6e87c7fbde")
    assert info.value.content["code"] == "not_found"


def test_yookassa_succeed_notification_and_forgery(yk):
    payment = Payment.create(payment_params(), "order-1")
    forged = yk.forged_notification(payment.id)
    assert forged["object"]["status"] == "succeeded"
    assert Payment.find_one(payment.id).status == "pending"  # the re-read exposes it
    with pytest.raises(ValueError):
        yk.notification(payment.id)  # not succeeded yet
    yk.clock.advance(300)  # the buyer takes five minutes to pay
    yk.succeed(payment.id)
    found = Payment.find_one(payment.id)
    assert found.status == "succeeded" and found.paid
    assert (found.created_at, found.captured_at) == ("2025-06-15T15:06:40.000Z",
                                                     "2025-06-15T15:11:40.000Z")
    assert found.payment_method.type == "bank_card" and found.income_amount.value < 199
    body = yk.notification(payment.id)
    real = fixture("yookassa_payment_succeeded.json")
    assert set(real) == set(body) and set(real["object"]) <= set(body["object"])
    for notice in (real, body, forged):
        assert WebhookNotificationFactory().create(notice).object.status == "succeeded"


def test_yookassa_cancel_and_refunds(yk):
    canceled = Payment.create(payment_params(), "order-c")
    yk.cancel(canceled.id)
    found = Payment.find_one(canceled.id)
    assert found.status == "canceled" and found.cancellation_details.reason
    assert yk.notification(canceled.id, "payment.canceled")["event"] == "payment.canceled"
    refund = {"payment_id": canceled.id, "amount": {"value": "199.00", "currency": "RUB"}}
    with pytest.raises(BadRequestError):
        Refund.create(refund, "refund-c")
    paid = Payment.create(payment_params(), "order-p")
    yk.succeed(paid.id)
    assert yk_post(yk, "/refunds", dict(refund, payment_id=paid.id), key=None).status_code == 400
    partial = Refund.create(dict(refund, payment_id=paid.id,
                                 amount={"value": "100.00", "currency": "RUB"}), "refund-1")
    assert partial.status == "succeeded" and partial.payment_id == paid.id
    with pytest.raises(BadRequestError):
        Refund.create(dict(refund, payment_id=paid.id), "refund-2")  # only 99.00 left
    assert Payment.find_one(paid.id).refunded_amount.value == 100
    assert yk.notification(paid.id, "refund.succeeded")["object"]["id"] == partial.id
