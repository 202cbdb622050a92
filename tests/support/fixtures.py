"""Fixtures of the integration and e2e tests: a throwaway PostgreSQL database, real Redis, fakes
of the outside world, and the shop built on them (their conftest.py files take these in).

The schema is created once per run in a fresh database; every test starts from empty tables,
an empty Redis database and fresh fakes, and builds its own settings.
"""
import fcntl
import itertools
import os
import uuid

import psycopg2
import pytest
import redis as redis_lib

from lib import clock
from lib.models import db
from lib.runtime import init_runtime, reset_runtime
from tests.support.shop import FIRST_UPDATE_ID, Shop

PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
BOT_TOKEN = "123456:TEST-fake-token-for-the-shop-tests"


@pytest.fixture(scope="session")
def database_url():
    """A fresh PostgreSQL database for this run, dropped at the end."""
    name = f"shop_test_{uuid.uuid4().hex[:10]}"
    _admin_sql(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    db.disconnect()
    # A new admin connection: a test may have restarted PostgreSQL meanwhile (tests/e2e/test_outages.py).
    _admin_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", name)
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}"')


def _admin_sql(statement, *args):
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(statement, args or None)
    finally:
        admin.close()


@pytest.fixture(scope="session")
def redis_conn():
    """The test Redis database; runs on one machine take turns, since each empties it per test."""
    with open("/tmp/shop-tests-redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        conn = redis_lib.Redis.from_url(REDIS_URL)
        conn.ping()
        yield conn


def _truncate_all():
    from pony.orm import db_session
    tables = [entity._table_ for entity in db.entities.values()]
    with db_session:
        if db.provider_name == "postgres":
            db.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                db.execute(f'DELETE FROM "{table}"')


@pytest.fixture
def fake_telegram():
    from tests.fakes.telegram import FakeTelegram
    with FakeTelegram(BOT_TOKEN) as fake:
        yield fake


@pytest.fixture
def fake_cryptopay():
    from tests.fakes.cryptopay import FakeCryptoPay
    with FakeCryptoPay() as fake:
        yield fake


@pytest.fixture
def fake_yookassa():
    from tests.fakes.yookassa import FakeYooKassa
    with FakeYooKassa("501234", "test_fake_secret_key") as fake:
        yield fake


@pytest.fixture
def fake_proxmox():
    from tests.fakes.proxmox import FakeProxmox
    with FakeProxmox(clone_seconds=0.3) as fake:
        yield fake


def proxmox_env(fake, pool="203.0.113.10-203.0.113.12/24") -> dict:
    return {"PROXMOX_HOST": f"https://{fake.host}", "PROXMOX_USER": fake.user, "PROXMOX_TOKEN_NAME": fake.token_name,
            "PROXMOX_TOKEN_VALUE": fake.token_value, "PROXMOX_VERIFY_SSL": fake.ca_path, "PROXMOX_NODE": fake.node,
            "PROXMOX_TEMPLATE_VMID": "9000", "PROXMOX_STORAGE": "local-lvm", "PROXMOX_GATEWAY": "203.0.113.1",
            "PROXMOX_IP_POOL": pool}


@pytest.fixture
def make_shop(database_url, redis_conn, fake_telegram, fake_cryptopay, fake_yookassa, tmp_path):
    """Build the shop with settings from the fakes plus `overrides` (env names → values)."""
    redis_conn.flushdb()
    created, update_ids = [], itertools.count(FIRST_UPDATE_ID)

    def build(wg=None, proxmox=None, pool="203.0.113.10-203.0.113.12/24", **overrides):
        env = {
            "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "PUBLIC_URL": "https://shop.example.test",
            "BOT_TOKEN": BOT_TOKEN, "TELEGRAM_API_URL": fake_telegram.url,
            "TELEGRAM_WEBHOOK_SECRET": "test-webhook-secret", "CRON_SECRET": "test-cron-secret",
            "SECRET_KEY": "test-secret-key-0123456789abcdef",
            "CRYPTOBOT_TOKEN": fake_cryptopay.token, "CRYPTOBOT_API_URL": fake_cryptopay.api_url,
            "YOOKASSA_SHOP_ID": fake_yookassa.shop_id, "YOOKASSA_SECRET_KEY": fake_yookassa.secret_key,
            "YOOKASSA_API_URL": fake_yookassa.api_url,
            "WG_ENDPOINT": "vpn.example.test:51820", "WG_INTERFACE": "wgtest0",
            "WG_COMMAND": "false",  # no interface unless a test brings a WireGuard lab
        }
        if wg is not None:
            env.update(WG_INTERFACE=wg.interface, WG_COMMAND=wg.wg_command, WG_ENDPOINT=wg.endpoint,
                       WG_SUBNET=str(wg.subnet))
        if proxmox is not None:
            env.update(proxmox_env(proxmox, pool))
        if str(overrides.get("SANDBOX_PAYMENTS", "")).lower() == "true" and "PUBLIC_URL" not in overrides:
            env["PUBLIC_URL"] = "https://shop.localhost"  # sandbox payments are refused for a public shop
        env.update({k: str(v) for k, v in overrides.items()})
        from lib.config import load_settings
        settings = load_settings(env, dotenv_path=os.devnull)
        reset_runtime()
        rt = init_runtime(settings, redis=redis_conn)
        if not created:
            _truncate_all()
        shop = Shop(rt, fake_telegram, fake_cryptopay, fake_yookassa, update_ids)
        shop.env = env
        created.append(shop)
        return shop

    yield build
    clock.reset()
    reset_runtime()


@pytest.fixture
def shop(make_shop):
    """The shop with every provider on and a WireGuard command that always fails (no lab)."""
    return make_shop()


@pytest.fixture
def fake_wg(tmp_path):
    """A fake `wg` on a fake interface (tests/fakes/wg.py): make_shop(wg=fake_wg) sells keys on it."""
    from tests.fakes.wg import FakeWireGuard
    with FakeWireGuard(tmp_path) as fake:
        yield fake


@pytest.fixture
def new_database():
    """Makes throwaway PostgreSQL databases (each call a new, empty one); drops them all at the end."""
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    made = []

    def make():
        name = f"shop_scratch_{uuid.uuid4().hex[:8]}"
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return PG_ADMIN.rsplit("/", 1)[0] + "/" + name

    yield make
    for name in made:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def sql(url, statement, *args):
    """Run one statement on the database at `url`; its rows, if it returns any."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(statement, args)
        return cur.fetchall() if cur.description else None
