"""How a refusal reaches the mini app: an HTTP status by the refusal's code, and its text."""
from lib.errors import UserError
from lib.texts import has_text, t

STATUS = {"not_found": 404, "forbidden": 404, "banned": 403, "insufficient_balance": 402,
          "provider_unavailable": 503, "provider_off": 400, "product_off": 409, "plan_mismatch": 409,
          "unknown_plan": 400, "peer_not_changeable": 409, "vps_busy_now": 409, "confirm_required": 400,
          "ssh_key_invalid": 400, "bad_request": 400}


class ApiError(Exception):
    """An answer other than success; without a message, the code's text in the customer's language."""

    def __init__(self, status: int, code: str, message: str | None = None):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message

    def text(self, language: str) -> str:
        return self.message or (t(language, self.code) if has_text(self.code) else self.code)


def from_refusal(refused: UserError, language: str) -> ApiError:
    """The use case's refusal as the mini app answers it."""
    message = t(language, refused.text_key, **refused.params) if has_text(refused.text_key) else refused.code
    return ApiError(STATUS.get(refused.code, 400), refused.code, message)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)
