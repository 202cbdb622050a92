"""Logging set-up shared by the web, worker and local runner processes."""
import logging
import sys


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Libraries that would otherwise log request URLs (the bot token is part of Telegram's).
    for noisy in ("urllib3", "TeleBot", "yookassa"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
