"""Who may do what beyond being a customer."""


def is_admin(settings, user_id) -> bool:
    """An admin is a Telegram user listed in ADMIN_IDS, nothing else."""
    return user_id in settings.admin_ids
