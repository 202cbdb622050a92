"""Telegram hygiene: private chats only, malformed updates dropped quietly, passwords that do not linger."""
import json
import logging
from datetime import timedelta

import pytest
from pony.orm import db_session
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from lib import clock
from lib.models import VpsServer
from lib.tasks import QUEUES, queue
from tests.fakes.tg_updates import group_chat, make_callback_update, make_message_update
from tests.support.buying import VPS_USER, bought_server, pay_vps

USER = 640001
GROUP = -1001234567890


def failed_jobs(shop) -> int:
    return sum(FailedJobRegistry(queue=queue(shop.redis, name)).count for name in QUEUES)


def post(shop, update):
    answer = shop.post_update(update)
    assert answer.status_code == 200, answer.get_data(as_text=True)


def say_in_group(shop, user_id, text, chat_id=GROUP):
    post(shop, make_message_update(shop.next_update_id(), user_id, text, chat_type="supergroup", chat_id=chat_id))
    shop.run_jobs()


# ---- private chats only ---------------------------------------------------------------------

def test_in_a_group_the_bot_says_once_that_it_works_in_private_and_nothing_else(shop):
    for text in ("/start", "/buy", "/help", "hello bot"):
        say_in_group(shop, USER, text)
    said = shop.telegram.messages(GROUP)
    assert len(said) == 1
    assert said[0]["text"] == "🔒 I work in private chats only. Write to me there: https://t.me/fake_shop_bot"
    assert not shop.telegram.buttons(said[0])  # no menu, no mini app button
    assert shop.telegram.messages(USER) == []  # nothing was sent to the writer's private chat either
    say_in_group(shop, USER + 1, "/start", chat_id=GROUP - 1)  # another group hears it once too
    assert [m["text"].split(".")[0] for m in shop.telegram.messages(GROUP - 1)] == ["🔒 I work in private chats only"]
    shop.send(USER, "/start")  # in private the same user gets the shop
    assert shop.last_text(USER).startswith("Hi, Ann!")


def test_the_group_sentence_is_in_the_writers_language(shop):
    post(shop, make_message_update(shop.next_update_id(), USER, "/start", language_code="ru",
                                   chat_type="group", chat_id=-4001))
    shop.run_jobs()
    assert shop.telegram.messages(-4001)[0]["text"].startswith("🔒 Я работаю только в личных сообщениях")


def test_a_group_that_could_not_be_told_is_told_at_its_next_message(shop):
    shop.telegram.block(GROUP)  # e.g. the bot may not write there yet
    say_in_group(shop, USER, "/start")
    assert shop.telegram.messages(GROUP) == []
    shop.telegram.unblock(GROUP)
    say_in_group(shop, USER, "/start")
    assert len(shop.telegram.messages(GROUP)) == 1


def test_a_button_pressed_outside_a_private_chat_reveals_nothing(make_shop, fake_proxmox):
    shop, server_id, _ = bought_server(make_shop, fake_proxmox)
    with db_session:
        password = shop.rt.box.open(VpsServer[server_id].password_enc)
    before = len(shop.telegram.messages())
    group_message = {"message_id": 77, "from": shop.telegram.bot_user, "chat": group_chat(GROUP),
                     "date": int(clock.epoch()), "text": "an old menu forwarded to a group"}
    for data in (f"pwd:{server_id}", f"sv:{server_id}", "menu", f"pw:{server_id}:stop"):
        post(shop, make_callback_update(shop.next_update_id(), VPS_USER, data, group_message))
    shop.run_jobs()
    assert len(shop.telegram.messages()) == before  # not a message anywhere
    answers = shop.telegram.callback_answers[-4:]
    assert [a["text"] for a in answers] == ["🔒 I work in private chats only. Write to me in a private chat."] * 4
    assert all(password not in json.dumps(a) for a in shop.telegram.callback_answers)
    assert fake_proxmox.vm(fake_proxmox.vms()[0]["vmid"])["status"] == "running"


# ---- malformed and unknown updates -----------------------------------------------------------

MALFORMED = {
    "message is a string": {"message": "hi"},
    "no chat": {"message": {"message_id": 1, "from": {"id": USER, "is_bot": False, "first_name": "A"},
                            "date": 1, "text": "/start"}},
    "no sender": {"message": {"message_id": 1, "chat": {"id": USER, "type": "private"}, "date": 1, "text": "x"}},
    "sender id a string": {"message": {"message_id": 1, "from": {"id": "640001", "first_name": "A"},
                                       "chat": {"id": USER, "type": "private"}, "date": 1, "text": "x"}},
    "sender id a boolean": {"message": {"message_id": 1, "from": {"id": True, "first_name": "A"},
                                        "chat": {"id": USER, "type": "private"}, "date": 1, "text": "x"}},
    "text a list": {"message": {"message_id": 1, "from": {"id": USER, "first_name": "A"},
                                "chat": {"id": USER, "type": "private"}, "date": 1, "text": ["/start"]}},
    "callback data a number": {"callback_query": {"id": "1", "from": {"id": USER, "first_name": "A"},
                                                  "chat_instance": "1", "data": 7}},
    "message without date": {"message": {"message_id": 1, "from": {"id": USER, "is_bot": False, "first_name": "A"},
                                         "chat": {"id": USER, "type": "private"}, "text": "/start"}},
    "two kinds at once": {"message": {}, "callback_query": {}},
    "no kind": {},
    "an edited message": {"edited_message": {"message_id": 1, "chat": {"id": USER, "type": "private"}, "date": 1}},
    "a channel post": {"channel_post": {"message_id": 1, "chat": {"id": -100, "type": "channel"}, "date": 1}},
    "a poll": {"poll": {"id": "1", "question": "?", "options": []}},
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_or_unknown_update_is_logged_and_dropped_not_a_failed_job(shop, body, caplog):
    update = {"update_id": shop.next_update_id(), **body}
    with caplog.at_level(logging.WARNING, logger="jobs.handle_update"):
        post(shop, update)
        shop.run_jobs()
    assert failed_jobs(shop) == 0
    assert shop.telegram.messages() == []
    dropped = [r.getMessage() for r in caplog.records if r.name == "jobs.handle_update"]
    assert len(dropped) == 1 and dropped[0].startswith(f"dropped Telegram update {update['update_id']} (")
    assert "/start" not in dropped[0] and "640001" not in dropped[0]  # the reason, never the content
    shop.send(USER, "/start")  # and the bot goes on answering
    assert shop.last_text(USER).startswith("Hi, Ann!")


def test_garbage_left_in_the_old_inbox_costs_nothing_but_a_log_line(shop):
    good = make_message_update(shop.next_update_id(), USER, "/start")
    shop.redis.rpush("shop:tg:inbox", b"\xff\xfe not json", b"[1, 2]", json.dumps(good), b"{\"update_id\": ")
    assert shop.cron_tick().status_code == 200  # cron_tick queues a drain for a non-empty inbox
    shop.run_jobs()
    assert failed_jobs(shop) == 0 and shop.redis.llen("shop:tg:inbox") == 0
    assert shop.last_text(USER).startswith("Hi, Ann!")


# ---- passwords do not stay in the chat -------------------------------------------------------

def hide_jobs(shop) -> list:
    """(chat, message id, seconds from now) of every hide_secret job waiting for its time."""
    registry = ScheduledJobRegistry(queue=queue(shop.redis, "low"))
    out = []
    for job_id in registry.get_job_ids():
        job = queue(shop.redis, "low").fetch_job(job_id)
        if job.func_name == "jobs.hide_secret.run":
            out.append((job.args[0], job.args[1], registry.get_scheduled_time(job_id).timestamp() - clock.epoch()))
    return out


def press_without_waiting(shop, user_id, label):
    """Press a button and run what it queued, but no scheduled job (they are not due yet)."""
    button = shop.telegram.find_button(user_id, label)
    post(shop, make_callback_update(shop.next_update_id(), user_id, button["callback_data"],
                                    shop.message_with(user_id, button)))
    shop.run_jobs(scheduled=False)


def test_a_shown_password_is_hidden_after_ten_minutes(make_shop, fake_proxmox):
    shop, server_id, _ = bought_server(make_shop, fake_proxmox)
    with db_session:
        password = shop.rt.box.open(VpsServer[server_id].password_enc)
    shop.send(VPS_USER, "/start")
    shop.click(VPS_USER, "My servers")
    shop.click(VPS_USER, "203.0.113.10")
    press_without_waiting(shop, VPS_USER, "Password")
    shown = shop.telegram.last_message(VPS_USER)
    assert password in shown["text"]
    [(chat, message_id, due_in)] = hide_jobs(shop)
    assert (chat, message_id) == (VPS_USER, shown["message_id"]) and 590 < due_in <= 600
    shop.run_jobs()  # run before its time (as a test harness may): the message is left alone
    assert password in shop.telegram.last_message(VPS_USER)["text"]
    press_without_waiting(shop, VPS_USER, "Password")
    shown = shop.telegram.last_message(VPS_USER)
    clock.advance(timedelta(seconds=601))
    shop.run_jobs()
    hidden = [m for m in shop.telegram.messages(VPS_USER) if m["message_id"] == shown["message_id"]][-1]
    assert hidden["text"] == "🔒 Password hidden. Open the mini app to see it."
    assert [b["text"] for b in shop.telegram.buttons(hidden)] == ["📱 Open app"]
    assert shop.telegram.buttons(hidden)[0]["web_app"]["url"] == "https://shop.example.test/miniapp_api/"
    live = shop.telegram.last_message(VPS_USER)
    assert password not in json.dumps(live)


def test_the_ready_message_and_the_reinstall_notice_hide_their_passwords_too(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox)
    pay_vps(shop)
    shop.run_jobs(scheduled=False)
    ready = shop.telegram.last_message(VPS_USER)
    assert "is ready" in ready["text"]
    assert [(chat, mid) for chat, mid, _ in hide_jobs(shop)] == [(VPS_USER, ready["message_id"])]
    clock.advance(timedelta(seconds=601))
    shop.run_jobs()
    assert shop.telegram.last_message(VPS_USER)["text"].startswith("🔒 Password hidden.")
    shop.send(VPS_USER, "/start")
    shop.click(VPS_USER, "My servers")
    shop.click(VPS_USER, "203.0.113.10")
    shop.click(VPS_USER, "Reinstall")
    press_without_waiting(shop, VPS_USER, "Yes, wipe and reinstall")
    notice = shop.telegram.last_message(VPS_USER)
    assert "reinstalled" in notice["text"]
    assert (VPS_USER, notice["message_id"]) in [(chat, mid) for chat, mid, _ in hide_jobs(shop)]


def test_a_password_message_already_deleted_ends_the_hide_job_quietly(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox)
    pay_vps(shop)
    shop.run_jobs(scheduled=False)
    ready = shop.telegram.last_message(VPS_USER)
    from lib.telegram.bot import get_bot
    get_bot(shop.settings).delete_message(VPS_USER, ready["message_id"])  # the user deleted it
    clock.advance(timedelta(seconds=601))
    shop.run_jobs()
    assert failed_jobs(shop) == 0
