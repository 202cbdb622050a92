"""Broadcast texts (admin side and the job's reports), in English and Russian (same keys, HTML templates)."""
TEXTS = {
    "en": {
    },
    "ru": {
    },
}
