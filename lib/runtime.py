"""What a process needs once: settings, the database binding, Redis. Built lazily, shared."""
import logging
import threading
from dataclasses import dataclass, field

import redis as redis_lib

from lib.config import Settings, load_settings
from lib.models.database import bind_database
from lib.secretbox import SecretBox

log = logging.getLogger(__name__)
_lock = threading.Lock()
_current = None


@dataclass
class Runtime:
    settings: Settings
    redis: object
    box: SecretBox = field(init=False)

    def __post_init__(self):
        self.box = SecretBox(self.settings.secret_key)


def init_runtime(settings: Settings, redis=None) -> Runtime:
    """Bind the database (migrating it) and connect Redis; the given Redis wins (tests, local runner)."""
    global _current
    with _lock:
        bind_database(settings.database_url)
        if redis is None:
            redis = redis_lib.Redis.from_url(settings.redis_url, health_check_interval=30)
        _current = Runtime(settings=settings, redis=redis)
        return _current


def current() -> Runtime:
    """The process's runtime, built from the environment on first use (web and worker processes)."""
    if _current is None:
        init_runtime(load_settings())
    return _current


def reset_runtime() -> None:
    """Forget the runtime (tests that rebuild settings)."""
    global _current
    _current = None
