"""Loopback HTTP serving for the fake outside services used in tests."""
import threading

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    # Per-request access lines would drown pytest output; errors still log.
    def log_request(self, *args, **kwargs):
        pass


class LoopbackServer:
    """Serve a WSGI app on 127.0.0.1 with a free port, in a daemon thread."""

    def __init__(self, app):
        self.app = app
        self._server = None
        self._thread = None
        self.url = None

    def start(self):
        """Start serving; return the base URL, e.g. http://127.0.0.1:40123."""
        if self._server is not None:
            return self.url
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True,
                                   request_handler=_QuietHandler)
        self.url = "http://127.0.0.1:%d" % self._server.server_port
        # A short poll interval keeps stop() (and test teardown) fast.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="fake-" + self.url, daemon=True)
        self._thread.start()
        return self.url

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


class FakeService:
    """Base of the fakes: a Flask app, a lock for state, start()/stop().

    `url` is the server root once started; `api_url` is what the client
    under test should be configured with (root + `api_path`).
    """

    api_path = ""

    def __init__(self):
        self.app = Flask(type(self).__name__)
        # RLock: helpers called from route handlers may take it again.
        self._lock = threading.RLock()
        self._http = LoopbackServer(self.app)

    @property
    def url(self):
        return self._http.url

    @property
    def api_url(self):
        if self._http.url is None:
            raise RuntimeError("start() the fake first")
        return self._http.url + self.api_path

    def start(self):
        return self._http.start()

    def stop(self):
        self._http.stop()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
