"""The admin panel in the bot (ADMIN_IDS only): every handler calls a use case of lib.admin or
lib.broadcast, which checks ADMIN_IDS again on its own."""
