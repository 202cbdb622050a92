"""/miniapp_api/: the mini app page, and its JSON API behind Telegram's initData check."""
import re
import time

from flask import Response

from functions.http import BadRequest, error, json_body, json_response
from lib.miniapp import api, vps_api
from lib.miniapp.auth import InitDataError, verify_init_data
from lib.miniapp.files import config_download, page_response, qr_response
from lib.runtime import current

ROUTES = [  # (method, pattern, handler); ids are captured as integers
    ("GET", r"me", api.me), ("GET", r"plans", api.plans), ("POST", r"orders", api.create_order),
    ("GET", r"orders/(\d{1,18})", api.get_order), ("POST", r"orders/(\d{1,18})/sandbox_pay", api.sandbox_pay),
    ("GET", r"vpn/(\d{1,18})/config", config_download), ("GET", r"vpn/(\d{1,18})/qr", qr_response),
    ("POST", r"vpn/(\d{1,18})/pause", api.pause),
    ("POST", r"vpn/(\d{1,18})/resume", lambda *a: api.pause(*a, paused=False)),
    ("POST", r"vps/(\d{1,18})/(start|stop|reboot|refresh)", vps_api.power),
    ("POST", r"vps/(\d{1,18})/reinstall", vps_api.reinstall), ("GET", r"vps/(\d{1,18})/password", vps_api.password),
    ("POST", r"ssh_key", vps_api.set_ssh_key),
]


def _route(method, path):
    for want, pattern, handler in ROUTES:
        match = re.fullmatch(pattern, path)
        if match:
            args = [int(g) if g.isdigit() else g for g in match.groups()]
            return (handler, args) if want == method else (None, "method")
    return None, None


def miniapp_api(request):
    path = request.path.removeprefix("/miniapp_api").strip("/")
    if path in ("", "index.html"):
        return page_response()
    if not path.startswith("api/"):
        return error(404, "not found")
    handler, ids = _route(request.method, path[4:])
    if handler is None:
        return error(405 if ids == "method" else 404, "method not allowed" if ids == "method" else "not found")
    rt, customer = current(), None
    scheme, _, init_data = request.headers.get("Authorization", "").partition(" ")
    try:
        body = json_body(request) if request.method == "POST" else None
        if scheme.lower() != "tma":
            raise InitDataError("missing initData")
        user = verify_init_data(init_data, rt.settings.bot_token, rt.settings.miniapp_auth_ttl, time.time())
        customer = api.customer(rt, user)
        result = handler(rt, customer, body, *ids)
    except InitDataError as exc:
        return error(401, str(exc), "unauthorized")
    except BadRequest as bad:
        return error(bad.status, bad.message)
    except api.ApiError as exc:
        return error(exc.status, exc.text(customer["lang"] if customer else "en"), exc.code)
    return result if isinstance(result, Response) else json_response(*result)
