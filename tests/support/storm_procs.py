"""The payment storm's shop processes: the Procfile's web and worker lines, their environment, their CPU time.

Only the commands and the environment are relied on (`gunicorn … functions.main:app` with gunicorn.conf.py
read from the working directory, `python -m jobs.worker`), never how the worker runs its jobs inside.
Output goes to log files, not pipes: a full pipe would stall the process that writes to it.
"""
import os
import signal
import subprocess
from pathlib import Path

from tests.support.processes import VENV_BIN, answers, wait_until

KEPT = ("HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "SHELL")  # all else is the storm's own
CLK_TCK = os.sysconf("SC_CLK_TCK")


def procfile_line(tree: Path, name: str) -> str:
    line = next(l for l in (tree / "Procfile").read_text().splitlines() if l.startswith(f"{name}:"))
    return line.split(":", 1)[1].strip()


def web_command(tree: Path) -> str:
    """The Procfile's web line, bound to loopback only."""
    return procfile_line(tree, "web").replace("0.0.0.0:", "127.0.0.1:")


def shop_env(tree: Path, fakes: dict, wg, database_url: str, redis_url: str, port: int, web_workers: int,
             extra: dict | None = None) -> dict:
    """The whole environment of the shop's processes: nothing of the caller's shop settings leaks in."""
    env = {k: os.environ[k] for k in KEPT if k in os.environ}
    env.update({
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}", "PYTHONPATH": str(tree),
        "PORT": str(port), "WEB_CONCURRENCY": str(web_workers), "LOG_FORMAT": "json",
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "BOT_TOKEN": fakes["bot_token"], "TELEGRAM_API_URL": fakes["telegram_url"],
        "TELEGRAM_WEBHOOK_SECRET": "storm-webhook-secret-0123456789", "CRON_SECRET": "storm-cron-secret-0123456789",
        "SECRET_KEY": "storm-secret-key-0123456789abcdef",
        "CRYPTOBOT_TOKEN": fakes["cryptopay_token"], "CRYPTOBOT_API_URL": fakes["cryptopay_api_url"],
        "N8N_WEBHOOK_URL": fakes["n8n_url"], "N8N_API_KEY": fakes["n8n_key"],
        "WG_INTERFACE": wg.interface, "WG_COMMAND": wg.wg_command, "WG_ENDPOINT": wg.endpoint,
        "WG_SUBNET": str(wg.subnet),
    })
    env.update(extra or {})
    return env


def cpu_seconds(select) -> float:
    """utime + stime + cutime + cstime of the live processes for which select(stat fields after the
    command name, command line) is true."""
    total = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            if select(fields, (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")):
                total += sum(int(x) for x in fields[11:15])
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile
    return total / CLK_TCK


class Process:
    """One command in its own session (so it and every process it forks can be signalled and counted)."""

    def __init__(self, name: str, command: str, env: dict, cwd: Path, log_path: Path):
        self.name, self.command, self.log_path = name, command, Path(log_path)
        self._log = open(self.log_path, "wb")
        self.popen = subprocess.Popen(["sh", "-c", f"exec {command}"], cwd=cwd, env=env, stdout=self._log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def cpu_seconds(self) -> float:
        """CPU time of every live process of its session, with the children each has reaped (forked job
        runners, `wg` commands): taken before and after a phase, the difference is that phase's cost."""
        return cpu_seconds(lambda fields, cmdline: int(fields[3]) == self.pid)  # fields[3]: the session id

    def stop(self, grace: float = 20.0) -> int | None:
        """SIGTERM to the session (warm shutdown), SIGKILL after `grace` seconds; the exit code."""
        if self.alive():
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait(5)
            except ProcessLookupError:
                pass
        try:  # forked children that outlived their parent
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._log.close()
        return self.popen.returncode

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def wait_ready(url: str, process: Process, seconds: float = 60.0) -> None:
    """Until `url` answers 200 (bounded), failing at once with the log when the process died."""
    def ready():
        if not process.alive():
            raise RuntimeError(f"{process.name} exited with {process.popen.returncode}:\n{process.log_tail()}")
        return answers(url)
    wait_until(ready, seconds, f"{url} never answered 200 within {seconds:.0f} s", every=0.2)
