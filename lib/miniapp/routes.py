"""The mini app's JSON API: each route is (method, pattern, handler(rt, customer, body, *ids))."""
import re

from lib.miniapp import account, keys, orders, servers
from lib.miniapp.inputs import path_id

ID = r"([0-9]{1,10})"  # ASCII digits only: \d would take other scripts' digits too
ROUTES = [
    ("GET", r"me", account.me), ("GET", r"plans", account.plans),
    ("POST", r"orders", orders.create_order), ("GET", rf"orders/{ID}", orders.get_order),
    ("POST", rf"orders/{ID}/sandbox_pay", orders.sandbox_pay),
    ("GET", rf"vpn/{ID}/config", keys.config_download), ("GET", rf"vpn/{ID}/qr", keys.qr_response),
    ("POST", rf"vpn/{ID}/pause", keys.pause), ("POST", rf"vpn/{ID}/resume", lambda *a: keys.pause(*a, paused=False)),
    ("POST", rf"vps/{ID}/(start|stop|reboot|refresh)", servers.power),
    ("POST", rf"vps/{ID}/reinstall", servers.reinstall), ("GET", rf"vps/{ID}/password", servers.password),
    ("POST", r"ssh_key", servers.set_ssh_key),
]
# Routes that show a secret (a key's config or QR code, a server's password) want recent initData.
SECRET = frozenset({keys.config_download, keys.qr_response, servers.password})


def route(method: str, path: str) -> tuple:
    """(handler, ids) for an API path; (None, "method") for a known path with another method; (None, None).

    An id no row can have (0, or past the database's integer) is not found here, before any query."""
    for want, pattern, handler in ROUTES:
        match = re.fullmatch(pattern, path)
        if match:
            args = [path_id(g) if g.isdigit() else g for g in match.groups()]
            if None in args:
                return None, None
            return (handler, args) if want == method else (None, "method")
    return None, None


def reveals_secret(handler) -> bool:
    return handler in SECRET
