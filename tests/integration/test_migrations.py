"""Start-up migrations: a new database gets the schema; an older one is upgraded in place, data kept."""
import subprocess
import sys

import psycopg2
import pytest

from lib.models.migrations import MIGRATIONS
from tests.support.fixtures import sql

VERSIONS = [version for version, *_ in MIGRATIONS]

MIGRATE = "from lib.models.database import bind_database; import sys; bind_database(sys.argv[1])"


def start_up(url):
    """What every process does first: bind and migrate (in a fresh interpreter, like a real start)."""
    done = subprocess.run([sys.executable, "-c", MIGRATE, url], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_new_postgres_database_gets_every_version(new_database):
    empty_pg = new_database()
    start_up(empty_pg)
    assert [v for (v,) in sql(empty_pg, "SELECT version FROM schema_migrations ORDER BY 1")] == VERSIONS
    start_up(empty_pg)  # a restart changes nothing
    assert sql(empty_pg, "SELECT count(*) FROM schema_migrations") == [(len(VERSIONS),)]


def test_an_older_database_is_upgraded_in_place_and_keeps_its_rows(new_database):
    empty_pg = new_database()
    start_up(empty_pg)
    # Turn it back into a version-1 database holding a customer, as an operator's would be.
    sql(empty_pg, "DROP INDEX idx_vpn_peers_user_status")
    sql(empty_pg, "DELETE FROM schema_migrations WHERE version = 2")
    sql(empty_pg, "INSERT INTO users (id, username, first_name, language, balance, banned, created_at) "
                    "VALUES (42, 'ann', 'Ann', 'en', 10, false, now())")
    start_up(empty_pg)
    assert sql(empty_pg, "SELECT indexname FROM pg_indexes WHERE indexname = 'idx_vpn_peers_user_status'")
    assert sql(empty_pg, "SELECT max(version) FROM schema_migrations") == [(VERSIONS[-1],)]
    assert sql(empty_pg, "SELECT indexname FROM pg_indexes WHERE indexname = 'idx_vpn_peers_live_expiry'")
    assert sql(empty_pg, "SELECT id, balance FROM users") == [(42, 10)]


def test_sqlite_gets_the_same_schema(tmp_path):
    url = f"sqlite:///{tmp_path}/shop.db"
    start_up(url)
    import sqlite3
    conn = sqlite3.connect(tmp_path / "shop.db")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "orders", "payments", "ledger", "vpn_peers", "events", "processed_updates",
            "schema_migrations"} <= tables
    assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")] == VERSIONS


def test_payment_uniqueness_is_enforced_by_the_database(new_database):
    empty_pg = new_database()
    start_up(empty_pg)
    sql(empty_pg, "INSERT INTO users (id, first_name, language, balance, banned, created_at) "
                    "VALUES (1, 'A', 'en', 0, false, now())")
    insert = ("INSERT INTO payments (provider, provider_payment_id, \"user\", amount, paid_amount, paid_currency, "
              "created_at) VALUES ('cryptobot', '77', 1, 199, '199', 'RUB', now())")
    sql(empty_pg, insert)
    with pytest.raises(psycopg2.errors.UniqueViolation):
        sql(empty_pg, insert)


def test_a_version_3_database_gets_payment_matching_and_keeps_its_payments(new_database):
    empty_pg = new_database()
    start_up(empty_pg)
    for column in ("orders DROP COLUMN charge_amount", "orders DROP COLUMN charge_currency",
                   "payments DROP COLUMN expected_amount", "payments DROP COLUMN expected_currency",
                   "payments DROP COLUMN verdict", 'payments ALTER COLUMN "user" SET NOT NULL',
                   "orders DROP COLUMN refund_requested_at", "orders DROP COLUMN refund_via",
                   "orders DROP COLUMN refund_reason", "broadcasts DROP COLUMN active_at"):
        sql(empty_pg, f"ALTER TABLE {column}")
    sql(empty_pg, "DELETE FROM schema_migrations WHERE version = 4")
    sql(empty_pg, "INSERT INTO users (id, first_name, language, balance, banned, created_at) "
                  "VALUES (1, 'A', 'en', 0, false, now())")
    sql(empty_pg, "INSERT INTO payments (provider, provider_payment_id, \"user\", amount, paid_amount, "
                  "paid_currency, created_at) VALUES ('cryptobot', '77', 1, 199, '199', 'RUB', now())")
    start_up(empty_pg)
    assert sql(empty_pg, "SELECT provider_payment_id, verdict, expected_amount FROM payments") == [("77", "paid", None)]
    assert sql(empty_pg, "SELECT is_nullable FROM information_schema.columns "
                         "WHERE table_name = 'payments' AND column_name = 'user'") == [("YES",)]
    assert sql(empty_pg, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' "
                         "AND column_name IN ('charge_amount', 'charge_currency', 'refund_requested_at')") == [(3,)]
