"""Firing the storm: every order's paid webhook and its redeliveries, shuffled, from many threads at once.

Each shot records when it was sent (time.time(), to compare with the shop's timestamps), how long the
answer took, its HTTP status and what the shop said it did ("paid", "duplicate", …).
"""
import itertools
import math
import random
import threading
import time
from dataclasses import dataclass

import requests

PATH = "/cryptobot_webhook"


@dataclass
class Shot:
    order_id: int
    copy: int  # 0: the first delivery, 1…: redeliveries (each with its own update_id)
    sent_at: float = 0.0
    latency_s: float = 0.0
    status: int = 0  # 0: no answer (a timeout, a refused connection)
    result: str = ""


def shuffled(webhooks: dict, seed: int) -> list:
    """[(Shot, raw body, headers)] for {order_id: [(raw body, headers), …]}, in a random order."""
    shots = [(Shot(order_id, copy), body, headers)
             for order_id, copies in webhooks.items() for copy, (body, headers) in enumerate(copies)]
    random.Random(seed).shuffle(shots)
    return shots


def fire(base_url: str, shots: list, threads: int, timeout: float = 30.0) -> list:
    """POST every shot from `threads` threads, each on its own keep-alive connection; the Shots, filled in."""
    url, turn = base_url + PATH, itertools.count()  # next() on a count is atomic: each shot goes once
    start = threading.Barrier(threads)

    def sender():
        with requests.Session() as session:
            start.wait()
            while (i := next(turn)) < len(shots):
                shot, body, headers = shots[i]
                shot.sent_at, began = time.time(), time.perf_counter()
                try:
                    answer = session.post(url, data=body, headers=headers, timeout=timeout)
                    shot.status = answer.status_code
                    shot.result = (answer.json() or {}).get("result", "") if answer.ok else answer.text[:200]
                except (requests.RequestException, ValueError) as exc:
                    shot.result = f"{type(exc).__name__}: {exc}"[:200]
                shot.latency_s = time.perf_counter() - began

    pool = [threading.Thread(target=sender, name=f"storm-sender-{n}", daemon=True) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout * len(shots) / threads + 60)
    return [shot for shot, _, _ in shots]


def percentile(values, q: float) -> float | None:
    """Nearest-rank percentile (q in 0…100) of the values; None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def warm_up(base_url: str, threads: int, webhook: bool = False, rounds: int = 3) -> None:
    """Every gunicorn worker and thread opens its database and Redis connections (GET /readyz); with
    `webhook`, also takes the webhook's first-call path (the provider's module) with a refused signature."""
    def one():
        with requests.Session() as session:
            for _ in range(rounds):
                session.get(base_url + "/readyz", timeout=10)
                if webhook:
                    session.post(base_url + PATH, data=b"{}", headers={"crypto-pay-api-signature": "0" * 64},
                                 timeout=10)
    pool = [threading.Thread(target=one, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(60)
