"""The mini app's JSON API: each route is (method, pattern, handler(rt, customer, body, *ids))."""
import re

from lib.miniapp import account, keys, orders, servers

ID = r"(\d{1,18})"
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


def route(method: str, path: str) -> tuple:
    """(handler, ids) for an API path; (None, "method") for a known path with another method; (None, None)."""
    for want, pattern, handler in ROUTES:
        match = re.fullmatch(pattern, path)
        if match:
            args = [int(g) if g.isdigit() else g for g in match.groups()]
            return (handler, args) if want == method else (None, "method")
    return None, None
