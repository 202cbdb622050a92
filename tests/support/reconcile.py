"""Running the reconciler in tests as cron_tick does, and reading what it found."""
import json

from pony.orm import db_session

from lib.lifecycle.cron import RECONCILE_LOCK
from lib.lifecycle.reconcile.run import LAST
from lib.models import Order, VpnPeer

ADMIN = 42


def reconcile_by_cron(shop) -> dict:
    """A cron tick that runs the reconciler now (the throttle forgotten), its jobs, and its summary."""
    shop.redis.delete(RECONCILE_LOCK)
    assert shop.cron_tick().get_json()["reconcile"] is True
    shop.run_jobs()
    return json.loads(shop.redis.get(LAST))


def order(order_id):
    with db_session:
        found = Order[order_id]
        return {"status": found.status, "closed_at": found.closed_at, "ref": found.provider_ref}


def admin_texts(shop):
    return shop.texts(ADMIN)


def _peers(shop):
    with db_session:
        return [(p.id, p.public_key, p.address, p.status) for p in VpnPeer.select().order_by(VpnPeer.id)]
