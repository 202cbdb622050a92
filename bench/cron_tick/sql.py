"""The SQL a tick sends: captured at Pony's provider, then EXPLAINed and checked for big scans."""
import re

from .common import BIG_TABLE_ROWS, MANY_FILTERED


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

