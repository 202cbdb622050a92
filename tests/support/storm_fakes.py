"""The payment storm's outside world in a child process: fake Crypto Pay, Telegram and n8n.

A process of their own, so the fakes' CPU time is neither billed to the shop nor to the client
that fires the webhooks, and their threads do not share a GIL with it. The parent talks to them
through a pipe (`Fakes.ask`). The child ends when told, when the parent goes, or after `lifetime`.
"""
import multiprocessing
import os
import time
from collections import Counter

BOT_TOKEN = "123456:STORM-fake-token-for-the-payment-storm"
N8N_KEY = "storm-n8n-key"
LIFETIME_S = 3600


def _timed_telegram(token):
    from flask import request

    from tests.fakes.telegram import FakeTelegram

    class TimedTelegram(FakeTelegram):
        """FakeTelegram that stamps each request: (time.time(), method, chat_id, http status, file name)."""

        def __init__(self, *args, **kwargs):
            self.stamps = []
            super().__init__(*args, **kwargs)

        def _route(self, token, method):
            chat = request.values.get("chat_id")
            upload = next(iter(request.files.values()), None)
            answer = super()._route(token, method)
            status = answer[1] if isinstance(answer, tuple) else 200
            with self._lock:
                self.stamps.append((time.time(), method.lower(), int(chat) if chat and chat.lstrip("-").isdigit()
                                    else None, status, upload.filename if upload else None))
            return answer

    return TimedTelegram(token)


def _pay(cryptopay, invoice_ids, copies):
    """Each invoice paid at the fake: its webhook, then `copies - 1` redeliveries (each a new update_id)."""
    out = {}
    for invoice_id in invoice_ids:
        first = cryptopay.pay(invoice_id)
        out[invoice_id] = [first] + [cryptopay.webhook(invoice_id) for _ in range(copies - 1)]
    return out


def _counts(n8n, telegram) -> dict:
    """Cheap progress: events received by name, and Telegram requests answered 200 by method."""
    events, sent = Counter(e["event"] for _, e in list(n8n.arrivals)), Counter()
    for _, method, _, status, _ in list(telegram.stamps):
        if status == 200:
            sent[method] += 1
    return {"events": dict(events), "telegram": dict(sent)}


def _cpu() -> float:
    usage = os.times()
    return usage.user + usage.system


def serve(conn, lifetime: float) -> None:
    """Child process: serve the fakes and answer the parent's questions until told to stop."""
    from tests.fakes.cryptopay import FakeCryptoPay
    from tests.fakes.n8n import FakeN8n

    telegram = _timed_telegram(BOT_TOKEN)
    with FakeCryptoPay() as cryptopay, telegram, FakeN8n(N8N_KEY) as n8n:
        conn.send({"cryptopay_token": cryptopay.token, "cryptopay_api_url": cryptopay.api_url,
                   "telegram_url": telegram.url, "bot_token": BOT_TOKEN, "n8n_url": n8n.webhook_url,
                   "n8n_key": N8N_KEY, "pid": os.getpid()})
        answers = {
            "pay": lambda arg: _pay(cryptopay, arg["invoice_ids"], arg["copies"]),
            "events": lambda arg: list(n8n.arrivals),
            "telegram": lambda arg: list(telegram.stamps),
            "invoices": lambda arg: [{k: i[k] for k in ("invoice_id", "status", "payload")}
                                     for i in cryptopay.invoices],
            "counts": lambda arg: _counts(n8n, telegram),
            "cpu": lambda arg: _cpu(),
        }
        deadline = time.monotonic() + lifetime
        while time.monotonic() < deadline:
            if not conn.poll(1.0):
                if os.getppid() == 1:  # the parent is gone
                    return
                continue
            try:
                command, arg = conn.recv()
            except EOFError:
                return
            if command == "stop":
                conn.send(None)
                return
            try:
                conn.send(answers[command](arg))
            except Exception as exc:  # the parent raises it
                conn.send({"error": f"{command}: {type(exc).__name__}: {exc}"})


class Fakes:
    """The child process and what it serves (`info`: URLs and tokens for the shop's environment)."""

    def __init__(self, lifetime: float = LIFETIME_S):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=serve, args=(child, lifetime), name="storm-fakes", daemon=True)
        self.proc.start()
        child.close()
        deadline = time.monotonic() + 60
        while not self.conn.poll(0.2):
            if not self.proc.is_alive() or time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"the storm's fakes did not start (exit code {self.proc.exitcode})")
        self.info = self.conn.recv()

    def ask(self, command, arg=None, timeout=60.0):
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
            self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
