"""`python tests/support/storm_seed.py FIRST_USER COUNT [PLAN]`: pending VPN orders for the payment storm.

Each of COUNT new customers (Telegram ids FIRST_USER…) is registered and goes through the shop's
own checkout (`lib.billing.checkout.start_checkout`, as the bot's and the mini app's "pay with
Crypto Pay" do), which creates the order and its invoice at the (fake) Crypto Pay. Prints one JSON
list of {"order_id", "user_id", "invoice_id"}.

Run by path with the shop's environment and the measured tree on PYTHONPATH: it imports only the
shop (lib), so it also seeds an older tree that does not have this file.
"""
import json
import sys
from concurrent.futures import ThreadPoolExecutor


def main(first: int, count: int, plan_id: str = "vpn-1m") -> list:
    from lib.accounts.registration import register_user
    from lib.billing.checkout import start_checkout
    from lib.config import load_settings
    from lib.models import Order
    from lib.models.database import run_transaction
    from lib.runtime import init_runtime

    rt = init_runtime(load_settings())
    plan = rt.settings.catalog.get(plan_id)

    def one(user_id):
        run_transaction(register_user, rt.redis, user_id, first_name=f"Storm {user_id}", language_code="en")
        return start_checkout(rt, user_id=user_id, plan=plan, provider="cryptobot", description="VPN",
                              return_url=rt.settings.public_url + "/miniapp_api/").order_id

    with ThreadPoolExecutor(4) as pool:  # a few customers at a time, as they would come
        order_ids = list(pool.map(one, range(first, first + count)))

    def rows():
        return [{"order_id": o.id, "user_id": o.user.id, "invoice_id": int(o.provider_ref)}
                for o in Order.select(lambda o: o.id in order_ids).order_by(Order.id)]
    return run_transaction(rows)


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:4])))
