"""The one rule for a customer's language from Telegram's language_code (pure)."""
RUSSIAN_SPEAKING = ("ru", "uk", "be", "kk")
LANGUAGES = ("en", "ru")


def language_for(language_code: str | None) -> str:
    """ru for Russian-speaking Telegram clients (Russian, Ukrainian, Belarusian, Kazakh), else en.

    Telegram sends an IETF tag (`ru`, `uk`, `en-US`); only its language part counts."""
    primary = str(language_code or "").replace("_", "-").split("-", 1)[0].lower()
    return "ru" if primary in RUSSIAN_SPEAKING else "en"
