"""When fulfilment fails: retries, then a clean failure — no peer left, money back, customer told."""
from pony.orm import db_session, select

from lib.models import Event, Order, User, VpnPeer
from tests.support.buying import VPN_USER as USER
from tests.support.buying import pay_by_crypto


def test_wireguard_down_for_good_fails_the_order_and_refunds_to_the_balance(shop):
    order_id = pay_by_crypto(shop)  # WG_COMMAND is `false`: every wg call fails
    shop.run_jobs()
    with db_session:
        order = Order[order_id]
        assert order.status == "failed" and order.attempts == 5
        assert User[USER].balance == 199
        assert select(p for p in VpnPeer).count() == 0
        failed = [e for e in Event.select() if e.name == "provisioning.failed"]
        assert len(failed) == 1 and failed[0].data["order_id"] == order_id
    assert any("went back to your balance" in t for t in shop.texts(USER))
    assert shop.client.post("/cron_tick", headers={"Authorization": "Bearer test-cron-secret"}).status_code == 200
    shop.run_jobs()
    with db_session:  # a failed order is final: a later tick neither retries it nor refunds twice
        assert User[USER].balance == 199


def test_a_failure_after_the_peer_was_made_removes_it_from_the_server(make_shop, fake_wg, tmp_path):
    # A wg that adds peers but then fails (like a server that drops mid-way) — via a wrapper script.
    script = tmp_path / "flaky-wg"
    state = tmp_path / "calls"
    script.write_text(f"""#!/bin/sh
echo "$@" >> {state}
case "$*" in *"allowed-ips"*) {fake_wg.wg_command} "$@"; exit 1;; esac
exec {fake_wg.wg_command} "$@"
""")
    script.chmod(0o755)
    shop = make_shop(wg=fake_wg, WG_COMMAND=str(script))
    order_id = pay_by_crypto(shop)
    shop.run_jobs()
    assert fake_wg.peers() == [], "the half-made peer must not stay on the server"
    with db_session:
        assert Order[order_id].status == "failed"
        peer = VpnPeer.select().first()
        assert peer.status == "failed" and peer.live_address is None
        assert User[USER].balance == 199


def test_a_failure_that_heals_is_retried_and_the_customer_gets_one_config(make_shop, fake_wg, tmp_path):
    script = tmp_path / "wg-once-broken"
    marker = tmp_path / "failed-once"
    script.write_text(f"""#!/bin/sh
if [ ! -e {marker} ]; then touch {marker}; echo "Unable to access interface: Protocol not supported" >&2; exit 1; fi
exec {fake_wg.wg_command} "$@"
""")
    script.chmod(0o755)
    shop = make_shop(wg=fake_wg, WG_COMMAND=str(script))
    order_id = pay_by_crypto(shop)
    shop.run_jobs()
    with db_session:
        assert Order[order_id].status == "fulfilled" and Order[order_id].attempts == 1
    assert len(fake_wg.peers()) == 1
    assert len(shop.telegram.documents(USER)) == 1


def test_a_full_subnet_fails_at_once_without_taking_an_address(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg, WG_SUBNET="10.8.0.0/30")  # room for the server and one client
    first = pay_by_crypto(shop)
    shop.run_jobs()
    second = pay_by_crypto(shop)
    shop.run_jobs()
    with db_session:
        assert Order[first].status == "fulfilled"
        assert Order[second].status == "failed" and Order[second].attempts == 1
        assert User[USER].balance == 199
    assert len(fake_wg.peers()) == 1


def test_admins_are_alerted_when_an_order_fails(make_shop):
    shop = make_shop(ADMIN_IDS="111,222")
    shop.telegram.block(222)  # one admin blocked the bot: the other still hears about it
    order_id = pay_by_crypto(shop)
    shop.run_jobs()
    alert = shop.last_text(111)
    assert alert.startswith(f"⚠️ Order #{order_id} (vpn, 199 ₽, customer {USER}) failed")
    assert "went back to the customer's balance" in alert


def test_a_handler_that_breaks_tells_the_customer_plainly(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg, SANDBOX_PAYMENTS="true")
    shop.send(USER, "/start")
    shop.click(USER, "Buy VPN")
    shop.click(USER, "1 month")
    shop.click(USER, "Sandbox")
    shop.click(USER, "Pay in sandbox")
    # The operator replaced SECRET_KEY: stored private keys can no longer be decrypted.
    broken = make_shop(wg=fake_wg, SANDBOX_PAYMENTS="true", SECRET_KEY="a-different-secret-key-000")
    broken.send(USER, "/start")
    broken.click(USER, "My VPN")
    broken.click(USER, "#1")
    broken.click(USER, "Config file")
    assert broken.last_text(USER) == "Something went wrong on our side. Please try again in a minute."
