"""/miniapp_api/: the mini app page, and its JSON API behind Telegram's initData check."""
from flask import Response

from functions.http import BadRequest, error, json_body, json_response
from lib import clock
from lib.accounts.actions import sign_in
from lib.errors import UserError
from lib.miniapp.auth import InitDataError, verify_init_data
from lib.miniapp.errors import ApiError, from_refusal
from lib.miniapp.page import page_response
from lib.miniapp.routes import route
from lib.runtime import current


def _call(rt, request, handler, ids):
    scheme, _, init_data = request.headers.get("Authorization", "").partition(" ")
    body = json_body(request) if request.method == "POST" else None
    if scheme.lower() != "tma":
        raise InitDataError("missing initData")
    user = verify_init_data(init_data, rt.settings.bot_token, rt.settings.miniapp_auth_ttl, clock.epoch())
    try:
        customer = sign_in(rt, {"id": user["id"], "username": user.get("username"),
                                "first_name": user.get("first_name", ""), "language_code": user.get("language_code")})
    except UserError as refused:  # banned
        raise from_refusal(refused, getattr(refused, "language", "en")) from None
    try:
        return handler(rt, customer, body, *ids)
    except UserError as refused:
        raise from_refusal(refused, customer["lang"]) from None
    except ApiError as exc:
        exc.message = exc.text(customer["lang"])
        raise


def miniapp_api(request):
    path = request.path.removeprefix("/miniapp_api").strip("/")
    if path in ("", "index.html"):
        return page_response()
    if not path.startswith("api/"):
        return error(404, "not found")
    handler, ids = route(request.method, path[4:])
    if handler is None:
        return error(405 if ids == "method" else 404, "method not allowed" if ids == "method" else "not found")
    try:
        result = _call(current(), request, handler, ids)
    except InitDataError as exc:
        return error(401, str(exc), "unauthorized")
    except BadRequest as bad:
        return error(bad.status, bad.message)
    except ApiError as exc:
        return error(exc.status, exc.text("en"), exc.code)
    return result if isinstance(result, Response) else json_response(*result)
