"""The admin panel's domain: admin actions with their audit rows, stats, user search (no Telegram)."""
