"""Database and Redis: connect, ping, schema version. Read-only: the doctor never migrates."""
import sqlite3
from pathlib import Path
from urllib.parse import urlparse

from lib.models.database import connection_args
from lib.models.migrations import MIGRATIONS

LATEST_SCHEMA = max(version for version, *_ in MIGRATIONS)
TIMEOUT = 5


def _where(settings) -> str:
    """host:port/db without the password."""
    return settings.database_url.split("@")[-1].split("://")[-1]


def query(settings, sql: str) -> list:
    """Rows of one read-only query on the shop's database (PostgreSQL or SQLite)."""
    args = connection_args(settings.database_url)
    if args["provider"] == "sqlite":
        path = args["filename"]
        path = "/" + path.lstrip("/") if path.startswith("//") else path  # sqlite:////abs/path
        if path != ":memory:" and not Path(path).exists():
            raise FileNotFoundError(path)
        uri = f"file:{path}?mode=ro" if path != ":memory:" else ":memory:"
        conn = sqlite3.connect(uri, uri=path != ":memory:", timeout=TIMEOUT)
    else:
        import psycopg2
        conn = psycopg2.connect(connect_timeout=TIMEOUT,
                                **{k: v for k, v in args.items() if k != "provider"})
    try:
        cur = conn.cursor()
        cur.execute(sql)
        return cur.fetchall()
    finally:
        conn.close()


def _schema_sentence(version) -> tuple:
    if version is None:
        return True, "the schema is not created yet: the first start of web or worker creates it."
    if version < LATEST_SCHEMA:
        return True, f"schema version {version}; the next start of web or worker upgrades it to {LATEST_SCHEMA}."
    if version > LATEST_SCHEMA:
        return False, (f"schema version {version} is newer than this code knows ({LATEST_SCHEMA}): "
                       "deploy the newer code, or restore the backup that matches this one.")
    return True, f"schema version {version} (current)."


def check_database(settings) -> tuple:
    sqlite = urlparse(settings.database_url).scheme == "sqlite"
    what = f"SQLite file {Path(connection_args(settings.database_url)['filename']).resolve()}" if sqlite \
        else f"PostgreSQL at {_where(settings)}"
    try:
        query(settings, "SELECT 1")
    except FileNotFoundError:
        return True, (f"{what} does not exist yet: the local runner creates it on its first start "
                      "(production needs PostgreSQL in DATABASE_URL).")
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return False, (f"{what} does not answer ({reason}). Check DATABASE_URL (host, port, user, password, "
                       "database name) and that PostgreSQL runs.")
    try:
        rows = query(settings, "SELECT max(version) FROM schema_migrations")
        version = rows[0][0]
    except Exception:
        version = None
    ok, schema = _schema_sentence(version)
    local = " (the local runner's SQLite file: production needs PostgreSQL in DATABASE_URL)" if sqlite else ""
    return ok, f"{what} answers{local}; {schema}"


def check_redis(settings) -> tuple:
    if not settings.redis_url:
        return True, ("REDIS_URL is not set: only the local runner works, with an in-process Redis; "
                      "web and worker processes need a real Redis in REDIS_URL.")
    import redis
    where = settings.redis_url.split("@")[-1].split("://")[-1]
    try:
        redis.Redis.from_url(settings.redis_url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT).ping()
    except redis.AuthenticationError:
        return False, f"Redis at {where} refused the password in REDIS_URL: put the one from requirepass there."
    except redis.ResponseError as exc:
        return False, f"Redis at {where} refused the connection ({str(exc)[:120]}): check the password in REDIS_URL."
    except redis.RedisError as exc:
        return False, f"Redis at {where} does not answer ({type(exc).__name__}): check REDIS_URL and that Redis runs."
    return True, f"Redis at {where} answers."


def checks(settings) -> list:
    from lib.doctor.checks import guarded
    return [guarded("Database", check_database, settings), guarded("Redis", check_redis, settings)]
