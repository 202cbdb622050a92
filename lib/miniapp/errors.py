"""How a refusal reaches the mini app: an HTTP status by the refusal's code, and its text."""
from lib.errors import UserError
from lib.texts import has_text, t
from lib.texts.miniapp import MINIAPP_TEXTS

STATUS = {"not_found": 404, "forbidden": 404, "banned": 403, "insufficient_balance": 402,
          "provider_unavailable": 503, "provider_off": 400, "product_off": 409, "plan_mismatch": 409,
          "unknown_plan": 400, "peer_not_changeable": 409, "vps_busy_now": 409, "confirm_required": 400,
          "ssh_key_invalid": 400, "bad_request": 400, "too_many_pending": 429}


class ApiError(Exception):
    """An answer other than success; without a message, the text `key` (else `code`) in the customer's language.

    `key` names an `api_*` text of lib/texts/miniapp_*.py filled with `params`; `headers` go on the answer."""

    def __init__(self, status: int, code: str, message: str | None = None, *, key: str | None = None,
                 params: dict | None = None, headers: dict | None = None):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message
        self.key, self.params, self.headers = key, params or {}, headers or {}

    def text(self, language: str) -> str:
        if self.message:
            return self.message
        if self.key:
            return MINIAPP_TEXTS.get(language, MINIAPP_TEXTS["en"])[self.key].format(**self.params)
        return t(language, self.code) if has_text(self.code) else self.code


def from_refusal(refused: UserError, language: str) -> ApiError:
    """The use case's refusal as the mini app answers it."""
    message = t(language, refused.text_key, **refused.params) if has_text(refused.text_key) else refused.code
    wait = refused.params.get("retry_after")  # a refusal that ends by itself says when (too_many_pending)
    return ApiError(STATUS.get(refused.code, 400), refused.code, message,
                    headers={"Retry-After": str(wait)} if wait else None)


def bad_field(key: str, field: str, **params) -> ApiError:
    """400 naming the field, e.g. bad_field("api_not_text", "ssh_key") → "ssh_key must be text without NUL bytes"."""
    return ApiError(400, "bad_request", key=key, params={"field": field, **params})


def rate_limited(retry_after: int, language: str) -> ApiError:
    """429 with Retry-After: the seconds until the user's window ends."""
    error = ApiError(429, "rate_limited", key="api_rate_limited", params={"seconds": retry_after},
                     headers={"Retry-After": str(retry_after)})
    error.message = error.text(language)  # said before sign-in: the language is initData's
    return error
