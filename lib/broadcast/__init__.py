"""Admin broadcasts: drafts, segments, one claimed delivery per user, pacing under Telegram's limit."""
