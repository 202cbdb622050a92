"""The fake Telegram's message rules, as the real Bot API enforces them: lengths, HTML, buttons, callback data, edits."""
import json
import time

import pytest
import requests
import telebot
from telebot import types

from tests.fakes.clock import FakeClock
from tests.fakes.http import LoopbackServer
from tests.support.fake_checks import START, TOKEN, keyboard, png, tg_error


def test_fake_clock_follows_real_time_or_stands_still():
    live, frozen = FakeClock(), FakeClock(start=START)
    assert abs(live.now() - time.time()) < 5 and frozen() == frozen.now() == START
    live.advance(3600)
    frozen.advance(2.5)
    assert abs(live() - time.time() - 3600) < 5 and frozen() == START + 2.5
    with pytest.raises(ValueError):
        frozen.advance(-1)  # never back: rate windows and expiries assume it


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
