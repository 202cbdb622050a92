"""/miniapp_api/: the mini app page, and its JSON API behind Telegram's initData check.

An API request is checked in this order: the route, initData, the user's rate limit, and only then
is its body read; a stranger or a flood never costs us a parse or a database row.
"""
from flask import Response

from functions.http import BadRequest, error, json_body, json_response
from lib import clock
from lib.accounts.actions import sign_in
from lib.accounts.language import language_for
from lib.errors import UserError
from lib.miniapp.auth import InitDataError, verify_init_data
from lib.miniapp.errors import ApiError, from_refusal, rate_limited
from lib.miniapp.page import page_response
from lib.miniapp.rate_limit import retry_after
from lib.miniapp.routes import reveals_secret, route
from lib.runtime import current

MAX_JSON_DEPTH = 16  # the page sends flat objects


def _telegram_user(rt, request, handler) -> dict:
    scheme, _, init_data = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "tma":
        raise InitDataError("missing initData")
    return verify_init_data(init_data, rt.settings.bot_token, rt.settings.miniapp_auth_ttl, clock.epoch(),
                            reveals_secret=reveals_secret(handler))


def _call(rt, request, handler, ids):
    user = _telegram_user(rt, request, handler)
    wait = retry_after(rt.redis, user["id"], rt.settings.miniapp_rate_limit, clock.epoch())
    if wait:
        raise rate_limited(wait, language_for(user.get("language_code")))
    body = json_body(request, max_depth=MAX_JSON_DEPTH) if request.method == "POST" else None
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


def _answer(result) -> Response:
    if isinstance(result, Response):
        return result
    status, payload, *headers = result
    response = json_response(status, payload)
    response.headers.update(*headers)
    return response


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
        return _answer(_call(current(), request, handler, ids))
    except InitDataError as exc:
        return error(401, str(exc), exc.code)
    except BadRequest as bad:
        return error(bad.status, bad.message)
    except ApiError as exc:
        response = error(exc.status, exc.text("en"), exc.code)
        response.headers.update(exc.headers)
        return response
