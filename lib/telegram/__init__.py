"""The Telegram side: the bot object, keyboards, screens and update handlers."""
