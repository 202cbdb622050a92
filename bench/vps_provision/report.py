"""The verdict against the issue's targets and the tables printed at the end."""
import statistics

from .common import MIN_POLL_GAP_S, NOISY_OTHER_PERCENT


def report(results) -> str:
    lines = []
    target = results["targets"]["overhead_s_max"]
    c = results["config"]
    source = "  (WHAT-IF: overridden in this process, not lib/'s values)" if c["what_if"] else "  (lib's values)"
    lines.append(f"task polling back-off: {c['poll_first_s']:g} s doubling to {c['poll_max_s']:g} s{source}")
    for sc in results["scenarios"]:
        noisy = "  NOISY" if sc["other_cpu_percent"] > NOISY_OTHER_PERCENT else ""
        lines.append(f"\n{sc['name']} (via {sc['via']}), {len(sc['runs'])} runs; other processes "
                     f"{sc['other_cpu_percent']:.0f} % of the machine{noisy}")
        lines.append(f"{'run':>4} {'wall s':>8} {'tasks s':>8} {'overhead':>9} {'poll lag':>9} {'submit':>7} "
                     f"{'between':>8} {'t.polls':>8} {'st.polls':>8} {'API':>5} {'TG':>4} {'cpu ms':>7}")
        for i, r in enumerate(sc["runs"], 1):
            lines.append(f"{i:>4} {r['wall_s']:>8.3f} {r['task_s']:>8.3f} {r['overhead_s']:>9.3f} "
                         f"{r['poll_lag_s']:>9.3f} {r['submit_s']:>7.3f} {r['between_tasks_s']:>8.3f} "
                         f"{r['task_polls']:>8} {r['status_polls']:>8} {r['api_calls_fake']:>5} "
                         f"{r['telegram_calls']:>4} {r['shop_cpu_s'] * 1000:>7.0f}")
        s = sc["summary"]
        lines.append(f" med {s['wall_s_median']:>8.3f} {s['task_s_median']:>8.3f} {s['overhead_s_median']:>9.3f} "
                     f"{s['poll_lag_s_median']:>9.3f} {s['submit_s_median']:>7.3f} {s['between_tasks_s_median']:>8.3f} "
                     f"{s['task_polls_median']:>8g} {s['status_polls_median']:>8g} {s['api_calls_median']:>5g} "
                     f"{s['telegram_calls_median']:>4g} {s['shop_cpu_s_median'] * 1000:>7.0f}")
        lines.append(f" max {'':>8} {'':>8} {s['overhead_s_max']:>9.3f}   (bound if every task had ended just "
                     f"after a poll: {s['overhead_bound_s_max']:.3f})")
        per_task = {}
        for r in sc["runs"]:
            for t in r["tasks"]:
                per_task.setdefault(t["task"], []).append(t)
        lines.append("  per task (median): " + "; ".join(
            f"{name} {statistics.median(t['duration_s'] for t in ts):g} s: "
            f"{statistics.median(t['polls'] for t in ts):g} polls, "
            f"lag {statistics.median(t['lag_s'] for t in ts) * 1000:.0f} ms"
            for name, ts in per_task.items()))
        split = s["time_split_s_median"]
        lines.append("  wall time by activity (median ms): " + ", ".join(
            f"{k.replace('_', ' ')} {v * 1000:.0f}" for k, v in split.items()))
    lines.append(f"\n{'summary':<50} {'overhead s':^15} {'polls/prov':^15} {'API calls/prov':^19}")
    lines.append(f"{'scenario':<50} {'median':>7} {'max':>7} {'task':>7} {'status':>7} {'median':>6} {'max':>5} "
                 f"{'ms/call':>7}")
    for sc in results["scenarios"]:
        s = sc["summary"]
        lines.append(f"{sc['name']:<50} {s['overhead_s_median']:>7.3f} {s['overhead_s_max']:>7.3f} "
                     f"{s['task_polls_median']:>7g} {s['status_polls_median']:>7g} {s['api_calls_median']:>6g} "
                     f"{s['api_calls_max']:>5} {s['api_call_ms_median']:>7.1f}")
    v = results["verdict"]
    lines.append(f"\nworst overhead {v['worst_overhead_s']:.3f} s, bound {v['worst_overhead_bound_s']:.3f} s "
                 f"(target <= {target:g} s) -> {'PASS' if v['overhead_ok'] else 'FAIL'}")
    lines.append(f"task polling: {v['polling_note']}")
    errors = sorted({e for sc in results["scenarios"] for r in sc["runs"] for e in r["thread_errors"]})
    if errors:
        lines.append("WARNING: background threads of the shop died during the runs: " + "; ".join(errors))
    return "\n".join(lines)


def verdict(results) -> dict:
    scenarios = results["scenarios"]
    worst = max(sc["summary"]["overhead_s_max"] for sc in scenarios)
    gaps = [g for sc in scenarios for r in sc["runs"] for t in r["tasks"] for g in t["poll_gaps_s"]]
    min_gap, max_gap = (min(gaps), max(gaps)) if gaps else (None, None)
    # A tight loop polls back to back; the back-off sleeps at least MIN_POLL_GAP_S between polls.
    backs_off = min_gap is None or min_gap >= MIN_POLL_GAP_S
    note = ("no task needed a second poll" if min_gap is None else
            f"gaps between task-status polls {min_gap * 1000:.0f}-{max_gap * 1000:.0f} ms "
            f"({'backs off' if backs_off else 'TIGHT LOOP'})")
    bound = max(sc["summary"]["overhead_bound_s_max"] for sc in scenarios)
    return {"worst_overhead_s": worst, "worst_overhead_bound_s": bound,
            "overhead_ok": worst <= results["targets"]["overhead_s_max"],
            "min_poll_gap_s": min_gap, "max_poll_gap_s": max_gap, "polling_ok": backs_off,
            "polling_note": note}
