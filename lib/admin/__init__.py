"""The admin panel's domain: stats, user search, admin actions with their audit rows (no Telegram)."""


class Refused(ValueError):
    """An admin action or input that cannot be done; `key` names the text that says why."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params
