"""The admin panel's texts, in English and Russian (same keys, HTML templates)."""
from lib.texts.admin_en import TEXTS as EN
from lib.texts.admin_ru import TEXTS as RU

TEXTS = {"en": EN, "ru": RU}
