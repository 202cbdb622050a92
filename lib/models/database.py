"""Binding the entities to PostgreSQL or SQLite, and units of work with after-commit actions."""
import contextvars
import logging
import random
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from pony import orm
from pony.orm import db_session

from lib.models import db

log = logging.getLogger(__name__)
_after_commit = contextvars.ContextVar("after_commit", default=None)


def connection_args(database_url: str) -> dict:
    """Pony bind() arguments for a postgresql:// or sqlite:/// URL."""
    parsed = urlparse(database_url)
    if parsed.scheme == "sqlite":
        path = Path(unquote(parsed.path)) if parsed.path not in ("", "/:memory:") else None
        if path is None:
            return {"provider": "sqlite", "filename": ":memory:"}
        path.parent.mkdir(parents=True, exist_ok=True)
        return {"provider": "sqlite", "filename": str(path), "create_db": True}
    args = {"provider": "postgres", "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432, "dbname": unquote(parsed.path.lstrip("/")) or "postgres"}
    if parsed.username:
        args["user"] = unquote(parsed.username)
    if parsed.password:
        args["password"] = unquote(parsed.password)
    return args


def bind_database(database_url: str, *, migrate: bool = True) -> None:
    """Bind once per process; apply pending schema migrations first when asked."""
    if db.provider is not None:
        return
    args = connection_args(database_url)
    db.bind(**args)
    if migrate:
        from lib.models.migrations import migrate_schema
        migrate_schema(db, args)
    else:
        db.generate_mapping(create_tables=False, check_tables=False)


@contextmanager
def transaction():
    """A database transaction; callbacks given to after_commit() run only once it committed."""
    callbacks = []
    token = _after_commit.set(callbacks)
    try:
        with db_session:
            yield
    finally:
        _after_commit.reset(token)
    for callback, args, kwargs in callbacks:
        try:
            callback(*args, **kwargs)
        except Exception:  # the commit stands; cron_tick re-queues whatever this missed
            log.exception("after-commit action %s failed", getattr(callback, "__name__", callback))


def after_commit(callback, *args, **kwargs) -> None:
    """Run callback(*args, **kwargs) after the current transaction commits (e.g. enqueue a job)."""
    callbacks = _after_commit.get()
    if callbacks is None:
        raise RuntimeError("after_commit() needs an enclosing transaction()")
    callbacks.append((callback, args, kwargs))


CONFLICTS = (orm.TransactionIntegrityError, orm.CommitException, orm.OptimisticCheckError,
             orm.UnrepeatableReadError, orm.dbapiprovider.IntegrityError)
ROLLED_BACK = {"40001", "40P01"}  # PostgreSQL: serialization failure, deadlock detected


def _causes(exc):
    """The exception and what it wraps (Pony keeps the driver's error as original_exc)."""
    seen = []
    while exc is not None and exc not in seen and len(seen) < 8:
        seen.append(exc)
        inner = getattr(exc, "exceptions", None)  # CommitException: the errors of each database
        exc = getattr(exc, "original_exc", None) or exc.__cause__ or exc.__context__ or \
            (inner[0][1] if inner and isinstance(inner[0], tuple) else None)
    return seen


def is_conflict(exc) -> bool:
    """A race another transaction won, or one PostgreSQL rolled back to break a deadlock: run it again."""
    return any(isinstance(e, CONFLICTS) or getattr(e, "pgcode", None) in ROLLED_BACK for e in _causes(exc))


def run_transaction(func, *args, attempts: int = 5, **kwargs):
    """Run func in a transaction, retrying from scratch when a concurrent one won a race.

    The retry re-reads everything, so the loser of a race sees the winner's result (a payment
    already recorded, an address already taken) and acts on it instead of failing. A deadlock's
    victim waits a random moment first, so the two do not meet again in step.
    """
    for attempt in range(1, attempts + 1):
        try:
            with transaction():
                return func(*args, **kwargs)
        except Exception as exc:
            if attempt == attempts or not is_conflict(exc):
                raise
            log.info("transaction conflict in %s (%s), retrying (%s/%s)", func.__name__, type(exc).__name__,
                     attempt, attempts)
            time.sleep(random.uniform(0.005, 0.03) * attempt)
