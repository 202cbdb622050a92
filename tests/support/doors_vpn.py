"""The two-door tests of VPN keys and money: Ann uses the bot, Bob the mini app; what each got, compared."""
import re
from datetime import timedelta
from decimal import Decimal

from pony.orm import db_session

from lib.models import VpnPeer
from lib.vpn.wireguard.keys import public_key_of
from tests.support.doors import (
    ANN,
    BOB,
    call,
    events_of,
    money_of,
)

ADMIN = 1
BOUGHT = {"orders": [("vpn", "vpn-1m", "sandbox", "fulfilled")], "balance": Decimal("0.00"),
          "ledger": [("payment", Decimal("199.00")), ("purchase", Decimal("-199.00"))]}
LIVE_KEY = {"plan": "vpn-1m", "status": "active", "on_server": True, "days": 30}


def bot_orders(shop, plan="1 month", pay="Sandbox"):
    shop.send(ANN, "/start")
    shop.click(ANN, "Buy VPN")
    shop.click(ANN, plan)
    shop.click(ANN, pay)


def bot_buys(shop):
    bot_orders(shop)
    shop.click(ANN, "Pay in sandbox")


def app_buys(shop, plan="vpn-1m", provider="sandbox", renew=None) -> dict:
    body = {"product": "vpn", "plan": plan, "provider": provider, **({"renew": renew} if renew else {})}
    order = call(shop, BOB, "post", "orders", 201, json=body).get_json()
    if provider == "sandbox":
        call(shop, BOB, "post", f"orders/{order['order_id']}/sandbox_pay")
    shop.run_jobs()
    return order


def both_buy(shop) -> dict:
    bot_buys(shop)
    app_buys(shop)
    return {ANN: key_of(ANN)["id"], BOB: key_of(BOB)["id"]}


def both_sign_in(shop):
    shop.send(ANN, "/start")
    call(shop, BOB, "get", "me")


def open_key(shop):
    shop.send(ANN, "/start")
    shop.click(ANN, "My VPN")
    shop.click(ANN, "until")


def key_of(user_id) -> dict:
    with db_session:
        (peer,) = VpnPeer.select(lambda p: p.user.id == user_id)
        return {"id": peer.id, "public_key": peer.public_key, "address": peer.address, "expires_at": peer.expires_at}


def keys_of(user_id, wg) -> list:
    """The user's keys as they would describe them: plan, status, whether the server has it, days paid."""
    on_server = {peer.public_key: peer.allowed_ips for peer in wg.peers()}
    with db_session:
        return [{"plan": p.plan_id, "status": p.status, "on_server": on_server.get(p.public_key) == [f"{p.address}/32"],
                 "days": round((p.expires_at - p.created_at) / timedelta(days=1))}
                for p in VpnPeer.select(lambda p: p.user.id == user_id).order_by(VpnPeer.id)]


def outcome(user_id, wg) -> dict:
    return {**money_of(user_id), "keys": keys_of(user_id, wg), "events": events_of(user_id)}


def shape(config: str) -> str:
    """The config with what is the customer's own (their keys and address) blanked."""
    return re.sub(r"^(PrivateKey|PresharedKey|Address) = .+$", r"\1 = …", config, flags=re.M)


def fits_the_key(config: str, user_id) -> bool:
    """The config's private key belongs to the user's key on the server, at its address."""
    key = key_of(user_id)
    private = re.search(r"^PrivateKey = (\S+)$", config, re.M).group(1)
    return public_key_of(private) == key["public_key"] and f"Address = {key['address']}/" in config


def conf_sent(shop, user_id) -> dict:
    """The newest .conf file in the user's chat: file_name, data."""
    return shop.telegram.documents(user_id)[-1]


def qr_sent(shop, user_id) -> bytes:
    return shop.telegram.photos(user_id)[-1]["data"]
