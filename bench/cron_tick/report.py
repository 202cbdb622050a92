"""The table printed at the end, and the verdict (stored in the results)."""
from .common import MANY_FILTERED, TARGET_MS


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

