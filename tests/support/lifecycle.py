"""Moving a shop through time in tests: buy with the sandbox through either door, read an expiry, move
the shop's clock to a moment, and let cron_tick and its jobs do what is due."""
from pony.orm import db_session

from lib import clock


def buy_vpn_in_the_bot(shop, user_id, plan="1 month"):
    """A VPN key bought in the bot with the sandbox (SANDBOX_PAYMENTS=true), its jobs run."""
    shop.send(user_id, "/start")
    shop.click(user_id, "Buy VPN")
    shop.click(user_id, plan)
    shop.click(user_id, "Sandbox")
    shop.click(user_id, "Pay in sandbox")


def buy_vpn_in_the_app(shop, user_id, plan_id="vpn-1m") -> int:
    """A VPN key bought in the mini app with the sandbox, its jobs run; the order id."""
    created = shop.api(user_id, "post", "orders", json={"product": "vpn", "plan": plan_id, "provider": "sandbox"})
    assert created.status_code == 201, created.get_json()
    order_id = created.get_json()["order_id"]
    assert created.get_json() == {"order_id": order_id, "status": "pending", "pay_url": None}
    assert shop.api(user_id, "post", f"orders/{order_id}/sandbox_pay").status_code == 200
    shop.run_jobs()
    return order_id


def expiry_of(entity, ident=1):
    with db_session:
        return entity[ident].expires_at


def move_to(moment):
    """The shop's clock jumps to `moment` (no sleeping)."""
    clock.advance(moment - clock.now())


def tick(shop):
    """One cron_tick, and the jobs it queued."""
    assert shop.cron_tick().status_code == 200
    shop.run_jobs()
