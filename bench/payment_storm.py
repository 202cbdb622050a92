#!/usr/bin/env python3
"""The payment storm: 120 pending VPN orders paid at once, each paid webhook delivered three times.

    .venv/bin/python bench/payment_storm.py [--orders 120] [--copies 3] [--threads 16] [--runs 2]

The entry point; the bench is the package bench/payment_storm/ (its docstring says what it does):
common (defaults and targets), pyspy (py-spy stacks sorted into activities), coldstart (what a job
pays in a freshly forked process), report (verdict and table), main (options, runs, results file,
cleanup). The storm itself is tests/support/storm.py, shared with tests/e2e/test_payment_storm.py.
"""
import sys

from payment_storm.main import main

if __name__ == "__main__":  # also the guard the fakes' child process (multiprocessing, spawn) needs
    sys.exit(main())
