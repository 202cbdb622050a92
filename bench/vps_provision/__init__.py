"""How much time the shop's VPS provisioning adds on top of the Proxmox tasks it waits for.

    .venv/bin/python bench/vps_provision.py            # clone 2 s and 5 s, start 1 s, Telegram off and on

For every scenario (a clone task duration x Telegram off/on) the script makes --runs paid VPS
orders one after the other (a registered user, balance credited through the ledger, checkout with
the "balance" provider) and times `jobs.fulfil_order.run(order_id)` on each, in this process
(--via rq: a real RQ SimpleWorker burst instead). Proxmox is tests.fakes.proxmox.FakeProxmox over
HTTPS with its self-signed certificate, Telegram (when on) tests.fakes.telegram.FakeTelegram; both
run in a child process, so their CPU time is not billed to the shop.

    overhead = wall time of the job - the Proxmox tasks' own durations (clone + resize + start;
               the config change is a synchronous PUT, not a task)

The overhead is split three ways: *poll lag* (a task had ended, the shop had not seen it yet),
*submit* (from sending the POST to the task starting) and *between tasks* (everything else:
other API calls, database transactions, progress messages, Redis). Also reported per
provisioning: task-status polls, VM-status polls, all Proxmox API calls (counted by the fake),
Telegram calls, back-off sleeps, and the CPU time of the shop and of the fakes.

Prints a table and writes bench/results/vps_provision.json. Uses a throwaway PostgreSQL database
(created, then dropped) and a spare Redis database (FLUSHED before and after); only loopback.
"""
from benchlib import shop_on_path

shop_on_path()
