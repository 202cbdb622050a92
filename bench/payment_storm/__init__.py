"""The payment storm: N pending VPN orders paid at once, every paid webhook delivered several times.

    .venv/bin/python bench/payment_storm.py [--orders 120] [--copies 3] [--threads 16] [--runs 2]

Each run builds the storm of tests/support/storm.py from scratch: a throwaway PostgreSQL database,
Redis database 15 (FLUSHED before and after, one storm at a time on it), fakes of Crypto Pay,
Telegram and n8n in a child process, the fake `wg` command, the Procfile's web line (gunicorn,
--web-workers) and --worker-procs times `python -m jobs.worker`. Then:
  1. --orders customers register and check out through the shop's own checkout (an order and its
     Crypto Pay invoice each); the run waits until the workers delivered their sign-up events;
  2. every invoice is paid at the fake, which gives its signed webhook and --copies - 1
     redeliveries (new update_id each); all of them are shuffled and POSTed to /cryptobot_webhook
     from --threads threads at once, each on its own keep-alive connection;
  3. it waits (bounded by --timeout) until every order is fulfilled, every config sent, every
     business event delivered and no job waits, is scheduled or runs.
Measured: each webhook's latency, the answers (paid / duplicate), the time from the first webhook
to the last order fulfilled (orders.fulfilled_at) and to the last business event at the fake
n8n, the RQ jobs' waiting and running times (their records in Redis), the CPU time of each part,
and with --profile where the workers' and the web's time goes (py-spy). Every run also checks
that everything happened exactly once (tests/support/storm_checks.py).

Prints a table, writes every figure to bench/results/payment_storm.json and the processes' logs
under bench/results/payment_storm.logs/. Ctrl-C or SIGTERM stops the processes, drops the
database and flushes the Redis database.
"""
