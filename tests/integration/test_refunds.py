"""Refunds: by an admin or by the provider; order, ledger and service all unwind, once."""
from pony.orm import db_session

from lib.models import LedgerEntry, Order, User, VpnPeer, VpsServer
from tests.support.buying import pending_order
from tests.support.invariants import check_invariants

ADMIN, USER = 111, 810001


def paid_by_yookassa(shop, product="vpn"):
    """A fulfilled order paid through YooKassa's real flow (notification re-read from the API)."""
    if product == "vpn":
        checkout = pending_order(shop, "yookassa")
    else:
        from lib.billing.checkout import start_checkout
        checkout = start_checkout(shop.rt, user_id=USER, plan=shop.settings.catalog.get("vps-start"),
                                  provider="yookassa", description="VPS", return_url="https://shop.example.test/")
    payment_id = list(shop.yookassa.payments)[-1]
    shop.yookassa.succeed(payment_id)
    assert shop.yookassa_notify(shop.yookassa.notification(payment_id)).status_code == 200
    shop.run_jobs()
    with db_session:
        assert Order[checkout.order_id].status == "fulfilled"
    return checkout.order_id, payment_id


def test_admin_refunds_a_vpn_order_to_the_balance(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg, ADMIN_IDS=str(ADMIN))
    order_id, _ = paid_by_yookassa(shop)
    assert len(fake_wg.peers()) == 1
    shop.send(USER, f"/refund {order_id}")  # a customer cannot
    with db_session:
        assert Order[order_id].status == "fulfilled"
    shop.send(ADMIN, f"/refund {order_id}")
    assert shop.last_text(ADMIN) == f"Refund of order #{order_id} queued (balance)."
    assert fake_wg.peers() == []
    with db_session:
        assert Order[order_id].status == "refunded" and User[USER].balance == 199
        assert VpnPeer.select().first().live_address is None
    assert shop.last_text(USER).startswith(f"↩️ Order #{order_id} was refunded: 199 ₽ are back on your balance")
    shop.send(ADMIN, f"/refund {order_id}")  # twice: nothing more
    with db_session:
        assert User[USER].balance == 199 and LedgerEntry.select(lambda e: e.kind == "refund").count() == 1
    check_invariants(lab=fake_wg)


def test_admin_refund_through_yookassa_destroys_the_vps_and_pays_back(make_shop, fake_proxmox):
    shop = make_shop(proxmox=fake_proxmox, ADMIN_IDS=str(ADMIN))
    from lib.accounts.registration import register_user
    from lib.models.database import run_transaction
    run_transaction(register_user, shop.redis, USER, first_name="Ann")
    order_id, payment_id = paid_by_yookassa(shop, "vps")
    assert len(fake_proxmox.vms()) == 1
    shop.send(ADMIN, f"/refund {order_id} provider")
    assert fake_proxmox.vms() == []
    assert shop.yookassa.payments[payment_id]["refunded_amount"]["value"] == "400.00"
    with db_session:
        assert Order[order_id].status == "refunded" and User[USER].balance == 0
        kinds = sorted(e.kind for e in LedgerEntry.select())
        assert kinds == ["payment", "payout", "purchase", "refund"]
        assert VpsServer.select().first().live_ip is None
    assert "on their way back" in shop.last_text(USER)
    check_invariants(proxmox=fake_proxmox)


def test_a_refund_made_at_yookassa_is_followed_by_its_notification(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg)
    order_id, payment_id = paid_by_yookassa(shop)
    from yookassa import Configuration, Refund
    Configuration.configure(shop.yookassa.shop_id, shop.yookassa.secret_key, api_url=shop.yookassa.api_url)
    Refund.create({"payment_id": payment_id, "amount": {"value": "199.00", "currency": "RUB"}}, "dashboard-1")
    note = shop.yookassa.notification(payment_id, "refund.succeeded")
    assert shop.yookassa_notify(note).get_json() == {"ok": True, "queued": "refund"}
    assert shop.yookassa_notify(note).status_code == 200  # delivered twice
    shop.run_jobs()
    assert fake_wg.peers() == []
    with db_session:
        assert Order[order_id].status == "refunded" and User[USER].balance == 0
        assert LedgerEntry.select(lambda e: e.kind == "payout").count() == 1
    check_invariants(lab=fake_wg)


def test_bad_refund_commands_get_the_usage(make_shop):
    shop = make_shop(ADMIN_IDS=str(ADMIN))
    for text in ("/refund", "/refund abc", "/refund 5 cash"):
        shop.send(ADMIN, text)
        assert shop.last_text(ADMIN) == "Usage: /refund <order id> [balance|provider]"
