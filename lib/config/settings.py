"""The only reader of the environment: one validated Settings object, built once."""
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from lib.config import parsers as p
from lib.config.parsers import ConfigError
from lib.config.plans import DEFAULT_PLANS_FILE, Catalog, PlansError, load_catalog
from lib.config.proxmox import load_proxmox
from lib.config.sources import local_secret, read_env

DEFAULT_PUBLIC_URL = "http://localhost:8080"


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str  # empty: in-process Redis (local runner only)
    public_url: str
    public_url_given: bool
    bot_token: str
    telegram_api_url: str
    telegram_webhook_secret: str
    admin_ids: frozenset
    cron_secret: str
    secret_key: str
    cryptobot_token: str
    cryptobot_api_url: str
    cryptobot_currency: str  # RUB: fiat invoice; USDT: crypto invoice
    yookassa_shop_id: str
    yookassa_secret_key: str
    yookassa_api_url: str
    sandbox_payments: bool
    wg_interface: str
    wg_command: tuple
    wg_endpoint: str
    wg_subnet: object
    wg_dns: str
    n8n_webhook_url: str
    n8n_api_key: str
    tariffs_file: str
    catalog: Catalog
    reminder_offsets: tuple
    vps_grace: timedelta
    stuck_order_after: timedelta
    reconcile_every: timedelta
    miniapp_auth_ttl: timedelta
    job_lock_ttl: timedelta
    port: int = 8080
    proxmox: object = None  # ProxmoxSettings, or None: VPS sales off
    local: bool = False
    rate_limit_per_minute: int = 30  # messages + button presses per user per minute; 0: no limit
    miniapp_rate_limit: int = 120  # mini app requests per user per minute; 0: no limit
    max_pending_orders: int = 5  # pending orders per user
    worker_processes: int = 2  # job-running processes `python -m jobs.worker` keeps alive
    log_format: str = "json"  # json: one JSON object per line; text: plain lines for a terminal
    log_level: str = "INFO"
    metrics_dir: str = ""  # Prometheus multiprocess directory; empty: the web runner makes a temporary one

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.bot_token)

    @property
    def vpn_enabled(self) -> bool:
        return bool(self.wg_endpoint)

    @property
    def vps_enabled(self) -> bool:
        return self.proxmox is not None

    @property
    def cryptobot_enabled(self) -> bool:
        return bool(self.cryptobot_token)

    @property
    def yookassa_enabled(self) -> bool:
        return bool(self.yookassa_shop_id and self.yookassa_secret_key)

    @property
    def polling(self) -> bool:
        """Local runner with a bot but no public address: long polling instead of a webhook."""
        return self.local and self.telegram_enabled and not self.public_url_given

    def payment_providers(self) -> list:
        """Providers a customer may choose, in menu order; the balance is always there."""
        enabled = [("cryptobot", self.cryptobot_enabled), ("yookassa", self.yookassa_enabled),
                   ("sandbox", self.sandbox_payments)]
        return [name for name, on in enabled if on] + ["balance"]


def _required(env, name, local, local_default, why):
    value = p.text(env, name)
    if value:
        return value
    if local:
        return local_default()
    raise ConfigError(f"{name} is required: {why}.")


LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def logging_settings(env=None, dotenv_path=".env") -> tuple:
    """(LOG_FORMAT, LOG_LEVEL, METRICS_DIR), read alone: logging starts before the rest is validated."""
    env = read_env(env, dotenv_path)
    log_format = p.text(env, "LOG_FORMAT", "json").lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be json or text, not {log_format!r}.")
    level = p.text(env, "LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}.")
    return log_format, level, p.text(env, "METRICS_DIR") or p.text(env, "PROMETHEUS_MULTIPROC_DIR")


def load_settings(env=None, *, local=False, dotenv_path=".env", data_dir="data") -> Settings:
    """Build and validate the settings; raise ConfigError with one clear sentence."""
    env = read_env(env, dotenv_path)
    data = Path(data_dir)
    db_default = f"sqlite:///{(data / 'shop.db').resolve()}"
    bot_token = p.bot_token(env)
    secret = p.webhook_secret(env)
    if bot_token and not secret and not local:
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET is required when BOT_TOKEN is set, so forged updates are refused.")
    if bot_token and not secret:
        secret = local_secret(data, "telegram_webhook_secret")
    shop_id, shop_key = p.text(env, "YOOKASSA_SHOP_ID"), p.text(env, "YOOKASSA_SECRET_KEY")
    if bool(shop_id) != bool(shop_key):
        raise ConfigError("YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY must be set together (or both left empty).")
    currency = p.text(env, "CRYPTOBOT_CURRENCY", "RUB").upper()
    if currency not in ("RUB", "USDT"):
        raise ConfigError(f"CRYPTOBOT_CURRENCY must be RUB (fiat invoice) or USDT, not {currency!r}.")
    secret_key = _required(env, "SECRET_KEY", local, lambda: local_secret(data, "secret_key"),
                           "it encrypts VPN private keys and VPS passwords")
    if len(secret_key) < 16:
        raise ConfigError("SECRET_KEY is too short: use at least 16 random characters.")
    tariffs = p.text(env, "TARIFFS_FILE", str(DEFAULT_PLANS_FILE))
    try:
        catalog = load_catalog(tariffs)
    except PlansError as exc:
        raise ConfigError(f"TARIFFS_FILE: {exc}.") from None
    public_url = p.url(env, "PUBLIC_URL")
    sandbox = p.flag(env, "SANDBOX_PAYMENTS")
    if sandbox and p.text(env, "SECRET_KEY") and public_url and not p.is_local_url(public_url):
        raise ConfigError("SANDBOX_PAYMENTS=true would let anyone mark orders paid without paying: it is refused when "
                          "SECRET_KEY is set and PUBLIC_URL is not on localhost (a production shop). Remove it.")
    return Settings(
        database_url=p.database_url(env) or _required(env, "DATABASE_URL", local, lambda: db_default,
                                                      "point it at PostgreSQL, like postgresql://shop:pass@db:5432/shop"),
        redis_url=p.url(env, "REDIS_URL", schemes=("redis", "rediss", "unix"))
        or _required(env, "REDIS_URL", local, str, "point it at Redis, like redis://:pass@redis:6379/0"),
        public_url=public_url or DEFAULT_PUBLIC_URL, public_url_given=bool(public_url),
        bot_token=bot_token, telegram_api_url=p.url(env, "TELEGRAM_API_URL", "https://api.telegram.org"),
        telegram_webhook_secret=secret, admin_ids=p.id_list(env, "ADMIN_IDS"),
        cron_secret=_required(env, "CRON_SECRET", local, lambda: secrets.token_urlsafe(24),
                              "it guards /cron_tick from strangers"),
        secret_key=secret_key,
        cryptobot_token=p.text(env, "CRYPTOBOT_TOKEN"),
        cryptobot_api_url=p.url(env, "CRYPTOBOT_API_URL", "https://pay.crypt.bot/api"),
        cryptobot_currency=currency,
        yookassa_shop_id=shop_id, yookassa_secret_key=shop_key,
        yookassa_api_url=p.url(env, "YOOKASSA_API_URL", "https://api.yookassa.ru/v3"),
        sandbox_payments=sandbox,
        wg_interface=p.text(env, "WG_INTERFACE", "wg0"), wg_command=p.command(env, "WG_COMMAND", "wg"),
        wg_endpoint=p.host_port(env, "WG_ENDPOINT"), wg_subnet=p.subnet(env, "WG_SUBNET", "10.8.0.0/24"),
        wg_dns=p.text(env, "WG_DNS", "1.1.1.1"),
        n8n_webhook_url=p.url(env, "N8N_WEBHOOK_URL"), n8n_api_key=p.text(env, "N8N_API_KEY"),
        tariffs_file=tariffs, catalog=catalog,
        reminder_offsets=p.duration_list(env, "REMINDER_OFFSETS", "3d,1d"),
        vps_grace=p.duration(env, "VPS_GRACE", "3d"),
        stuck_order_after=p.duration(env, "STUCK_ORDER_AFTER", "3m"),
        reconcile_every=p.duration(env, "RECONCILE_EVERY", "5m"),
        miniapp_auth_ttl=p.duration(env, "MINIAPP_AUTH_TTL", "24h"),
        job_lock_ttl=p.duration(env, "JOB_LOCK_TTL", "15s"),
        port=p.port(env), proxmox=load_proxmox(env), local=local,
        rate_limit_per_minute=p.rate_limit(env), miniapp_rate_limit=p.whole(env, "MINIAPP_RATE_LIMIT", "120"),
        max_pending_orders=p.whole(env, "MAX_PENDING_ORDERS", "5", least=1),
        worker_processes=p.whole(env, "WORKER_PROCESSES", "2", least=1), **_logging_fields(env),
    )


def _logging_fields(env) -> dict:
    log_format, log_level, metrics_dir = logging_settings(env)
    return {"log_format": log_format, "log_level": log_level, "metrics_dir": metrics_dir}
