"""`make backup` / `make restore`: a dump written by scripts/backup.sh loads into an empty database
with the same rows, table by table (the scripts' direct mode, with DATABASE_URL)."""
import gzip
import re
import subprocess
import sys
from pathlib import Path

from tests.support.fixtures import sql

ROOT = Path(__file__).resolve().parents[2]
MIGRATE = "from lib.models.database import bind_database; import sys; bind_database(sys.argv[1])"


def fill_with_a_small_shop(url):
    """Rows in the tables that hold money and servers, with NULLs, decimals, JSON and non-ASCII text."""
    for statement in (
        "INSERT INTO users (id, username, first_name, language, balance, banned, created_at) VALUES "
        "(1001, 'ann', 'Анна', 'ru', 150.50, false, '2024-05-01 10:00:00'), "
        "(1002, NULL, 'Bob', 'en', 0, true, '2024-05-02 11:30:00.123456')",
        "INSERT INTO vpn_peers (\"user\", plan_id, interface, address, live_address, public_key, private_key_enc, "
        "preshared_key_enc, server_public_key, status, expires_at, remind_at, created_at) VALUES "
        "(1001, 'vpn-1m', 'wg0', '10.8.0.2', '10.8.0.2', 'pubkey-ann=', 'sealed-private', 'sealed-psk', "
        "'server-pub=', 'active', '2024-06-01 10:00:00', '2024-05-29 10:00:00', '2024-05-01 10:01:00')",
        "INSERT INTO vps_servers (\"user\", plan_id, node, name, vmid, ip, prefix, live_ip, password_enc, status, "
        "step, expires_at, created_at) VALUES (1002, 'vps-start', 'pve1', 'shop-vps-2', 105, '203.0.113.10', 24, "
        "'203.0.113.10', 'sealed-password', 'running', 'ready', '2024-06-02 11:00:00', '2024-05-02 11:40:00')",
        "INSERT INTO orders (\"user\", product, plan_id, provider, amount, status, pay_url, provider_ref, peer, "
        "server, attempts, created_at, paid_at, fulfilled_at) VALUES "
        "(1001, 'vpn', 'vpn-1m', 'cryptobot', 199.00, 'fulfilled', 'https://t.me/CryptoBot?start=IV1', '77', 1, "
        "NULL, 1, '2024-05-01 10:00:30', '2024-05-01 10:00:50', '2024-05-01 10:01:00'), "
        "(1002, 'vps', 'vps-start', 'yookassa', 400.00, 'fulfilled', NULL, '2e1f-yk', NULL, 1, 1, "
        "'2024-05-02 11:35:00', '2024-05-02 11:36:00', '2024-05-02 11:40:00'), "
        "(1001, 'vpn', 'vpn-3m', 'balance', 549.00, 'pending', NULL, NULL, NULL, NULL, 0, '2024-05-03 09:00:00', "
        "NULL, NULL)",
        "INSERT INTO payments (provider, provider_payment_id, \"user\", \"order\", amount, paid_amount, "
        "paid_currency, created_at) VALUES ('cryptobot', '77', 1001, 1, 199.00, '2.5', 'USDT', "
        "'2024-05-01 10:00:50'), ('yookassa', '2e1f-yk', 1002, 2, 400.00, '400.00', 'RUB', '2024-05-02 11:36:00')",
        "INSERT INTO ledger (\"user\", amount, kind, ref, comment, created_at) VALUES "
        "(1001, 199.00, 'payment', 'cryptobot:77', 'Crypto Pay', '2024-05-01 10:00:50'), "
        "(1001, -199.00, 'purchase', 'order:1', '', '2024-05-01 10:00:51'), "
        "(1001, 150.50, 'adjustment', 'admin:1', 'возврат «за простой»', '2024-05-04 08:00:00')",
        "INSERT INTO events (id, name, occurred_at, data, attempts, next_attempt_at) VALUES "
        "('6f1c2f8e-0000-4000-8000-000000000001', 'payment.received', '2024-05-01 10:00:50', "
        "'{\"telegram_id\": 1001, \"amount\": \"199.00\", \"note\": \"ünïcode\"}', 0, '2024-05-01 10:00:50')",
        "INSERT INTO processed_updates (source, key, seen_at) VALUES ('telegram', '5001', '2024-05-01 10:00:00')",
    ):
        sql(url, statement)


def tables(url) -> list:
    return [name for (name,) in sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                             "ORDER BY tablename")]


def rows(url, table) -> list:
    return sql(url, f'SELECT * FROM "{table}" ORDER BY 1, 2')


def sequences(url) -> dict:
    return dict(sql(url, "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"))


def script(name, *args, database_url, cwd):
    done = subprocess.run(["bash", str(ROOT / "scripts" / name), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/local/bin:/usr/bin:/bin", "DATABASE_URL": database_url})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def make_backup(backup_dir, database_url):
    """`make backup`, exactly as an operator runs it (with DATABASE_URL: the direct mode)."""
    done = subprocess.run(["make", "--no-print-directory", "-s", "backup", f"BACKUP_DIR={backup_dir}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin", "DATABASE_URL": database_url})
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


def test_a_backup_restores_into_an_empty_database_with_the_same_rows(new_database, tmp_path):
    source, target = new_database(), new_database()
    migrated = subprocess.run([sys.executable, "-c", MIGRATE, source], cwd=ROOT, capture_output=True, text=True,
                              timeout=60)
    assert migrated.returncode == 0, migrated.stderr
    fill_with_a_small_shop(source)

    backup = make_backup(tmp_path / "backups", source)
    assert re.fullmatch(r"shop-\d{8}-\d{6}\.sql\.gz", backup.name), backup
    assert backup.parent == tmp_path / "backups" and not list(backup.parent.glob("*.partial"))
    assert b"PostgreSQL database dump complete" in gzip.decompress(backup.read_bytes())
    assert backup.stat().st_mode & 0o077 == 0, "a backup holds customers' data: only its owner may read it"

    assert tables(target) == []
    assert script("restore.sh", str(backup), database_url=target, cwd=tmp_path) == f"restored {backup}"

    assert tables(target) == tables(source)
    for table in tables(source):
        assert rows(target, table) == rows(source, table), table
    assert len(rows(target, "ledger")) == 3 and rows(target, "users")[0][2] == "Анна"
    assert sequences(target) == sequences(source)
    # The restored database goes on where the original left off: new ids do not collide.
    sql(target, "INSERT INTO orders (\"user\", product, plan_id, provider, amount, status, attempts, created_at) "
                    "VALUES (1002, 'vpn', 'vpn-1m', 'balance', 199, 'pending', 0, now())")
    assert sql(target, "SELECT max(id) FROM orders") == [(4,)]


def test_restoring_over_a_changed_database_brings_back_the_backup(new_database, tmp_path):
    source = new_database()
    migrated = subprocess.run([sys.executable, "-c", MIGRATE, source], cwd=ROOT, capture_output=True, text=True,
                              timeout=60)
    assert migrated.returncode == 0, migrated.stderr
    fill_with_a_small_shop(source)
    before = {table: rows(source, table) for table in tables(source)}
    backup = script("backup.sh", database_url=source, cwd=tmp_path)
    assert backup.startswith("backups/shop-")

    sql(source, "UPDATE users SET balance = 0")
    sql(source, "DELETE FROM ledger")
    script("restore.sh", str(tmp_path / backup), database_url=source, cwd=tmp_path)
    assert {table: rows(source, table) for table in tables(source)} == before


def test_restore_refuses_a_missing_file_and_changes_nothing(new_database, tmp_path):
    done = subprocess.run(["bash", str(ROOT / "scripts" / "restore.sh"), str(tmp_path / "nope.sql.gz")],
                          capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin",
                                                                           "DATABASE_URL": new_database()})
    assert done.returncode == 2 and "usage" in done.stderr
