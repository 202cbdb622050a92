"""Broadcast throughput against the fake Telegram with its 30 msg/s limit on, and nothing lost or doubled.

    .venv/bin/python bench/broadcast.py [--users 600] [--blocked 6] [--inject-429 0] [--runs 3]

Per run: a fresh FakeTelegram on loopback (sliding-window limit of --limit requests/s over all
chats, every request counted, --blocked users having blocked the bot), a broadcast to "all" made
with lib.broadcast.start_broadcast, and the real production worker (`python -m jobs.worker
--burst`, a forking RQ worker) in a child process running it to the end. The fake's rate gate is
instrumented to time-stamp every request it lets through, so the rate is what Telegram would see.

Measured: recipients/s between the first and the last recipient request (blocked users' requests
included: they count against the limit too) against the limit (target >= 95 %); all requests/s
(the admin's progress edits and report included); the busiest sliding second; 429s (injected and
natural); lost (a reachable user without the message) and doubled (a user with more than one);
the deliveries table against the fake's log; the admin's final report against the truth.
Writes bench/results/broadcast.json. Uses a throwaway PostgreSQL database (dropped at the end)
and Redis database 13 (flushed before and after). Only loopback services are accepted.
"""
from benchlib import shop_on_path

shop_on_path()
