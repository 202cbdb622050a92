#!/usr/bin/env python3
"""How much time the shop's VPS provisioning adds on top of the Proxmox tasks it waits for.

    .venv/bin/python bench/vps_provision.py            # clone 2 s and 5 s, start 1 s, Telegram off and on

The entry point; the bench is the package bench/vps_provision/ (its docstring says what it does):
common (fixed values), fakes (FakeProxmox and FakeTelegram in a child process), probe (the shop's
instrumentation), runs (one provisioning), scenario (runs and their summary), report, main.
"""
import sys

from vps_provision.main import main

if __name__ == "__main__":
    sys.exit(main())
