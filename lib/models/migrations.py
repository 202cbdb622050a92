"""A small versioned migration step, run at start-up so an existing database upgrades in place.

A new database gets the current schema from the entities and every version is recorded as
applied (running only the statements marked for new databases: what entities cannot say).
An existing one first gets each pending migration in order, then the tables of new entities.
So a migration only changes tables of earlier versions; a new table comes from its entity.
Migrations are plain SQL per dialect, one transaction each; a PostgreSQL advisory lock keeps
two processes starting at once from migrating twice.
"""
import logging
from contextlib import contextmanager

from pony.orm import db_session

log = logging.getLogger(__name__)
_LOCK_ID = 7_412_001  # arbitrary, constant: the advisory lock the shop's migrations share

# (version, description, {dialect: [sql, ...]}, also on a new database). Append only;
# never edit a released entry.
_PEERS_BY_USER = 'CREATE INDEX IF NOT EXISTS idx_vpn_peers_user_status ON vpn_peers ("user", status)'
_LIVE_PEERS_BY_EXPIRY = ("CREATE INDEX IF NOT EXISTS idx_vpn_peers_live_expiry ON vpn_peers (expires_at) "
                         "WHERE status IN ('active', 'paused')")
_LIVE_SERVERS_BY_EXPIRY = ("CREATE INDEX IF NOT EXISTS idx_vps_servers_live_expiry ON vps_servers (expires_at) "
                           "WHERE status IN ('running', 'stopped')")
_PAYMENT_MATCHING = [
    "ALTER TABLE orders ADD COLUMN charge_amount DECIMAL(12, 2)",
    "ALTER TABLE orders ADD COLUMN charge_currency VARCHAR(16)",
    "CREATE INDEX IF NOT EXISTS idx_orders_provider_provider_ref ON orders (provider, provider_ref)",
    "ALTER TABLE payments ADD COLUMN expected_amount VARCHAR(32)",
    "ALTER TABLE payments ADD COLUMN expected_currency VARCHAR(16)",
    "ALTER TABLE payments ADD COLUMN verdict VARCHAR(64) NOT NULL DEFAULT 'paid'",
    "ALTER TABLE orders ADD COLUMN refund_requested_at TIMESTAMP",
    "ALTER TABLE orders ADD COLUMN refund_via VARCHAR(16)",
    "ALTER TABLE orders ADD COLUMN refund_reason VARCHAR(256)",
    "CREATE INDEX IF NOT EXISTS idx_orders_refund_requested_at ON orders (refund_requested_at)",
    "ALTER TABLE broadcasts ADD COLUMN active_at TIMESTAMP",
]
MIGRATIONS = [
    (1, "initial schema", {}, False),
    (2, "index peers by user for the my-VPN screen", {"postgres": [_PEERS_BY_USER], "sqlite": [_PEERS_BY_USER]}, True),
    (3, "partial indexes of live subscriptions by expiry, for cron_tick",
     {d: [_LIVE_PEERS_BY_EXPIRY, _LIVE_SERVERS_BY_EXPIRY] for d in ("postgres", "sqlite")}, True),
    # SQLite cannot drop NOT NULL in place: there an unassigned payment still needs a user (local runner only).
    (4, "payments matched to the order's own charge (a payment nobody can be named for keeps no user); "
        "refunds asked for are recorded until done; broadcasts note when a run last sent",
     {"postgres": [*_PAYMENT_MATCHING, 'ALTER TABLE payments ALTER COLUMN "user" DROP NOT NULL'],
      "sqlite": _PAYMENT_MATCHING}, False),
]


def _dialect(db) -> str:
    return "postgres" if db.provider_name == "postgres" else "sqlite"


def _existing_tables(db) -> set:
    if _dialect(db) == "postgres":
        rows = db.select("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    else:
        rows = db.select("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(r) for r in rows}


@contextmanager
def _migration_lock(db, connect_args):
    """Hold a PostgreSQL advisory lock on a side connection while migrating."""
    if _dialect(db) != "postgres":
        yield
        return
    import psycopg2
    conn = psycopg2.connect(**{k: v for k, v in connect_args.items() if k != "provider"})
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))
        yield
    finally:
        conn.close()  # closing the session releases the lock


def migrate_schema(db, connect_args) -> list:
    """Bring the schema to the latest version; return the versions applied now."""
    dialect = _dialect(db)
    with _migration_lock(db, connect_args):
        with db_session:
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                       "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            done = {int(v) for v in db.select("SELECT version FROM schema_migrations")}
            fresh = not done and "users" not in _existing_tables(db)
            applied = [] if fresh else _apply_pending(db, dialect, done, fresh=False)
        db.generate_mapping(create_tables=True)  # creates only the tables not there yet
        if fresh:
            with db_session:
                applied = _apply_pending(db, dialect, done, fresh=True)
    return applied


def _apply_pending(db, dialect, done, fresh) -> list:
    applied = []
    for version, name, statements, on_new_database in MIGRATIONS:
        if version in done:
            continue
        for sql in statements.get(dialect, []) if (on_new_database or not fresh) else []:
            db.execute(sql)
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) "
                   "VALUES ($version, $name, CURRENT_TIMESTAMP)")
        db.commit()
        applied.append(version)
        log.info("schema migration %s applied: %s", version, name)
    return applied
