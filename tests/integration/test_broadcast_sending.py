"""Sending a broadcast against the fake Telegram with its 30 msg/s limit: once per user, 429s waited out, cancel
honoured, refused texts stop early, bounded chunks."""
import threading
import time

from pony.orm import db_session
from rq.registry import FinishedJobRegistry

from jobs import broadcast as job
from lib import clock
from lib.broadcast.actions import start as start_broadcast
from lib.broadcast.broadcasts import cancel_broadcast, queue_run, snapshot
from lib.broadcast.drafts import create_draft
from lib.models import Broadcast, BroadcastDelivery, User
from tests.support.broadcasts import ADMIN, TEXT, add_users, got, press, report
from tests.support.processes import wait_until


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


def test_cancel_midway_stops_and_reports(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    fake = shop.telegram
    add_users(range(1, 201))
    fake.set_rate_limit(per_second=30)
    broadcast_id = start_broadcast(shop.rt, ADMIN, TEXT, None, None, "all")
    sender = threading.Thread(target=job.run, args=(broadcast_id,))
    sender.start()
    wait_until(lambda: sum(1 for u in range(1, 201) if got(fake, u)) >= 40, 20, "the broadcast never got going")
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
