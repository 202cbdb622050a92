"""All five functions as functions-framework targets, and the one WSGI app that serves them all.

    functions-framework --source functions/main.py --target telegram_webhook
    gunicorn functions.main:app
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # functions-framework loads this file alone

from functions.cron_tick import cron_tick  # noqa: E402
from functions.cryptobot_webhook import cryptobot_webhook  # noqa: E402
from functions.miniapp_api import miniapp_api  # noqa: E402
from functions.telegram_webhook import telegram_webhook  # noqa: E402
from functions.web import create_app  # noqa: E402
from functions.yukassa_webhook import yukassa_webhook  # noqa: E402

__all__ = ["telegram_webhook", "cryptobot_webhook", "yukassa_webhook", "miniapp_api", "cron_tick", "app"]
app = create_app()
