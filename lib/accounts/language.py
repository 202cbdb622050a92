"""The one rule for a customer's language from Telegram's language_code (pure)."""
RUSSIAN_SPEAKING = ("ru", "uk", "be", "kk")
LANGUAGES = ("en", "ru")


def language_for(language_code: str | None) -> str:
    """ru for Russian-speaking Telegram clients (Russian, Ukrainian, Belarusian, Kazakh), else en."""
    return "ru" if (language_code or "").lower().startswith(RUSSIAN_SPEAKING) else "en"
