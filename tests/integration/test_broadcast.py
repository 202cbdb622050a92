"""Broadcasts against the fake Telegram with its 30 msg/s limit: once per user, 429s waited out,
blocked users marked, cancel and crash honoured, the admin's flow and report, admins only."""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pony.orm import db_session
from rq.registry import FinishedJobRegistry
from telebot import types

from jobs import broadcast as job
from lib import clock
from lib.broadcast import segments
from lib.broadcast.actions import start as start_broadcast
from lib.broadcast.broadcasts import cancel_broadcast, queue_run, snapshot
from lib.broadcast.drafts import create_draft
from lib.errors import UserError
from lib.models import Broadcast, BroadcastDelivery, Order, User, VpnPeer, VpsServer
from lib.models.database import run_transaction
from lib.telegram.admin import broadcast as screens
from lib.telegram.admin.broadcast import AWAIT_KEY
from lib.telegram.bot import get_bot
from lib.telegram.callbacks import unpack
from tests.fakes.telegram import make_callback_update, make_message_update

ROOT = Path(__file__).resolve().parents[2]
ADMIN = 111
TEXT = "<b>Spring sale</b>: 20% off &amp; more"
PLAIN = "Spring sale: 20% off & more"  # what the fake stores once the HTML is parsed


def add_users(ids, **fields):
    with db_session:
        for user_id in ids:
            User(id=user_id, first_name=f"U{user_id}", language="en", created_at=clock.now(), **fields)


def got(fake, user_id, text=PLAIN):
    return [m for m in fake.messages(user_id) if m.get("text") == text]


def report(fake):
    """The admin's final report (the last new message with the numbers, not an edit), as numbers.

    Not simply the last message: the "stopping…" answer to the Stop button may be held up by a 429
    and arrive after the report."""
    text = [m for m in fake.messages(ADMIN) if not m.get("edit_date") and "Delivered:" in (m.get("text") or "")][-1]["text"]
    numbers = {key: int(re.search(pattern, text).group(1)) for key, pattern in
               (("sent", r"Delivered: (\d+)"), ("blocked", r"Blocked the bot: (\d+)"), ("failed", r"Failed: (\d+)"))}
    return text, numbers


def admin_user(user_id=ADMIN, lang="en"):
    return {"id": user_id, "lang": lang, "banned": False, "name": "Admin", "balance": Decimal("0")}


def press(shop, label, user_id=ADMIN):
    """Press the newest button with this label, straight into the broadcast flow (as the panel routes it)."""
    button = shop.telegram.find_button(user_id, label)
    assert button is not None, f"no button {label!r} in {shop.last_text(user_id)!r}"
    message = shop.message_with(user_id, button)
    update = make_callback_update(shop.next_update_id(), user_id, button["callback_data"], message)
    action, args = unpack(button["callback_data"])
    assert action.startswith("admb") and len(button["callback_data"].encode()) <= 64
    screens.on_callback(get_bot(shop.settings), shop.rt, admin_user(user_id), user_id,
                        types.CallbackQuery.de_json(update["callback_query"]), action, args)
    shop.run_jobs()


def open_flow(shop, user_id=ADMIN):
    """The panel's "📣 Broadcast" button (callback data "admb")."""
    screens.on_callback(get_bot(shop.settings), shop.rt, admin_user(user_id), user_id, None, "admb", [])


def say(shop, text, user_id=ADMIN):
    message = types.Message.de_json(make_message_update(1, user_id, text)["message"])
    return screens.consume_message(get_bot(shop.settings), shop.rt, admin_user(user_id), user_id, message)


def test_three_hundred_users_each_get_it_once_under_the_rate_limit(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    fake = shop.telegram
    add_users(range(1, 301))
    with db_session:
        User[5].banned = True
    blocked = {7, 42, 250}
    for user_id in blocked:
        fake.block(user_id)
    fake.set_rate_limit(per_second=30)
    fake.fail_next(5, retry_after=1)  # more than the request sender retries: the job waits out the rest
    broadcast_id = start_broadcast(shop.rt, ADMIN, TEXT, "Open the shop", "https://example.com/shop", "all")
    started = time.monotonic()
    shop.run_jobs()
    took = time.monotonic() - started

    reachable = set(range(1, 301)) - blocked - {5}
    for user_id in reachable:
        messages = got(fake, user_id)
        assert len(messages) == 1, (user_id, len(messages))
        assert fake.buttons(messages[0]) == [{"text": "Open the shop", "url": "https://example.com/shop"}]
    assert not got(fake, 5) and not any(got(fake, user_id) for user_id in blocked)
    with db_session:
        assert {u.id for u in User.select(lambda u: u.blocked_bot)} == blocked
        statuses = {d.user_id: d.status for d in BroadcastDelivery.select()}
        b = Broadcast[broadcast_id]
        assert (b.status, b.total, b.sent, b.blocked, b.failed) == ("done", 299, 296, 3, 0)
    assert statuses == {**{u: "sent" for u in reachable}, **{u: "blocked" for u in blocked}}
    too_many = [f for f in fake.failed if f["error"]["error_code"] == 429]
    assert len(too_many) >= 5  # the injected ones, each retried (nothing failed for it)
    text, numbers = report(fake)
    assert "finished" in text and numbers == {"sent": 296, "blocked": 3, "failed": 0} and "Recipients: 299" in text
    progress = [m for m in fake.messages(ADMIN) if m.get("edit_date") and " of 299" in m["text"]]
    assert progress, "the progress message was never updated"
    assert len({m["message_id"] for m in progress}) == 1  # one progress message, edited
    # 300 sends (+ progress edits) at <= 30/s, plus the 429 waits: paced, not throttled to a crawl
    assert 299 / 30 <= took < 299 / 25 + 8


def test_segments_pick_the_right_users(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    now, soon, past = clock.now(), clock.now() + timedelta(days=20), clock.now() - timedelta(days=1)
    add_users(range(1, 12))
    with db_session:
        User[9].banned = True
        User[10].blocked_bot = True

        def order(user_id, fulfilled=True):
            Order(user=User[user_id], product="vpn", plan_id="m1", provider="balance", amount=Decimal("100"),
                  status="fulfilled" if fulfilled else "pending", created_at=now,
                  fulfilled_at=now if fulfilled else None)

        def peer(user_id, status, n=[0]):
            n[0] += 1
            VpnPeer(user=User[user_id], plan_id="m1", interface="wg0", address=f"10.8.0.{n[0]}/32",
                    public_key=f"pub{n[0]}", private_key_enc="x", preshared_key_enc="x", server_public_key="s",
                    status=status, expires_at=soon if status != "expired" else past, created_at=now)

        def server(user_id, status):
            VpsServer(user=User[user_id], plan_id="v1", node="pve", name=f"vps-{user_id}", ip=f"203.0.113.{user_id}",
                      prefix=24, status=status, expires_at=soon, created_at=now)

        for user_id in (1, 2, 3, 4, 5, 6, 11):
            order(user_id)
        peer(1, "active"), peer(2, "paused"), server(3, "running"), peer(4, "expired"), server(5, "suspended")
        peer(11, "expired"), peer(11, "active")
        order(7, fulfilled=False)
        order(9), peer(9, "active")  # banned: never a recipient
    expected = {"all": [1, 2, 3, 4, 5, 6, 7, 8, 11], "active": [1, 2, 3, 11], "expired": [4, 5, 6],
                "never_paid": [7, 8]}
    for segment, ids in expected.items():
        assert run_transaction(segments.user_ids, segment) == ids, segment
    assert run_transaction(segments.counts) == {k: len(v) for k, v in expected.items()}

    start_broadcast(shop.rt, ADMIN, TEXT, None, None, "expired")
    shop.run_jobs()
    assert [u for u in range(1, 12) if got(shop.telegram, u)] == [4, 5, 6]
    assert report(shop.telegram)[1] == {"sent": 3, "blocked": 0, "failed": 0}


def test_the_admin_flow_previews_then_sends_only_when_confirmed(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    fake = shop.telegram
    add_users([ADMIN, 1, 2, 3])
    with db_session:
        Order(user=User[3], product="vpn", plan_id="m1", provider="balance", amount=Decimal("100"),
              status="fulfilled", created_at=clock.now(), fulfilled_at=clock.now())
    assert not say(shop, "hello")  # no flow going: not for the broadcast
    open_flow(shop)
    assert "New broadcast" in shop.last_text(ADMIN)
    assert say(shop, "News <b> & more")  # typed text is kept as typed, safe for HTML
    assert "Who should get it?" in shop.last_text(ADMIN)
    press(shop, "Never paid (3)")  # ADMIN, 1, 2
    press(shop, "Add a button")
    assert say(shop, "no link here")
    assert "does not fit" in shop.last_text(ADMIN)
    assert say(shop, "Visit | https://example.com/x")
    preview = fake.messages(ADMIN)[-2]
    assert preview["text"] == "News <b> & more"
    assert fake.buttons(preview) == [{"text": "Visit", "url": "https://example.com/x"}]
    assert "3 now" in shop.last_text(ADMIN)
    assert not any(got(fake, u, "News <b> & more") for u in (1, 2, 3))  # nothing before the confirmation
    press(shop, "Send to 3")
    for user_id, count in ((ADMIN, 2), (1, 1), (2, 1), (3, 0)):  # the admin: preview + the broadcast
        assert len(got(fake, user_id, "News <b> & more")) == count, user_id
    assert report(fake)[1] == {"sent": 3, "blocked": 0, "failed": 0}
    with db_session:
        first = Broadcast.select().first().id
    screens.on_callback(get_bot(shop.settings), shop.rt, admin_user(), ADMIN, None, "admbc", [str(first)])
    assert "can no longer be changed" in shop.last_text(ADMIN)  # a repeated confirmation sends nothing more
    shop.run_jobs()
    assert len(got(fake, 1, "News <b> & more")) == 1
    # a new flow, cancelled from the preview: nothing is sent, and a command leaves a flow
    open_flow(shop)
    say(shop, "Second")
    press(shop, "Everyone")
    press(shop, "No button")
    press(shop, "Cancel")
    assert "Nothing was sent" in shop.last_text(ADMIN) and not got(fake, 1, "Second")
    with db_session:
        assert Broadcast.select(lambda b: b.text == "Second").first().status == "cancelled"
    open_flow(shop)
    assert not say(shop, "/start") and not say(shop, "text after the command")


def test_cancel_midway_stops_and_reports(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    fake = shop.telegram
    add_users(range(1, 201))
    fake.set_rate_limit(per_second=30)
    broadcast_id = start_broadcast(shop.rt, ADMIN, TEXT, None, None, "all")
    sender = threading.Thread(target=job.run, args=(broadcast_id,))
    sender.start()
    deadline = time.monotonic() + 20
    while sum(1 for u in range(1, 201) if got(fake, u)) < 40:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    press(shop, "Stop")  # the Stop button under the admin's progress message
    sender.join(20)
    assert not sender.is_alive()
    shop.run_jobs()  # the run queued at start and the one the cancel queued: both find it over
    reached = [u for u in range(1, 201) if got(fake, u)]
    assert 40 <= len(reached) < 120 and all(len(got(fake, u)) == 1 for u in reached)
    assert snapshot(broadcast_id)["status"] == "cancelled"
    progress_id = snapshot(broadcast_id)["progress_message_id"]
    assert "stopped after" in [m for m in fake.messages(ADMIN) if m["message_id"] == progress_id][-1]["text"]
    reports = [m for m in fake.messages(ADMIN) if "stopped after" in (m.get("text") or "") and not m.get("edit_date")]
    assert len(reports) == 1
    _, numbers = report(fake)
    assert numbers == {"sent": len(reached), "blocked": 0, "failed": 0}


def test_cancelled_before_the_job_runs_sends_nothing(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    add_users(range(1, 21))
    broadcast_id = start_broadcast(shop.rt, ADMIN, TEXT, None, None, "all")
    assert cancel_broadcast(shop.rt, broadcast_id)
    assert not cancel_broadcast(shop.rt, broadcast_id)
    shop.run_jobs()
    assert not any(got(shop.telegram, u) for u in range(1, 21))
    assert "stopped after 0 of 20" in shop.last_text(ADMIN)


def test_a_second_run_or_two_at_once_send_nobody_twice(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    fake = shop.telegram
    add_users(range(1, 61))
    fake.set_rate_limit(per_second=30)
    broadcast_id = start_broadcast(shop.rt, ADMIN, TEXT, None, None, "all")
    runs = [threading.Thread(target=job.run, args=(broadcast_id,)) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(30)
    shop.run_jobs()  # the queued copy
    with db_session:  # and once more, as if the job were queued again by mistake
        Broadcast[broadcast_id].set(status="sending", finished_at=None)
    job.run(broadcast_id)
    assert all(len(got(fake, u)) == 1 for u in range(1, 61))
    # one budget for both runs (two budgets would be 60/s: dozens of 429s); the odd 429 is waited out
    assert len([f for f in fake.failed if f["error"]["error_code"] == 429]) <= 2
    finals = [m for m in fake.messages(ADMIN) if "finished" in (m.get("text") or "") and not m.get("edit_date")]
    assert len(finals) == 2 and all("Delivered: 60" in m["text"] for m in finals)  # the re-run's own report


def test_a_killed_run_is_continued_without_doubles(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    fake = shop.telegram
    add_users(range(1, 101))
    fake.set_rate_limit(per_second=30)
    broadcast_id = start_broadcast(shop.rt, ADMIN, TEXT, None, None, "all")
    code = "import sys; from jobs.broadcast import run; run(int(sys.argv[1]))"
    first = subprocess.Popen([sys.executable, "-c", code, str(broadcast_id)], cwd=ROOT, env={**os.environ, **shop.env},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while sum(1 for u in range(1, 101) if got(fake, u)) < 30:
            assert time.monotonic() < deadline and first.poll() is None, "the first run never got going"
            time.sleep(0.02)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    assert snapshot(broadcast_id)["status"] == "sending"
    shop.run_jobs()  # the queued run picks up where the killed one stopped
    counts = {u: len(got(fake, u)) for u in range(1, 101)}
    assert max(counts.values()) == 1
    with db_session:
        unsure = {d.user_id for d in BroadcastDelivery.select(lambda d: d.status == "sending")}
    # at most the one user the killed run had claimed and not yet heard back about
    assert {u for u, n in counts.items() if n == 0} <= unsure and len(unsure) <= 1
    assert report(fake)[1]["sent"] == 100


def test_non_admins_change_nothing(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    add_users([ADMIN, 555, 1])
    draft = create_draft(ADMIN, TEXT)
    bot, intruder = get_bot(shop.settings), admin_user(555)
    before = len(shop.telegram.calls)
    screens.on_callback(bot, shop.rt, intruder, 555, None, "admb", [])
    for data in ("admb", f"admbs:{draft}:active", f"admbb:{draft}", f"admbn:{draft}", f"admbc:{draft}",
                 f"admbx:{draft}"):
        action, args = unpack(data)
        screens.on_callback(bot, shop.rt, intruder, 555, None, action, args)
    assert not say(shop, "intruder text", user_id=555)
    assert shop.redis.get(AWAIT_KEY.format(555)) is None
    assert len(shop.telegram.calls) == before
    with pytest.raises(UserError):
        start_broadcast(shop.rt, 555, TEXT, None, None, "all")
    # the same callbacks through the real webhook: the intruder only gets the main menu
    shop.send(555, "/start")
    message = shop.telegram.last_message(555)
    for data in (f"admbc:{draft}", f"admbx:{draft}", "admb"):
        assert shop.post_update(make_callback_update(shop.next_update_id(), 555, data, message)).status_code == 200
    shop.run_jobs()
    with db_session:
        assert Broadcast[draft].status == "draft" and Broadcast.select().count() == 1
        assert BroadcastDelivery.select().count() == 0
    assert not got(shop.telegram, 1)


def test_a_message_telegram_refuses_stops_at_the_first_recipient(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    add_users(range(1, 21))
    broadcast_id = start_broadcast(shop.rt, ADMIN, "Fish & chips <b>", None, None, "all")  # not valid HTML
    shop.run_jobs()
    assert len([c for c in shop.telegram.failed if c["params"].get("text") == "Fish & chips <b>"]) == 1
    assert snapshot(broadcast_id)["status"] == "cancelled"
    texts = shop.texts(ADMIN)
    assert any("refused the broadcast itself" in text for text in texts)
    assert "stopped after 0 of 20" in texts[-1]


def test_a_long_broadcast_goes_out_in_bounded_chunks(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    add_users(range(1, 61))
    broadcast_id = create_draft(ADMIN, TEXT)
    with db_session:
        Broadcast[broadcast_id].set(status="sending", total=60, started_at=clock.now())
    queue_run(shop.rt, broadcast_id, 0.5)  # half a second per run: about 15 users, then the next run
    shop.run_jobs()
    assert all(len(got(shop.telegram, u)) == 1 for u in range(1, 61))
    assert report(shop.telegram)[1] == {"sent": 60, "blocked": 0, "failed": 0}
    assert FinishedJobRegistry("low", connection=shop.redis).count >= 4
    progress_ids = {m["message_id"] for m in shop.telegram.messages(ADMIN) if m.get("edit_date")}
    assert len(progress_ids) == 1  # every run edits the one progress message
    with db_session:
        assert Broadcast[broadcast_id].status == "done"


def test_the_admin_panel_button_starts_a_broadcast(make_shop):
    shop = make_shop(ADMIN_IDS="111")
    shop.send(111, "/admin")
    shop.click(111, "Broadcast")
    assert shop.last_text(111).startswith("📣 New broadcast")
    shop.send(111, "Hello everyone")
    assert shop.last_text(111) == "📣 Who should get it?", "the panel hands the typed text to the broadcast flow"
