#!/usr/bin/env python3
"""How fast the shop acknowledges Telegram updates, next to a bare Flask app, in the same run.

    .venv/bin/python bench/webhook_ack.py            # or: make bench

The entry point; the bench is the package bench/webhook_ack/ (its docstring says what it does):
common (fixed values), server (gunicorn), cpu (who used the cores), load (wrk and the open loop),
measure (one app's phases), report (verdict and table), main (options, run, cleanup).
"""
import sys

from webhook_ack.main import main

if __name__ == "__main__":
    sys.exit(main())
