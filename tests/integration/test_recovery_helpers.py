"""The pieces crash recovery stands on: transactions that survive a deadlock, scheduled jobs that
keep moving without RQ's scheduler, stuck orders re-queued by STUCK_ORDER_AFTER alone."""
import threading
from datetime import datetime, timedelta, timezone

from pony.orm import db_session
from rq import Queue

from lib import clock
from lib.models import Order, User
from lib.models.database import run_transaction
from tests.support.buying import VPN_USER, pay_by_crypto


def test_a_deadlock_victim_is_run_again_and_both_transactions_succeed(shop):
    from lib.accounts.registration import register_user
    for user_id in (1, 2):
        run_transaction(register_user, shop.redis, user_id, first_name=f"U{user_id}")
    barrier, results = threading.Barrier(2), []

    def cross(first, second):
        calls = []

        def work():
            calls.append(1)
            User.get_for_update(id=first).balance += 1
            if len(calls) == 1:
                barrier.wait(10)  # both hold their first row: each now waits for the other's
            User.get_for_update(id=second).balance += 1
        run_transaction(work)
        results.append(len(calls))
    threads = [threading.Thread(target=cross, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [1, 2]  # PostgreSQL broke the deadlock; its victim ran once more
    with db_session:
        assert (User[1].balance, User[2].balance) == (2, 2)


def test_cron_tick_queues_scheduled_jobs_no_scheduler_moved(shop):
    q = Queue("default", connection=shop.redis)
    overdue = q.enqueue_at(datetime.now(timezone.utc) - timedelta(seconds=30), "math.floor", 1.5)
    future = q.enqueue_at(datetime.now(timezone.utc) + timedelta(minutes=5), "math.floor", 2.5)
    fresh = q.enqueue_at(datetime.now(timezone.utc) - timedelta(seconds=1), "math.floor", 3.5)
    assert q.count == 0
    assert shop.cron_tick().get_json()["overdue_scheduled"] == 1
    assert overdue.id in q.job_ids  # a job due a second ago is the live scheduler's to move
    assert future.id in q.scheduled_job_registry.get_job_ids()
    assert fresh.id in q.scheduled_job_registry.get_job_ids()
    assert shop.cron_tick().get_json()["overdue_scheduled"] == 0  # moved once


def test_a_stuck_order_is_queued_by_every_tick_once_stuck_order_after_passed(make_shop):
    shop = make_shop(STUCK_ORDER_AFTER="20s")
    order_id = pay_by_crypto(shop, VPN_USER)
    Queue("default", connection=shop.redis).empty()  # the fulfilment job was lost with a crash
    assert shop.cron_tick().get_json()["stuck_orders"] == 0
    clock.advance(timedelta(seconds=21))
    assert shop.cron_tick().get_json()["stuck_orders"] == 1
    assert shop.cron_tick().get_json()["stuck_orders"] == 1  # no hidden mark: the waiting copy is found again
    waiting = [j.func_name for j in Queue("default", connection=shop.redis).jobs]
    assert waiting.count("jobs.fulfil_order.run") == 1  # …and not queued twice
    with db_session:
        assert Order[order_id].status == "paid"
