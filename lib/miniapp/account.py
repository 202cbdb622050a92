"""The mini app's account routes: who I am with my keys and servers, and the plans on sale."""
from lib.accounts.actions import home
from lib.billing.actions import plans as plans_on_sale
from lib.miniapp.views import key_json, plan_json, server_json


def me(rt, customer, body=None):
    lang, mine = customer["lang"], home(rt, customer["id"])
    return 200, {"user": {**mine["user"], "balance": f"{mine['user']['balance']:.2f}"},
                 "vpn": [key_json(rt, key, lang) for key in mine["vpn"]],
                 "vps": [server_json(rt, server, lang) for server in mine["vps"]]}


def plans(rt, customer, body=None):
    return 200, {"vpn": [plan_json(p) for p in plans_on_sale(rt, "vpn")],
                 "vps": [plan_json(p) for p in plans_on_sale(rt, "vps")],
                 "providers": rt.settings.payment_providers()}
