"""Small helpers every function shares: bounded bodies, JSON answers, secret comparison."""
import functools
import hmac
import json

from flask import Response

MAX_BODY_BYTES = 64 * 1024  # far above any real webhook or mini app body; a flood costs little
# A Telegram update nests about 10 levels (a reply's keyboard); deeper JSON is an attack on the parser.
MAX_JSON_DEPTH = 32


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def json_response(status: int, payload) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status=status, mimetype="application/json")


def error(status: int, message: str, code: str | None = None) -> Response:
    return json_response(status, {"error": code or message, "message": message})


def raw_body(request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refusing oversized ones before reading them whole."""
    if request.content_length is not None and request.content_length > limit:
        raise BadRequest(413, "body too large")
    data = request.stream.read(limit + 1) if request.content_length is None else request.get_data()
    if len(data) > limit:
        raise BadRequest(413, "body too large")
    return data


def json_body(request, limit: int = MAX_BODY_BYTES, max_depth: int = MAX_JSON_DEPTH):
    """The parsed JSON body (any JSON value); 400 when it is not JSON or nests too deep."""
    return parse_json(raw_body(request, limit), max_depth)


def parse_json(data: bytes, max_depth: int = MAX_JSON_DEPTH):
    try:
        value = json.loads(data) if data else None
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
        raise BadRequest(400, "body is not valid JSON") from None
    if _depth_exceeds(value, max_depth):
        raise BadRequest(400, f"body is nested deeper than {max_depth} levels")
    return value


def _depth_exceeds(value, max_depth: int) -> bool:
    """Whether arrays and objects nest more than max_depth levels (a loop: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison; an unset expected secret matches nothing."""
    return bool(expected) and hmac.compare_digest((given or "").encode(), expected.encode())


def post_only(function):
    """A POST-only function whose BadRequest (oversized or malformed body) becomes a clean 4xx."""
    @functools.wraps(function)
    def handle(request):
        if request.method != "POST":
            return error(405, "use POST")
        try:
            return function(request)
        except BadRequest as bad:
            return error(bad.status, bad.message)
    return handle
