#!/usr/bin/env python3
"""Broadcast throughput against the fake Telegram with its 30 msg/s limit on, and nothing lost or doubled.

    .venv/bin/python bench/broadcast.py [--users 600] [--blocked 6] [--inject-429 0] [--runs 3]

The entry point; the bench is the package bench/broadcast/ (its docstring says what it does):
common (fixed values), run (one broadcast and its checks), main (options, runs, table, verdict).
"""
import sys

from broadcast.main import main

if __name__ == "__main__":
    sys.exit(main())
