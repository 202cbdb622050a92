#!/usr/bin/env python3
"""What one cron tick costs with 100 000 live subscriptions: nothing due, and 1 000 due.

    .venv/bin/python bench/cron_tick.py [--subscriptions 100000] [--due 1000]

Seeds a throwaway PostgreSQL database with COPY, times POST /cron_tick (the Flask app in-process)
and lib.lifecycle.cron.run_tick(rt) with nothing due, with stale processed updates and with --due
subscriptions due, and EXPLAINs every statement a tick sends. Prints a table, writes
bench/results/cron_tick.json and cron_tick_plans.txt; drops the database and flushes the Redis
database on exit, Ctrl-C or SIGTERM. Loopback services only. bench/README.md has the details.
"""
import argparse
import io
import ipaddress
import json
import os
import random
import re
import signal
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
CRON_SECRET = "bench-cron-secret-0123456789"
TARGET_MS = 100.0
BIG_TABLE_ROWS = 10_000  # a Seq Scan on a table larger than this is flagged
MANY_FILTERED = 1_000  # and so is an index scan that reads and drops more rows than this
MIX = {"vpn_reminders": 0.35, "vps_reminders": 0.10, "vpn_expiries": 0.35, "vps_suspensions": 0.15,
       "vps_deletions": 0.05}
U0 = 10**8  # first user id


def log(msg):
    print(f"[cron-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def copy(cur, table, columns, rows):
    """COPY rows (tuples; None -> NULL) into table; returns the count."""
    buf, n = io.StringIO(), 0
    for n, row in enumerate(rows, 1):
        buf.write("\t".join("\\N" if v is None else v.isoformat(sep=" ") if isinstance(v, datetime) else str(v)
                            for v in row) + "\n")
    buf.seek(0)
    cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buf)
    return n


def seed(conn, args, settings, t0):
    """Everything in the module docstring; every due time is after t0 + 1 h. Returns row counts."""
    from lib.models.subscriptions import next_reminder_at
    rnd, year, enc, cur = random.Random(args.seed), 365 * 86400, "v1:" + "A" * 120, conn.cursor()
    n_vps = int(args.subscriptions * args.vps_share)
    n_vpn, x_vps = args.subscriptions - n_vps, int(args.expired * args.vps_share)
    x_vpn, subnet, vps_net = args.expired - x_vps, settings.wg_subnet, ipaddress.ip_network("100.64.0.0/10")
    if max(n_vpn, x_vpn) + 2 > subnet.num_addresses or max(n_vps, x_vps) + 2 > vps_net.num_addresses:
        raise SystemExit("bench: too many subscriptions for the address ranges")

    def live():  # expiry in the next 365 days, and the next reminder as the shop computes it
        expires = t0 + timedelta(seconds=rnd.randint(3600, year))
        return expires, next_reminder_at(expires, settings.reminder_offsets, t0 + timedelta(hours=1)), \
            expires - timedelta(days=30)

    def ended():  # ended within the last year: status changed, address released, no reminder
        expires = t0 - timedelta(seconds=rnd.randint(3600, year))
        return expires, None, expires - timedelta(days=30)

    counts = {"users": copy(cur, "users", "id, username, first_name, language, balance, banned, created_at",
                            ((U0 + i, f"user{i}", "Bench", "ru", "0.00", "f", t0 - timedelta(days=400))
                             for i in range(args.subscriptions)))}
    addr = [str(subnet.network_address + 2 + i) for i in range(max(n_vpn, x_vpn))]
    peers = [(i + 1, U0 + i, addr[i], addr[i], f"{i:043d}=", "active", *live()) for i in range(n_vpn)]
    peers += [(n_vpn + i + 1, U0 + i % args.subscriptions, addr[i], None, f"x{i:042d}=", "expired", *ended())
              for i in range(x_vpn)]
    counts["vpn_peers"] = copy(cur, "vpn_peers", "id, \"user\", address, live_address, public_key, status, "
                               "expires_at, remind_at, created_at, plan_id, interface, private_key_enc, "
                               "preshared_key_enc, server_public_key",
                               (p + ("vpn-1m", "wg0", enc, enc, "S" * 43 + "=") for p in peers))
    ips = [str(vps_net.network_address + 2 + i) for i in range(max(n_vps, x_vps))]
    vms = [(i + 1, U0 + n_vpn + i, f"vps-{i}", 100_000 + i, ips[i], ips[i], "running", *live()) for i in range(n_vps)]
    vms += [(n_vps + i + 1, U0 + n_vpn + i % n_vps, f"vps-old-{i}", None, ips[i], None, "deleted", *ended())
            for i in range(x_vps)]
    counts["vps_servers"] = copy(cur, "vps_servers", "id, \"user\", name, vmid, ip, live_ip, status, expires_at, "
                                 "remind_at, created_at, plan_id, node, prefix, password_enc",
                                 (v + ("vps-start", "pve1", 10, enc) for v in vms))

    def order(i):  # the first order of each subscription created it, the others renewed it
        sub, first = i % args.subscriptions, i < args.subscriptions
        vpn, ref = sub < n_vpn, (sub + 1 if sub < n_vpn else sub - n_vpn + 1)
        created = t0 - timedelta(seconds=rnd.randint(3 * 3600, year))
        links = [ref if (vpn, first) == want else None for want in ((1, 1), (1, 0), (0, 1), (0, 0))]
        return (i + 1, U0 + sub, "vpn" if vpn else "vps", "vpn-1m" if vpn else "vps-start", "cryptobot",
                "199.00" if vpn else "400.00", "fulfilled", f"inv{i}", *links, 1, created,
                created + timedelta(minutes=1), created + timedelta(minutes=2))
    counts["orders"] = copy(cur, "orders", "id, \"user\", product, plan_id, provider, amount, status, provider_ref, "
                            "peer, renew_peer, server, renew_server, attempts, created_at, paid_at, fulfilled_at",
                            (order(i) for i in range(args.orders)))
    day = t0 - timedelta(days=1)
    counts["payments"] = copy(cur, "payments", "provider, provider_payment_id, \"user\", \"order\", amount, "
                              "paid_amount, paid_currency, created_at",
                              (("cryptobot", f"p{i}", U0 + i % args.subscriptions, i + 1, "199.00", "199.00", "RUB",
                                day) for i in range(args.orders)))
    counts["ledger"] = copy(cur, "ledger", "\"user\", amount, kind, ref, comment, created_at",
                            ((U0 + i // 2 % args.subscriptions, "-199.00" if i % 2 else "199.00",
                              "purchase" if i % 2 else "payment", f"order:{i // 2 + 1}" if i % 2 else f"cp:p{i // 2}",
                              "", day) for i in range(2 * args.orders)))
    counts["events"] = copy(cur, "events", "id, name, occurred_at, data, delivered_at, attempts, next_attempt_at",
                            ((f"00000000-0000-4000-8000-{i:012d}", "order.fulfilled", day,
                              json.dumps({"order_id": i + 1}), day, 1, day) for i in range(args.events)))
    counts["processed_updates"] = copy(cur, "processed_updates", "source, key, seen_at", (
        ("telegram", str(9 * 10**8 + i), t0 - timedelta(seconds=rnd.randint(0, 3 * 86400 - 3600)))
        for i in range(args.updates)))
    counts["reminders"] = copy(cur, "reminders", "kind, target_id, offset_seconds, expires_at, sent_at", (
        ("vpn", i + 1, 86400 * (1 + i % 2), t0 - timedelta(days=i % 300), t0 - timedelta(days=i % 300 + 1))
        for i in range(min(n_vpn, args.subscriptions // 5))))
    for table in ("vpn_peers", "vps_servers", "orders", "payments", "ledger", "reminders"):
        cur.execute(f"SELECT setval('{table}_id_seq', GREATEST((SELECT max(id) FROM {table}), 1))")
    conn.commit()
    conn.autocommit = True
    cur.execute("VACUUM ANALYZE")
    conn.autocommit = False
    return counts, n_vpn, n_vps


def make_due(conn, args, settings, n_vpn, n_vps):
    """Move --due live subscriptions' due times into the past, in the MIX; returns {kind: count}."""
    now, rnd, cur, plan = utcnow(), random.Random(args.seed + 1), conn.cursor(), {}
    pools = {"vpn": iter(rnd.sample(range(1, n_vpn + 1), n_vpn)), "vps": iter(rnd.sample(range(1, n_vps + 1), n_vps))}
    when = {"reminders": (now + timedelta(hours=12), now - timedelta(hours=12)),
            "expiries": (now - timedelta(minutes=10), None), "suspensions": (now - timedelta(minutes=10), None),
            "deletions": (now - settings.vps_grace - timedelta(hours=1), None)}
    for kind, share in MIX.items():
        product, what = kind.split("_")
        ids = [next(pools[product]) for _ in range(round(args.due * share))]
        table, status = ("vpn_peers", "active") if product == "vpn" else ("vps_servers", "running")
        status = "suspended" if what == "deletions" else status
        cur.execute(f"UPDATE {table} SET status = %s, expires_at = %s, remind_at = %s WHERE id = ANY(%s)",
                    (status, *when[what], ids))
        plan[kind] = len(ids)
    conn.commit()
    return plan


def capture_sql(db):
    """Wrap Pony's provider.execute; returns record(func) -> (result, [(sql, arguments), ...])."""
    state, original = {"log": None}, db.provider.execute

    def execute(cursor, sql, arguments=None, returning_id=False):
        if state["log"] is not None:
            state["log"].append((sql, arguments))
        return original(cursor, sql, arguments, returning_id)
    db.provider.execute = execute

    def record(func):
        state["log"] = []
        try:
            return func(), state["log"]
        finally:
            state["log"] = None
    return record


def explain(conn, statements, label):
    """EXPLAIN (ANALYZE, BUFFERS) each distinct statement, rolled back; returns (text, findings)."""
    cur, seen, out, findings = conn.cursor(), set(), [], []
    cur.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
    sizes = dict(cur.fetchall())
    for sql, arguments in statements:
        if sql in seen or isinstance(arguments, list):  # executemany: the per-row DELETEs by primary key
            continue
        seen.add(sql)
        query = cur.mogrify(sql, arguments).decode() if arguments else sql
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
        plan = "\n".join(r[0] for r in cur.fetchall())
        conn.rollback()
        scanned = re.findall(r"Seq Scan on (\w+)", plan)
        seqs = [t for t in scanned if sizes.get(t, 0) > BIG_TABLE_ROWS]
        used = re.findall(r"(?:Index (?:Only )?Scan (?:Backward )?using|Bitmap Index Scan on) (\w+)", plan)
        dropped = sum(int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", plan))
        findings.append({"state": label, "sql": " ".join(query.split()), "big_seq_scans": seqs,
                         "rows_filtered": dropped, "small_seq_scans": sorted(set(scanned) - set(seqs)),
                         "indexes": sorted(set(used)),
                         "execution_ms": float(re.search(r"Execution Time: ([\d.]+)", plan).group(1))})
        flag = "  <-- SEQ SCAN ON BIG TABLE " + ", ".join(seqs) if seqs else \
            f"  <-- {dropped} ROWS READ AND FILTERED OUT" if dropped > MANY_FILTERED else ""
        out.append(f"-- [{label}] {query}{flag}\n{plan}\n")
    return "\n".join(out), findings


def stats(ms):
    s = sorted(ms)
    return {"n": len(s), "p50_ms": statistics.median(s), "p95_ms": s[max(0, -(-95 * len(s) // 100) - 1)],
            "max_ms": s[-1], "min_ms": s[0]}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = ap.add_argument
    add("--subscriptions", type=int, default=100_000, help="live subscriptions, one user each")
    add("--vps-share", type=float, default=0.1, help="share of subscriptions (live and ended) that are VPS")
    add("--due", type=int, default=1000, help="subscriptions made due in phase (c)")
    add("--ticks", type=int, default=50, help="nothing-due ticks per path")
    add("--due-rounds", type=int, default=5, help="timed due ticks per path (queue emptied between)")
    add("--stale-updates", type=int, default=1000, help="processed updates past their TTL in phase (b)")
    add("--expired", type=int, help="ended subscriptions kept as history (default subscriptions/2)")
    add("--history", type=float, default=1.0, help="x (2 orders and payments, 4 ledger entries, 1 delivered event, "
        "0.5 processed updates) per subscription")
    add("--seed", type=int, default=1)
    add("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL (create/drop)")
    add("--redis-url", default="redis://127.0.0.1:6379/14", help="FLUSHED before and after")
    add("--flush-redis", action="store_true", help="flush that Redis database even when it is not empty")
    add("--json", default=str(RESULTS / "cron_tick.json"))
    add("--plans", default=str(RESULTS / "cron_tick_plans.txt"))
    args = ap.parse_args(argv)
    args.expired = args.subscriptions // 2 if args.expired is None else args.expired
    args.orders, args.events, args.updates = (int(args.subscriptions * args.history * k) for k in (2, 1, 0.5))
    if any(urlparse(u).hostname not in ("127.0.0.1", "localhost", "::1") for u in (args.pg_url, args.redis_url)):
        ap.error("only loopback PostgreSQL and Redis")
    n_vps = int(args.subscriptions * args.vps_share)
    if not (args.subscriptions >= 100 and 0 < n_vps < args.subscriptions and args.ticks > 0 and args.due_rounds > 0
            and 0 < args.due and 0.3 * args.due <= n_vps and 0.7 * args.due <= args.subscriptions - n_vps):
        ap.error("need --subscriptions >= 100, some VPS and some VPN, --ticks/--due-rounds > 0, and --due small "
                 "enough for its mix (70 %% VPN, 30 %% VPS)")
    return args


def run(args, st):
    import psycopg2
    import redis as redis_lib

    from lib.config import load_settings
    from lib.lifecycle.cron import RECONCILE_LOCK, run_tick
    from lib.models import db
    from lib.runtime import init_runtime

    r = redis_lib.Redis.from_url(args.redis_url)
    if r.dbsize() and not args.flush_redis:
        raise SystemExit(f"bench: {args.redis_url} holds {r.dbsize()} keys; pick another or pass --flush-redis")
    st["redis"], st["admin"] = r, psycopg2.connect(args.pg_url)
    st["admin"].autocommit = True
    st["dbname"] = f"shop_bench_cron_{os.getpid()}"  # dropped on the way out, even if CREATE is interrupted
    st["admin"].cursor().execute(f'CREATE DATABASE "{st["dbname"]}"')
    url = re.sub(r"/[^/]*$", "/" + st["dbname"], args.pg_url)
    settings = load_settings({"DATABASE_URL": url, "REDIS_URL": args.redis_url, "CRON_SECRET": CRON_SECRET,
                              "SECRET_KEY": "bench-secret-key-0123456789abcdef", "WG_SUBNET": "10.64.0.0/10",
                              "WG_ENDPOINT": "vpn.example.com:51820", "N8N_WEBHOOK_URL": "http://127.0.0.1:9/hook"},
                             dotenv_path=os.devnull)
    rt = init_runtime(settings, r)  # binds and migrates the fresh database
    st["db"] = db
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


def report(res):
    a, f, d, c = res["nothing_due"], res["forget_updates"], res["due"], res["config"]
    row = "{:<38}{:>5}{:>10}{:>10}{:>10}{:>8}".format
    lines = [f"cron_tick: {c['subscriptions']:,} live + {c['expired']:,} ended subscriptions, "
             f"{sum(res['rows'].values()):,} rows (seeded in {res['seed_seconds']} s)", "",
             row("", "n", "p50 ms", "p95 ms", "max ms", "jobs")]
    for name, s in [("nothing due, " + p, a[p]) for p in ("http", "direct")] + \
                   [(f"{c['due']} due, " + p, d[p]) for p in ("http", "direct")]:
        lines.append(row(name, s["n"], *(f"{s[k]:.2f}" for k in ("p50_ms", "p95_ms", "max_ms")), s["jobs_queued"]))
    for name, ms, jobs in (("nothing due, reconciler due, http", a["http_reconcile_due"]["ms"],
                            a["http_reconcile_due"]["jobs_queued"]),
                           (f"{f['stale']} stale processed updates, http", f["ms"], f["jobs_queued"]),
                           ("next due tick, jobs not run, http", d["next_tick"]["ms"], d["next_tick"]["jobs_added"])):
        lines.append(row(name, 1, f"{ms:.2f}", "", "", jobs))
    lines += ["", f"due mix {res['due_plan']} -> expected {d['expected_jobs']} jobs (500 per kind at most)",
              f"next tick, jobs not run, queued again: {d['next_tick']['summary']}",
              f"stale updates tick: {f['summary']}, {f['statements']} SQL statements",
              f"SQL statements per tick: {res['statements_per_tick']}", ""]
    for q in res["queries"]:
        how = ("SEQ SCAN " + ",".join(q["big_seq_scans"]) if q["big_seq_scans"] else
               ",".join(q["indexes"] + [f"seq scan (small) {t}" for t in q["small_seq_scans"]]))
        how += f" FILTERED {q['rows_filtered']}" if q["rows_filtered"] > MANY_FILTERED else ""
        lines.append(f"[{q['state']:>11}] {q['execution_ms']:8.3f} ms  {how:36} {q['sql'][:80]}")
    ok, seqs = a["http"]["p95_ms"] <= TARGET_MS, sum(bool(q["big_seq_scans"]) for q in res["queries"])
    wasted = sum(q["rows_filtered"] > MANY_FILTERED for q in res["queries"])
    res["verdict"] = {"nothing_due_p95_ok": ok, "big_seq_scans": seqs, "scans_filtering_many_rows": wasted}
    return "\n".join(lines + [f"load average before/after: {res['loadavg']}", "",
                              f"nothing due: p95 via HTTP {a['http']['p95_ms']:.1f} ms (target <= {TARGET_MS:.0f} "
                              f"ms) -> {'PASS' if ok else 'FAIL'}; Seq Scans on big tables: {seqs}; "
                              f"scans reading and dropping > {MANY_FILTERED} rows: {wasted}"])


def main(argv=None):
    args, st = parse_args(argv), {}

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        res = run(args, st)
        text = report(res)
        Path(args.json).write_text(json.dumps(res, indent=2, default=str) + "\n")
        print(f"{text}\nresults: {args.json}\nplans:   {args.plans}")
        return 0
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        drop = f'DROP DATABASE IF EXISTS "{st.get("dbname")}" WITH (FORCE)'
        steps = {"conn": lambda: st["conn"].close(), "db": lambda: st["db"].disconnect(),
                 "redis": lambda: st["redis"].flushdb(), "dbname": lambda: st["admin"].cursor().execute(drop)}
        for key, step in steps.items():
            try:
                if key in st:
                    step()
            except Exception as exc:
                log(f"cleanup ({key}): {exc}")


if __name__ == "__main__":
    sys.exit(main())
