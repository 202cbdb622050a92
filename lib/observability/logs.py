"""Logging for every process: one JSON object per line (or plain text), with the request or job id,
and never a secret: the configured tokens and keys, and any `bot<id>:<secret>` in a URL, are masked."""
import contextvars
import json
import logging
import re
import sys
import time
from urllib.parse import unquote, urlparse

request_id = contextvars.ContextVar("request_id", default=None)  # set per HTTP request by functions.observe
MASK = "***"
_BOT_TOKEN = re.compile(r"(bot\d{3,}:)[A-Za-z0-9_-]{8,}")  # Bot API URLs carry the token in the path
_SECRET_FIELDS = ("bot_token", "telegram_webhook_secret", "cron_secret", "secret_key", "cryptobot_token",
                  "yookassa_secret_key", "n8n_api_key")
_MIN_SECRET_LENGTH = 6  # shorter values would mask ordinary words
_registered = set()
_from_settings = (None, ())  # (settings object, its secrets), cached per runtime
_sorted = (None, ())


def register_secrets(*values) -> None:
    """Mask these values in every log line from now on (settings are picked up by themselves)."""
    _registered.update(v for v in values if isinstance(v, str) and len(v) >= _MIN_SECRET_LENGTH)


def secrets_of(settings) -> tuple:
    values = [getattr(settings, name, "") for name in _SECRET_FIELDS]
    values.append(getattr(getattr(settings, "proxmox", None), "token_value", ""))
    for url in (getattr(settings, "database_url", ""), getattr(settings, "redis_url", "")):
        try:
            values.append(unquote(urlparse(url).password or ""))
        except ValueError:
            pass
    return tuple(v for v in values if isinstance(v, str) and len(v) >= _MIN_SECRET_LENGTH)


def _current_secrets() -> tuple:
    """The running process's settings' secrets, without building a runtime just to log a line."""
    global _from_settings
    runtime = sys.modules.get("lib.runtime")
    rt = getattr(runtime, "_current", None)
    settings = getattr(rt, "settings", None)
    if settings is not _from_settings[0]:
        _from_settings = (settings, secrets_of(settings) if settings is not None else ())
    return _from_settings[1]


def _all_secrets() -> tuple:
    global _sorted
    key = (_current_secrets(), len(_registered))
    if _sorted[0] != key:
        _sorted = (key, tuple(sorted({*key[0], *_registered}, key=len, reverse=True)))  # longest first
    return _sorted[1]


def redact(text: str) -> str:
    """The text with every known secret and Bot API token replaced by ***."""
    for secret in _all_secrets():
        if secret in text:
            text = text.replace(secret, MASK)
    return _BOT_TOKEN.sub(r"\g<1>" + MASK, text) if "bot" in text else text


class ContextFilter(logging.Filter):
    """Adds request_id (HTTP) and job_id (RQ job) to every record that passes the handler."""

    def filter(self, record):
        record.job_id = _current_job_id()
        record.request_id = None if record.job_id else request_id.get()
        return True


def _current_job_id():
    rq_job = sys.modules.get("rq.job")  # only a worker has RQ jobs running; never import it for that
    if rq_job is None:
        return None
    try:
        job = rq_job.get_current_job()
    except Exception:
        return None
    return job.id if job is not None else None


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message", "request_id"|"job_id", "exception"} on one line."""

    def format(self, record):
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                 + f".{int(record.msecs):03d}Z",
                 "level": record.levelname, "logger": record.name, "message": redact(record.getMessage())}
        for key in ("request_id", "job_id"):
            value = getattr(record, key, None)
            if value:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Plain lines for a terminal, masked the same way."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")

    def format(self, record):
        ids = [f"{k}={getattr(record, k)}" for k in ("request_id", "job_id") if getattr(record, k, None)]
        record.context = f" [{' '.join(ids)}]" if ids else ""
        return redact(super().format(record))


def make_formatter(log_format: str = "json") -> logging.Formatter:
    return TextFormatter() if log_format == "text" else JsonFormatter()


def setup_logging(log_format: str = "json", level: str = "INFO") -> None:
    """One stderr handler on the root logger (replacing ours from an earlier call)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_shop", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(ContextFilter())
    handler._shop = True
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries that would otherwise log request URLs (the bot token is part of Telegram's).
    for noisy in ("urllib3", "TeleBot", "yookassa"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def logging_is_set_up() -> bool:
    return any(getattr(h, "_shop", False) for h in logging.getLogger().handlers)
