"""The measurement: seed, then time the ticks with nothing due, stale updates and --due due, and EXPLAIN them."""
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path

from .common import CRON_SECRET, log, utcnow
from .seed import copy, make_due, seed
from .sql import capture_sql, explain


def stats(ms):
    s = sorted(ms)
    return {"n": len(s), "p50_ms": statistics.median(s), "p95_ms": s[max(0, -(-95 * len(s) // 100) - 1)],
            "max_ms": s[-1], "min_ms": s[0]}


def run(args, services, st):
    import psycopg2

    from lib.config import load_settings
    from lib.lifecycle.cron import RECONCILE_LOCK, run_tick
    from lib.models import db
    from lib.runtime import init_runtime

    r = services.redis
    if r.dbsize() and not args.flush_redis:
        raise SystemExit(f"bench: {args.redis_url} holds {r.dbsize()} keys; pick another or pass --flush-redis")
    st["services"] = services  # cleaned up on the way out: the database is dropped, even if CREATE is interrupted
    services.setup()
    url = services.database_url
    settings = load_settings({"DATABASE_URL": url, "REDIS_URL": args.redis_url, "CRON_SECRET": CRON_SECRET,
                              "SECRET_KEY": "bench-secret-key-0123456789abcdef", "WG_SUBNET": "10.64.0.0/10",
                              "WG_ENDPOINT": "vpn.example.com:51820", "N8N_WEBHOOK_URL": "http://127.0.0.1:9/hook"},
                             dotenv_path=os.devnull)
    rt = init_runtime(settings, r)  # binds and migrates the fresh database
    from functions.main import app
    client, record = app.test_client(), capture_sql(db)
    conn = st["conn"] = psycopg2.connect(url)
    started, t0, load = time.perf_counter(), utcnow(), os.getloadavg()[0]
    counts, n_vpn, n_vps = seed(conn, args, settings, t0)
    res = {"config": {k: v for k, v in vars(args).items() if k not in ("json", "plans")}, "rows": counts,
           "seed_seconds": round(time.perf_counter() - started, 1), "postgres": conn.server_version}
    log(f"seeded {sum(counts.values()):,} rows in {res['seed_seconds']} s: {counts}")

    def http_tick():
        resp = client.post("/cron_tick", headers={"Authorization": f"Bearer {CRON_SECRET}"})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()
    paths = {"http": http_tick, "direct": lambda: run_tick(rt)}

    def timed(func):
        t = time.perf_counter()
        summary = func()
        return (time.perf_counter() - t) * 1000, {k: v for k, v in summary.items() if k != "at" and v}

    def fresh_queue(throttle=True):  # empty RQ; the reconciler ran "just now" unless throttle=False
        r.flushdb()
        if throttle:
            r.set(RECONCILE_LOCK, "bench", ex=3600)

    def queued():
        return r.llen("rq:queue:default")

    # (a) nothing due
    fresh_queue()
    for _ in range(3):  # warm up: connections, Pony's SQL cache, Flask
        http_tick(), run_tick(rt)
    idle = res["nothing_due"] = {}
    for path, func in paths.items():
        runs = [timed(func) for _ in range(args.ticks)]
        idle[path] = {**stats([ms for ms, _ in runs]), "jobs_queued": queued(),
                      "work_found": sorted({k for _, s in runs for k in s})}
    _, idle_sql = record(lambda: run_tick(rt))
    plans_idle, found_idle = explain(conn, idle_sql, "nothing due")
    fresh_queue(throttle=False)
    ms, summary = timed(http_tick)
    idle["http_reconcile_due"] = {"ms": ms, "summary": summary, "jobs_queued": queued()}
    log(f"nothing due: http p95 {idle['http']['p95_ms']:.1f} ms, direct p95 {idle['direct']['p95_ms']:.1f} ms")

    # (b) processed updates past their TTL (each tick forgets those of the minute 3 days ago)
    fresh_queue()
    copy(conn.cursor(), "processed_updates", "source, key, seen_at",
         (("telegram", f"stale{i}", t0 - timedelta(days=4)) for i in range(args.stale_updates)))
    conn.commit()
    (ms, summary), sql = record(lambda: timed(http_tick))
    res["forget_updates"] = {"stale": args.stale_updates, "ms": ms, "summary": summary, "statements": len(sql),
                             "jobs_queued": queued()}

    # (c) due
    res["due_plan"] = make_due(conn, args, settings, n_vpn, n_vps)
    due = res["due"] = {"expected_jobs": sum(min(n, 500) for n in res["due_plan"].values())}
    for path, func in paths.items():
        rounds = []
        for _ in range(args.due_rounds):
            fresh_queue()
            ms, summary = timed(func)
            rounds.append({"ms": ms, "jobs_queued": queued(), "summary": summary})
        due[path] = {**stats([x["ms"] for x in rounds]), "jobs_queued": rounds[0]["jobs_queued"], "rounds": rounds}
    fresh_queue()
    (ms, _), due_sql = record(lambda: timed(http_tick))
    after_first = queued()
    ms2, second = timed(http_tick)
    due["next_tick"] = {"first_ms": ms, "first_jobs": after_first, "ms": ms2,
                        "jobs_added": queued() - after_first, "summary": second}
    log(f"{args.due} due: http p50 {due['http']['p50_ms']:.1f} ms for {due['http']['jobs_queued']} jobs")

    # (d) plans
    plans_due, found_due = explain(conn, due_sql, f"{args.due} due")
    res["statements_per_tick"] = {"nothing_due": len(idle_sql), "due": len(due_sql)}
    res["queries"] = found_idle + found_due
    res["loadavg"] = [round(load, 2), round(os.getloadavg()[0], 2)]  # other work on the machine skews the figures
    Path(args.plans).parent.mkdir(parents=True, exist_ok=True)
    Path(args.plans).write_text(plans_idle + "\n" + plans_due)
    return res
