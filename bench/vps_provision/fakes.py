"""FakeProxmox and FakeTelegram in a child process, so their CPU time is not billed to the shop."""
import multiprocessing
import os
import time

from .common import BOT_TOKEN, FAKE_LIFETIME_S


def cpu_seconds() -> float:
    """CPU seconds of this process (user + system)."""
    usage = os.times()
    return usage.user + usage.system


def serve_fakes(conn, durations: dict, token: str, lifetime: float) -> None:
    """Child process: FakeProxmox (+ FakeTelegram) until told to stop, the parent goes, or `lifetime`."""
    from tests.fakes.proxmox import FakeProxmox
    from tests.fakes.telegram import FakeTelegram

    with FakeProxmox(durations=durations) as px, FakeTelegram(token) as tg:
        conn.send({"host": px.host, "ca_path": px.ca_path, "user": px.user, "token_name": px.token_name,
                   "token_value": px.token_value, "node": px.node, "telegram_url": tg.url})
        deadline = time.monotonic() + lifetime
        while time.monotonic() < deadline:
            if not conn.poll(1.0):
                continue
            try:
                command, arg = conn.recv()
            except EOFError:
                break
            if command == "stop":
                conn.send(None)
                break
            if command == "durations":
                px.set_durations(**arg)
                conn.send(dict(px.durations))
            elif command == "mark":
                with px._lock:
                    conn.send({"px_calls": len(px.calls), "px_tasks": len(px._tasks),
                               "tg_calls": len(tg.calls), "cpu": cpu_seconds()})
            elif command == "since":
                with px._lock:
                    px._tick()
                    calls = [(m, p) for m, p, _params in px.calls[arg["px_calls"]:]]  # no params: passwords
                    tasks = [{k: v for k, v in t.items() if not k.startswith("_")}
                             for t in list(px._tasks.values())[arg["px_tasks"]:]]
                with tg._lock:
                    tg_calls = [c["method"] for c in tg.calls[arg["tg_calls"]:]]
                conn.send({"px_calls": calls, "tasks": tasks, "tg_calls": tg_calls, "cpu": cpu_seconds()})
            else:
                conn.send({"error": f"unknown command {command!r}"})


class Fakes:
    def __init__(self, durations):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=serve_fakes, args=(child, durations, BOT_TOKEN, FAKE_LIFETIME_S),
                                name="bench-fakes", daemon=True)
        self.proc.start()
        child.close()
        if not self.conn.poll(60):
            raise SystemExit("bench: the fakes did not start within 60 s")
        self.info = self.conn.recv()

    def ask(self, command, arg=None, timeout=30.0):
        self.conn.send((command, arg))
        if not self.conn.poll(timeout):
            raise RuntimeError(f"the fakes did not answer {command!r} within {timeout:.0f} s")
        answer = self.conn.recv()
        if isinstance(answer, dict) and "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    def stop(self):
        if self.proc.is_alive():
            try:
                self.ask("stop", timeout=10)
            except Exception:
                pass
            self.proc.join(10)
        if self.proc.is_alive():
            self.proc.terminate()  # our own child, by its handle
            self.proc.join(5)
