"""The reconciler and the VPN server: a key being made right now is never taken for a stranger."""
from pony.orm import db_session

from lib.lifecycle.reconcile.run import reconcile
from lib.models import Order, VpnPeer
from lib.models.database import run_transaction
from lib.vpn.locations import backend, location_of
from lib.vpn.peers import reserve_peer, secrets_of
from tests.support.buying import pay_by_crypto


def test_a_peer_being_provisioned_right_now_is_not_removed(make_shop, fake_wg):
    shop = make_shop(wg=fake_wg)
    order_id = pay_by_crypto(shop)  # paid; its fulfilment job has not run yet
    server = backend(shop.rt)
    peer_id = run_transaction(reserve_peer, shop.rt, order_id, location_of(shop.settings), server.server_identity(),
                              server.issue_key())
    with db_session:
        secrets = secrets_of(shop.rt, VpnPeer[peer_id])
    key = secrets.public_key
    server.add_key(secrets)  # the job got this far when the reconciler looked

    assert reconcile(shop.rt)["wireguard"]["removed"] == 0
    assert [p.public_key for p in fake_wg.peers()] == [key]
    shop.run_jobs()
    with db_session:
        assert Order[order_id].status == "fulfilled" and VpnPeer[peer_id].status == "active"
