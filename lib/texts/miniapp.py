"""Every user-facing string of the mini app page, injected into it as JSON.

Plain text (the page inserts it with textContent); `{name}`-style parameters are filled in by the page.
Both languages must have the same keys (tests check it). `api_*` texts are the JSON API's own
refusals of malformed input (lib/miniapp/errors.py); they ride along in the page unused.
"""
from lib.texts.miniapp_en import TEXTS as EN
from lib.texts.miniapp_ru import TEXTS as RU

MINIAPP_TEXTS = {"en": EN, "ru": RU}
