"""Outbox events reach n8n at least once with a stable id; cron_tick heals what Redis lost."""
from datetime import timedelta

import pytest
from pony.orm import db_session

from lib import clock
from lib.models import Event, Order
from tests.fakes.n8n import FakeN8n
from tests.support.buying import VPN_USER as USER
from tests.support.buying import pay_by_crypto, pending_order


@pytest.fixture
def n8n():
    with FakeN8n() as fake:
        yield fake


def test_events_are_delivered_with_the_api_key_and_the_contract_shape(make_shop, fake_wg, n8n):
    shop = make_shop(wg=fake_wg, N8N_WEBHOOK_URL=n8n.webhook_url, N8N_API_KEY=n8n.api_key)
    order_id = pay_by_crypto(shop)
    shop.run_jobs()
    assert sorted(n8n.names()) == ["payment.received", "user.registered", "vpn.created"]
    by_name = {e["event"]: e for e in n8n.received}
    assert set(by_name["payment.received"]) == {"event_id", "event", "occurred_at", "data"}
    assert by_name["payment.received"]["data"] == {
        "telegram_id": USER, "amount": "199.00", "currency": "RUB",  # the invoice's RUB, whatever asset paid it
        "provider": "cryptobot", "order_id": order_id, "credited_rub": "199.00", "verdict": "paid"}
    created = by_name["vpn.created"]["data"]
    assert created["telegram_id"] == USER and created["address"] == "10.8.0.2" and created["plan"] == "vpn-1m"
    assert created["expires_at"].endswith("Z")
    with db_session:
        assert all(e.delivered_at for e in Event.select())


def test_a_failing_receiver_gets_the_same_event_again_later(make_shop, n8n):
    shop = make_shop(N8N_WEBHOOK_URL=n8n.webhook_url, N8N_API_KEY=n8n.api_key)
    n8n.fail_next = 10
    shop.send(USER, "/start")
    shop.run_jobs()
    assert n8n.received == []
    with db_session:
        event = Event.select().first()
        assert event.attempts >= 1 and event.delivered_at is None and event.next_attempt_at > clock.now()
        event_id = event.id
    n8n.fail_next = 0
    assert shop.cron_tick().get_json()["events"] == 0  # backing off: not due yet
    clock.advance(event_time_to_wait(event_id))
    assert shop.cron_tick().get_json()["events"] == 1
    shop.run_jobs()
    assert [e["event_id"] for e in n8n.received] == [event_id]


def event_time_to_wait(event_id):
    with db_session:
        return Event[event_id].next_attempt_at - clock.now() + timedelta(seconds=1)


def test_without_a_receiver_events_are_kept(shop):
    shop.send(USER, "/start")
    with db_session:
        assert [e.name for e in Event.select()] == ["user.registered"]
    assert shop.cron_tick().get_json()["events"] == 0


def test_cron_tick_requeues_a_paid_order_whose_job_redis_lost(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg)
    order_id = pay_by_crypto(shop)
    shop.redis.flushdb()  # the fulfilment job is gone; the payment is in PostgreSQL
    assert shop.cron_tick().get_json()["stuck_orders"] == 0  # not stuck yet: it may still be running
    clock.advance(shop.settings.stuck_order_after)
    summary = shop.cron_tick().get_json()
    assert summary["stuck_orders"] == 1
    shop.run_jobs()
    with db_session:
        assert Order[order_id].status == "fulfilled"
    assert len(fake_wg.peers()) == 1 and len(shop.telegram.documents(USER)) == 1


def test_unpaid_orders_expire_and_a_late_payment_still_buys_the_plan(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg)
    checkout = pending_order(shop, "cryptobot")
    invoice_id = shop.cryptopay.invoices[-1]["invoice_id"]
    clock.advance(timedelta(hours=3))
    assert shop.cron_tick().get_json()["expired_orders"] == 1
    with db_session:
        assert Order[checkout.order_id].status == "expired"
    body, headers = shop.cryptopay.webhook(invoice_id)  # the invoice as it is now: not paid → ignored
    shop.cryptopay_webhook(body, headers)
    from lib.billing.settlement import settle
    from lib.payments.cryptobot import fact_of
    invoice = dict(shop.cryptopay.invoice(invoice_id), status="paid")
    assert settle(shop.rt, fact_of(invoice)) == "paid"
    shop.run_jobs()
    with db_session:
        assert Order[checkout.order_id].status == "fulfilled"
