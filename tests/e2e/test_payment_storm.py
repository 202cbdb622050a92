"""The payment storm: 120 pending VPN orders paid at once, each paid webhook delivered three times.

The Procfile's processes for real (gunicorn with two workers, `python -m jobs.worker`) on a
throwaway database and a Redis database of their own, with fakes of Crypto Pay, Telegram, n8n
and `wg` (tests/support/storm.py). Every order must be fulfilled exactly once, however many
copies of its webhook arrive and in whatever order. bench/payment_storm.py times the same storm.
"""
import os

import pytest

from tests.support.storm import Storm, StormConfig
from tests.support.storm_checks import problems

ORDERS, COPIES, THREADS = 120, 3, 16
DONE_WITHIN_S = 100  # from the first webhook: bounded, generous for a busy 2-core machine


@pytest.fixture(scope="module")
def storm_result(tmp_path_factory):
    config = StormConfig(orders=ORDERS, copies=COPIES, threads=THREADS,
                         redis_url=os.environ.get("TEST_STORM_REDIS_URL", "redis://127.0.0.1:6379/10"),
                         pg_admin_url=os.environ.get("TEST_PG_ADMIN_URL", StormConfig.pg_admin_url),
                         log_dir=tmp_path_factory.mktemp("storm"))
    with Storm(config) as storm:
        storm.seed()
        storm.fire()
        storm.wait_done(DONE_WITHIN_S)
        yield storm.collect()


@pytest.fixture(scope="module")
def broken(storm_result):
    return problems(storm_result)


def test_every_webhook_is_answered_200_and_one_copy_per_order_pays(storm_result, broken):
    assert len(storm_result.shots) == ORDERS * COPIES
    assert broken["webhook_not_200"] == [], f"answers other than 200 (order, status, body): {broken['webhook_not_200']}"
    assert broken["paid_answers_not_one"] == [], "orders paid by other than exactly one delivery"
    answers = storm_result.summary()["answers"]
    assert answers == {"paid": ORDERS, "duplicate": ORDERS * (COPIES - 1)}, answers


def test_every_order_is_fulfilled_exactly_once(storm_result, broken):
    assert broken["missing_orders"] == []
    assert broken["not_fulfilled"] == [], {o: storm_result.orders[o]["status"] for o in broken["not_fulfilled"]}
    assert broken["peers_not_one"] == [], "orders whose customer has other than one VPN peer in the database"
    assert len(storm_result.wg_peers) == ORDERS
    assert broken["wg_differs_from_db"] == [], "peers on the (fake) interface and in the database differ"


def test_the_money_is_recorded_once_per_order(broken):
    assert broken["payments_not_one"] == [], "orders with other than one Payment row"
    assert broken["payment_entries_not_one"] == [], "orders with other than one `payment` ledger entry"
    assert broken["purchase_entries_not_one"] == [], "orders with other than one `purchase` ledger entry"


def test_n8n_gets_each_business_event_once(broken):
    assert broken["payment_events_not_one"] == [], "orders with other than one payment.received at n8n"
    assert broken["vpn_created_events_not_one"] == [], "customers with other than one vpn.created at n8n"


def test_each_customer_gets_their_config_once(broken):
    assert broken["configs_not_one"] == [], "customers without exactly one .conf file and one QR code"
