"""The reconciler and payments whose webhook never came: applied or expired, one call per batch, a provider that is
down skipped; once per interval, never two at once."""
import json

from lib.lifecycle.reconcile.run import LAST, TOTALS, reconcile
from tests.support.buying import VPN_USER as USER
from tests.support.buying import pending_order
from tests.support.reconcile import order, reconcile_by_cron


def test_crypto_pay_invoices_whose_webhook_never_came_are_applied_or_expired(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg)
    paid, abandoned, open_ = (pending_order(shop, "cryptobot", user_id=810001 + i).order_id for i in range(3))
    shop.cryptopay.pay(order(paid)["ref"])  # the customer pays; the webhook is lost
    shop.cryptopay.expire(order(abandoned)["ref"])

    assert shop.cron_tick().get_json()["reconcile"] is True  # the first tick reconciles
    shop.run_jobs()

    assert order(paid)["status"] == "fulfilled"
    assert len(fake_wg.peers()) == 1 and len(shop.telegram.documents(USER)) == 1
    assert order(abandoned)["status"] == "expired" and order(abandoned)["closed_at"] is not None
    assert order(open_)["status"] == "pending"
    summary = json.loads(shop.redis.get(LAST))
    assert summary["payments"] == {"checked": 3, "applied": 1, "expired": 1, "errors": 0}
    assert reconcile(shop.rt)["payments"]["applied"] == 0  # nothing is applied twice
    assert shop.redis.hget(TOTALS, "payments.applied") == b"1"


def test_one_get_invoices_call_for_the_whole_batch(shop):
    refs = [order(pending_order(shop, "cryptobot", user_id=810001 + i).order_id)["ref"] for i in range(3)]
    assert reconcile(shop.rt)["payments"]["checked"] == 3
    assert [p["invoice_ids"] for p in shop.cryptopay.calls("getInvoices")] == [",".join(refs)]


def test_yookassa_payments_without_notification_are_applied_or_expired(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg)
    paid, canceled = (pending_order(shop, "yookassa", user_id=810001 + i).order_id for i in range(2))
    shop.yookassa.succeed(order(paid)["ref"])
    shop.yookassa.cancel(order(canceled)["ref"])

    summary = reconcile_by_cron(shop)

    assert summary["payments"] == {"checked": 2, "applied": 1, "expired": 1, "errors": 0}
    assert order(paid)["status"] == "fulfilled" and len(fake_wg.peers()) == 1
    assert order(canceled)["status"] == "expired"


def test_a_provider_that_cannot_be_reached_is_skipped_and_the_others_still_run(make_shop):
    shop = make_shop()
    stuck = pending_order(shop, "cryptobot").order_id
    paid = pending_order(shop, "yookassa").order_id
    shop.yookassa.succeed(order(paid)["ref"])
    shop = make_shop(CRYPTOBOT_API_URL="http://127.0.0.1:9/api")  # the same shop; Crypto Pay is down

    summary = reconcile(shop.rt)

    assert summary["payments"] == {"checked": 1, "applied": 1, "expired": 0, "errors": 1}
    assert order(stuck)["status"] == "pending" and order(paid)["status"] == "paid"
    assert summary["wireguard"]["errors"] == 1  # WG_COMMAND is `false`: that part fails alone
    assert summary["proxmox"] == "off"


def test_the_reconciler_runs_once_per_interval(shop):
    assert shop.cron_tick().get_json()["reconcile"] is True
    assert shop.cron_tick().get_json()["reconcile"] is False
    shop.run_jobs()
    assert json.loads(shop.redis.get(LAST))["payments"]["checked"] == 0


def test_a_run_still_going_makes_the_next_one_step_aside(shop):
    from jobs import reconcile as reconcile_job
    from lib.exclusive import exclusive
    with exclusive("reconcile", 30, redis=shop.redis) as held:
        assert held and reconcile_job.run() == {"busy": True}
    assert reconcile_job.run()["payments"]["errors"] == 0
