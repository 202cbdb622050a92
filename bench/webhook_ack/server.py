"""The app under test: gunicorn started from the Procfile's web command, in its own session."""
import http.client
import os
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

from benchlib import ROOT

from .cpu import session_cpu_seconds, session_stats


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_web(app_target: str, extra: str = "") -> str:
    """The Procfile's web command, bound to loopback, serving `app_target`; `extra` gunicorn options
    go before the app (to try a setting on both apps, e.g. --gunicorn-extra="--worker-connections 8")."""
    line = next(l for l in (ROOT / "Procfile").read_text().splitlines() if l.startswith("web:"))
    command = line.split(":", 1)[1].strip()
    command = command.replace("0.0.0.0", "127.0.0.1")
    if "functions.main:app" not in command:
        raise SystemExit("bench: the Procfile's web line no longer serves functions.main:app; update the bench")
    if extra:
        app_target = f"{' '.join(shlex.quote(a) for a in shlex.split(extra))} {app_target}"
    return command.replace("functions.main:app", app_target)

class Server:
    def __init__(self, name, command, env, port, log_path):
        self.name, self.port, self.log_path = name, port, log_path
        self.log_file = open(log_path, "wb")
        self.proc = subprocess.Popen(["sh", "-c", f"exec {command}"], cwd=ROOT, env={**env, "PORT": str(port)},
                                     stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: {self.name} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/readyz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"bench: {self.name} never answered GET /readyz with 200 within {timeout:.0f} s; "
                         f"see {self.log_path}")

    def cpu_seconds(self) -> float:
        return session_cpu_seconds(self.proc.pid)

    def worker_cpu_seconds(self) -> dict:
        """{pid: CPU seconds} of the gunicorn workers (children of the master)."""
        tick = os.sysconf("SC_CLK_TCK")
        return {pid: (int(f[11]) + int(f[12])) / tick for pid, f in session_stats(self.proc.pid).items()
                if int(f[1]) == self.proc.pid}

    def stop(self, grace=25.0):
        """SIGTERM the whole session (master and workers), wait for all of it, SIGKILL what stays."""
        sid = self.proc.pid
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(sid, sig)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                self.proc.poll()
                if self.proc.returncode is not None and not session_stats(sid):
                    break
                time.sleep(0.1)
            else:
                continue
            break
        if not self.log_file.closed:
            self.log_file.close()

    def tracebacks(self) -> int:
        try:
            return Path(self.log_path).read_text(errors="replace").count("Traceback")
        except OSError:
            return 0
