"""How fast the shop acknowledges Telegram updates, next to a bare Flask app, in the same run.

    .venv/bin/python bench/webhook_ack.py            # or: make bench

For each app (bench/bare_app.py first, then the shop), one at a time, under the `web:` command of
the Procfile (same gunicorn workers and threads for both, bound to 127.0.0.1):
  1. wait for GET /readyz == 200 (the shop's first request migrates a throwaway database),
  2. warm up with wrk for a couple of seconds (every worker builds its runtime on first use),
  3. ceiling: wrk, closed loop, a few connections, --ceiling-rounds rounds of --duration seconds
     on fresh connections; the best round is the ceiling (the kernel sometimes hands every
     keep-alive connection to one gunicorn worker, which caps that round at about one core; the
     report shows each round's worker CPU split),
  4. latency: an open-loop generator sending --rate updates/s on a fixed clock for --duration
     seconds; each latency is measured from the request's scheduled send time, so a slow server
     cannot lower the offered rate or hide its queueing (no coordinated omission).
Every update carries a unique update_id (repeats are dropped cheaply by the shop and would flatter
it); at the end the shop's RQ queue must hold at least one job per 200 answer.

Prints a table with the ratios against the issue's targets and writes bench/results/webhook_ack.json.
Cleans up gunicorn, wrk, the throwaway PostgreSQL database and the Redis database on exit, Ctrl-C
or SIGTERM. All traffic goes to 127.0.0.1; every loop is bounded in count and time.
"""
