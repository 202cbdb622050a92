"""Parsers for single environment values; each raises ConfigError naming the variable."""
import ipaddress
import re
import shlex
from urllib.parse import urlparse

from lib.config.durations import parse_duration, parse_duration_list


class ConfigError(ValueError):
    """One clear sentence saying which variable is wrong and why."""


_BOT_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_HOST_PORT = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")


def text(env, name, default=""):
    """A stripped string value or the default."""
    value = env.get(name)
    return value.strip() if value is not None and value.strip() else default


def flag(env, name, default=False):
    value = text(env, name).lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


def duration(env, name, default):
    try:
        return parse_duration(text(env, name, default))
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}.") from None


def duration_list(env, name, default):
    try:
        values = parse_duration_list(text(env, name, default))
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}.") from None
    return tuple(values)


def url(env, name, default="", schemes=("http", "https")):
    value = text(env, name, default).rstrip("/")
    if value:
        parsed = urlparse(value)
        if parsed.scheme not in schemes or not parsed.netloc:
            raise ConfigError(f"{name} must be a full {' or '.join(schemes)} URL, not {value!r}.")
    return value


def database_url(env, name="DATABASE_URL"):
    value = text(env, name)
    if value and urlparse(value).scheme not in ("postgresql", "postgres", "sqlite"):
        raise ConfigError(f"{name} must start with postgresql:// or sqlite:///, not {value.split(':')[0]!r}.")
    return value


def bot_token(env, name="BOT_TOKEN"):
    value = text(env, name)
    if value and not _BOT_TOKEN.match(value):
        raise ConfigError(f"{name} does not look like a Telegram bot token (digits, a colon, then the secret part).")
    return value


def webhook_secret(env, name="TELEGRAM_WEBHOOK_SECRET"):
    value = text(env, name)
    if value and not _WEBHOOK_SECRET.match(value):
        raise ConfigError(f"{name} may hold only 1-256 letters, digits, '_' and '-', as Telegram requires.")
    return value


def id_list(env, name):
    raw = text(env, name)
    try:
        return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError:
        raise ConfigError(f"{name} must be comma-separated Telegram user ids, like 12345,67890.") from None


def host_port(env, name):
    value = text(env, name)
    if value:
        match = _HOST_PORT.match(value)
        if not match or not 0 < int(match.group(2)) < 65536:
            raise ConfigError(f"{name} must be host:port, like vpn.example.com:51820, not {value!r}.")
    return value


def subnet(env, name, default):
    value = text(env, name, default)
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ConfigError(f"{name} must be a network like 10.8.0.0/24, not {value!r}.") from None
    if network.num_addresses < 4:
        raise ConfigError(f"{name} is too small: it needs room for the server and at least one client.")
    return network


def command(env, name, default):
    value = text(env, name, default)
    try:
        parts = shlex.split(value)
    except ValueError:
        raise ConfigError(f"{name} is not a valid command line: {value!r}.") from None
    if not parts:
        raise ConfigError(f"{name} must name the command that runs wg.")
    return tuple(parts)


def port(env) -> int:
    value = text(env, "PORT", "8080")
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"PORT must be a TCP port number, not {value!r}.")
    return int(value)


def whole(env, name, default: str, least: int = 0) -> int:
    """A whole number of at least `least` (0 usually turns the thing off)."""
    value = text(env, name, default)
    if not value.isdigit() or int(value) < least or len(value) > 9:
        raise ConfigError(f"{name} must be a whole number of at least {least}, not {value!r}.")
    return int(value)


def rate_limit(env) -> int:
    value = text(env, "RATE_LIMIT_PER_MINUTE", "30")
    if not value.isdigit():
        raise ConfigError(f"RATE_LIMIT_PER_MINUTE must be a whole number (0 turns the limit off), not {value!r}.")
    return int(value)


def is_local_url(url: str) -> bool:
    """Whether an address points at this machine (localhost, 127.x, ::1)."""
    host = (urlparse(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.endswith(".localhost") or host.startswith("127.")
