"""gunicorn reads this file from the working directory by itself (the Procfile's web line runs there).

- gunicorn's own lines (errors, the access log) come out like the app's: JSON, secrets masked;
- the workers share one directory for their Prometheus numbers (prometheus_client's multiprocess
  mode), so GET /metrics answered by any worker counts the requests of all of them.
"""
import os
import shutil
import tempfile
from pathlib import Path

from gunicorn.glogging import Logger

from lib.config import logging_settings
from lib.observability.logs import ContextFilter, make_formatter, request_id, setup_logging

_log_format, _log_level, _metrics_dir = logging_settings()
_made_metrics_dir = []
setup_logging(_log_format, _log_level)
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


class ShopLogger(Logger):
    """gunicorn's logger with the shop's formatter and request-id filter on its handlers."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(make_formatter(_log_format))
                    handler.addFilter(ContextFilter())

    def access(self, resp, req, environ, request_time):
        """The access line carries the request id the app answered with."""
        token = request_id.set(next((v for k, v in resp.headers if k == "X-Request-Id"), None))
        try:
            super().access(resp, req, environ, request_time)
        finally:
            request_id.reset(token)


logger_class = ShopLogger


def on_starting(server):
    """Before any worker: an empty metrics directory, announced to the workers through their environment."""
    path = _metrics_dir or tempfile.mkdtemp(prefix="shop-metrics-")
    if not _metrics_dir:
        _made_metrics_dir.append(path)
    Path(path).mkdir(parents=True, exist_ok=True)
    for stale in Path(path).glob("*.db"):  # numbers of an earlier run would be summed in
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    for path in _made_metrics_dir:
        shutil.rmtree(path, ignore_errors=True)
