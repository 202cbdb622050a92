"""The admin panel in the bot (ADMIN_IDS only; every action re-checks that on the server)."""
from lib.telegram.admin_commands import is_admin


def on_admin_message(bot, rt, user, chat, message) -> bool:
    """Handle /admin and admin replies (search, amounts, broadcast text); False: not for the panel."""
    return False


def on_admin_callback(bot, rt, user, chat, call, action, args) -> None:
    """Callback data starting with `adm`; a non-admin gets the main menu and nothing else."""
    if not is_admin(rt, user["id"]):
        from lib.telegram.handlers import main_screen_for
        main_screen_for(bot, rt, user, chat, call)
