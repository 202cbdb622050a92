"""The admin panel's texts, in English and Russian (same keys, HTML templates)."""
TEXTS = {
    "en": {
    },
    "ru": {
    },
}
