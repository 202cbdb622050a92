"""The two ways a use case or a job says no."""


class UserError(Exception):
    """A rule refused what a customer or an admin asked for.

    `code` is stable for programs (the mini app maps it to an HTTP status), `text_key` names the
    text that explains it in the user's language, `params` fill that text in.
    """

    def __init__(self, code: str, text_key: str | None = None, **params):
        super().__init__(code)
        self.code, self.text_key, self.params = code, text_key or code, params


class CannotFulfil(RuntimeError):
    """Retrying will not help (product off, subnet or pool exhausted): fail the order now."""
