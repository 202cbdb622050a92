"""Loopback HTTP(S) serving for the fake outside services used in tests."""
import datetime
import ipaddress
import os
import tempfile
import threading

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from .clock import FakeClock, utc_now


class _QuietHandler(WSGIRequestHandler):
    # Per-request access lines would drown pytest output; errors still log.
    def log_request(self, *args, **kwargs):
        pass


def self_signed_cert(directory, hosts=("127.0.0.1", "localhost")):
    """Write a self-signed certificate (its own CA) and key for `hosts`; return the paths.

    The certificate is a CA too, so a client trusts it with verify=<cert path>.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-" + hosts[0])])
    alt = []
    for host in hosts:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt.append(x509.DNSName(host))
    # Real time, not a fake's clock: the client's TLS stack checks it against the system clock.
    now = datetime.datetime.now(datetime.timezone.utc)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


class LoopbackServer:
    """Serve a WSGI app on 127.0.0.1 with a free port, in a daemon thread.

    With `ssl_context` (e.g. a (cert_path, key_path) tuple) it serves HTTPS.
    """

    def __init__(self, app, ssl_context=None):
        self.app = app
        self.ssl_context = ssl_context
        self._server = None
        self._thread = None
        self.url = None

    def start(self):
        """Start serving; return the base URL, e.g. http://127.0.0.1:40123."""
        if self._server is not None:
            return self.url
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True,
                                   request_handler=_QuietHandler, ssl_context=self.ssl_context)
        scheme = "https" if self.ssl_context is not None else "http"
        self.url = "%s://127.0.0.1:%d" % (scheme, self._server.server_port)
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
    under test should be configured with (root + `api_path`). With tls=True
    it serves HTTPS with a fresh self-signed certificate for 127.0.0.1 and
    localhost; `ca_path` is the file a client verifies it with. `clock` is the
    fake's business time (see clock.py); by default real time that
    `fake.clock.advance(seconds)` moves.
    """

    api_path = ""

    def __init__(self, tls=False, clock=None):
        self.app = Flask(type(self).__name__)
        self.clock = clock if clock is not None else FakeClock()
        # RLock: helpers called from route handlers may take it again.
        self._lock = threading.RLock()
        self.ca_path = None
        ssl_context = None
        if tls:
            self._tls_dir = tempfile.TemporaryDirectory(prefix="fake-tls-")
            self.ca_path, key_path = self_signed_cert(self._tls_dir.name)
            ssl_context = (self.ca_path, key_path)
        self._http = LoopbackServer(self.app, ssl_context=ssl_context)

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

    def _utcnow(self):
        """Now on the fake's clock, as an aware UTC datetime."""
        return utc_now(self.clock)

    def stop(self):
        self._http.stop()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
