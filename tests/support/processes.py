"""Running the shop's real processes (the Procfile's commands, functions-framework, the local runner)."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def procfile_command(name: str, port: int) -> str:
    line = next(l for l in (ROOT / "Procfile").read_text().splitlines() if l.startswith(f"{name}:"))
    return line.split(":", 1)[1].strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, seconds=30.0, what="it never happened", every=0.05):
    """Wait (bounded) for a real process or thread to get somewhere; AssertionError(what) after `seconds`.

    For waiting on work being done, never on time passing (that is lib.clock.advance)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(every)


def answers(url) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def wait_for(url, timeout=30):
    """Wait (bounded) until a process answers 200 at `url`."""
    wait_until(lambda: answers(url), timeout, f"{url} never answered 200", every=0.2)


def shop_env(shop) -> dict:
    """The environment a real process of this test's shop runs with."""
    env = {**os.environ, **shop.env, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def start(command, env, port):
    return subprocess.Popen(["sh", "-c", command], cwd=ROOT, env={**env, "PORT": str(port)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
    return process.stdout.read().decode(errors="replace")
