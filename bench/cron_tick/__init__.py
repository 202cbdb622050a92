"""What one cron tick costs with 100 000 live subscriptions: nothing due, and 1 000 due.

    .venv/bin/python bench/cron_tick.py [--subscriptions 100000] [--due 1000]

Seeds a throwaway PostgreSQL database with COPY, times POST /cron_tick (the Flask app in-process)
and lib.lifecycle.cron.run_tick(rt) with nothing due, with stale processed updates and with --due
subscriptions due, and EXPLAINs every statement a tick sends. Prints a table, writes
bench/results/cron_tick.json and cron_tick_plans.txt; drops the database and flushes the Redis
database on exit, Ctrl-C or SIGTERM. Loopback services only. bench/README.md has the details.
"""
from benchlib import shop_on_path

shop_on_path()
