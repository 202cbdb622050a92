"""Every user-facing string, in Russian and English. Parameters are HTML-escaped here."""
import html

from lib.texts import admin, broadcast
from lib.texts.en import TEXTS as CUSTOMER_EN
from lib.texts.ru import TEXTS as CUSTOMER_RU

# Customer texts, then each area's own module ({"en": {...}, "ru": {...}}); keys never overlap.
EN = {**CUSTOMER_EN, **admin.TEXTS["en"], **broadcast.TEXTS["en"]}
RU = {**CUSTOMER_RU, **admin.TEXTS["ru"], **broadcast.TEXTS["ru"]}
LANGUAGES = {"en": EN, "ru": RU}


def language_of(code: str | None) -> str:
    return code if code in LANGUAGES else "en"


def t(language: str, key: str, **params) -> str:
    """The text `key` in `language` (English when missing), with params escaped for HTML."""
    template = LANGUAGES.get(language, EN).get(key) or EN[key]
    safe = {k: html.escape(str(v), quote=False) for k, v in params.items()}
    return template.format(**safe)


def raw(language: str, key: str) -> str:
    """A text without parameters and without escaping (button labels, plain-text contexts)."""
    return LANGUAGES.get(language, EN).get(key) or EN[key]


def has_text(key: str) -> bool:
    return key in EN
