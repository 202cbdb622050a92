#!/usr/bin/env python3
"""What one cron tick costs with 100 000 live subscriptions: nothing due, and 1 000 due.

    .venv/bin/python bench/cron_tick.py [--subscriptions 100000] [--due 1000]

The entry point; the bench is the package bench/cron_tick/ (its docstring says what it does):
common (fixed values), seed (COPY and the due subscriptions), sql (capture and EXPLAIN), run (the
timed ticks), report (table and verdict), main (options, results, cleanup).
"""
import sys

from cron_tick.main import main

if __name__ == "__main__":
    sys.exit(main())
