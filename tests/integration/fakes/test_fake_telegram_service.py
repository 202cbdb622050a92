"""The fake Telegram as a service: blocked chats, rate limits on its clock, injected failures, files, webhooks, updates
and their builders."""
import io
import time

import telebot
from telebot import types

from tests.fakes.telegram import (
    make_callback_update,
    make_message_update,
    make_pre_checkout_update,
    make_successful_payment_update,
)
from tests.support.fake_checks import START, TOKEN, fixture, keyboard, png, tg_error


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
