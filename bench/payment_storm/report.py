"""The verdict against the issue's targets, and the table printed at the end."""
from .common import BEFORE, NOISY_REST_S, TARGET_EVENTS_AFTER_S, TARGET_FULFILLED_S, TARGET_ORDERS_PER_S


def run_verdict(run: dict) -> dict:
    fulfilled, events_after = run.get("all_fulfilled_s"), run.get("events_after_fulfilled_s")
    return {
        "all_200": run["http_status"] == {"200": run["webhooks"]},
        "fulfilled_in_time": fulfilled is not None and fulfilled <= TARGET_FULFILLED_S
                             and run["orders_per_s"] >= TARGET_ORDERS_PER_S,
        "events_in_time": events_after is not None and events_after <= TARGET_EVENTS_AFTER_S,
        "exactly_once": not any(run["problems"].values()) and "timed_out" not in run,
        "machine_busy": run["cpu_s"]["rest_of_machine"] > NOISY_REST_S * run["wall_s"],
    }


def verdict(results: dict) -> dict:
    runs = [run_verdict(run) for run in results["runs"]]
    keys = ("all_200", "fulfilled_in_time", "events_in_time", "exactly_once")
    return {"runs": runs, **{k: all(r[k] for r in runs) for k in keys},
            "pass": bool(runs) and all(r[k] for r in runs for k in keys),
            "targets": {"all_fulfilled_s_max": TARGET_FULFILLED_S, "orders_per_s_min": TARGET_ORDERS_PER_S,
                        "events_after_fulfilled_s_max": TARGET_EVENTS_AFTER_S}}


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return f"{value:g}" if isinstance(value, float) else str(value)


ROWS = (
    ("webhooks answered 200", lambda r: f"{r['http_status'].get('200', 0)}/{r['webhooks']}", None),
    ("duplicates dropped", lambda r: r["duplicates_dropped"], None),
    ("latency p50 ms", lambda r: r["latency_ms"]["p50"], "latency_p50_ms"),
    ("latency p99 ms", lambda r: r["latency_ms"]["p99"], "latency_p99_ms"),
    ("latency max ms", lambda r: r["latency_ms"]["max"], None),
    ("gunicorn's own p50/p99 ms", lambda r: "{p50}/{p99}".format(**r["server_ms"]), None),
    ("settle transactions retried", lambda r: r["settle_retries"], None),
    ("all webhooks answered s", lambda r: r["webhooks_answered_s"], None),
    ("first order fulfilled s", lambda r: r["first_fulfilled_s"], None),
    ("all orders fulfilled s", lambda r: r["all_fulfilled_s"], "all_fulfilled_s"),
    ("orders/s", lambda r: r["orders_per_s"], "orders_per_s"),
    ("paid -> fulfilled p50/max s", lambda r: "{p50}/{max}".format(**r["paid_to_fulfilled_s"]), None),
    ("paid -> config sent p50/max s", lambda r: "{p50}/{max}".format(**r["paid_to_config_s"]), None),
    ("first/last config sent s", lambda r: f"{_cell(r['first_config_sent_s'])}/{_cell(r['last_config_sent_s'])}",
     None),
    ("last business event s", lambda r: r["last_event_s"], "last_event_s"),
    ("events after last fulfilment s", lambda r: r["events_after_fulfilled_s"], None),
    ("CPU s gunicorn", lambda r: r["cpu_s"]["web"], None),
    ("CPU s workers (with wg)", lambda r: r["cpu_s"]["workers"], None),
    ("CPU s PostgreSQL (storm db)", lambda r: r["cpu_s"]["postgres"], None),
    ("CPU s Redis", lambda r: r["cpu_s"]["redis"], None),
    ("CPU s fakes / client", lambda r: f"{_cell(r['cpu_s']['fakes'])}/{_cell(r['cpu_s']['client'])}", None),
    ("CPU s rest of the machine", lambda r: r["cpu_s"]["rest_of_machine"], None),
    ("load average before/after", lambda r: f"{r['loadavg_before'][0]:.2f}/{r['loadavg_after'][0]:.2f}", None),
    ("broken (exactly-once checks)", lambda r: sum(r["problems"].values()), None),
)


def _jobs_lines(run: dict) -> list:
    lines = [f"  run {run['run']} jobs: " + "; ".join(
        f"{name} {j['jobs']} ({', '.join(f'{k} {v}' for k, v in j['outcomes'].items())}), run {j['run_ms_mean']} ms "
        f"avg = {j['run_s_total']} s, waited p50 {j['wait_s_p50']} s, last ended {j['last_ended_s']} s"
        for name, j in run["jobs"].items())]
    gaps = run["worker_gaps"]
    lines.append(f"  run {run['run']} between jobs: {gaps['workers']} workers, {gaps['gap_ms_mean']} ms avg "
                 f"from a job's end to the next one's start ({gaps['gap_s_total']} s in all)")
    for job, steps in run.get("cold_start_ms", {}).items():
        lines.append(f"  run {run['run']} forked-process cold start, {job}, ms: "
                     + ", ".join(f"{step} {ms}" for step, ms in steps.items()))
    for lane, activities in run.get("profile", {}).items():
        total = sum(activities.values()) or 1
        lines.append(f"  run {run['run']} {lane} ({total:.1f} s): " + ", ".join(
            f"{name} {seconds} s ({100 * seconds / total:.0f} %)" for name, seconds in activities.items()))
    return lines


def report(results: dict) -> str:
    cfg, runs = results["config"], results["runs"]
    v = results["verdict"]
    lines = [f"payment storm: {cfg['orders']} orders x {cfg['copies']} webhooks from {cfg['threads']} threads; "
             f"gunicorn {cfg['web_workers']} workers, {cfg['worker_procs']} x python -m jobs.worker"
             f"{' ' + str(cfg['env']) if cfg['env'] else ''}; {results['cores']} cores"
             + ("; PROFILED (py-spy: slower)" if cfg["profile"] else ""),
             f"{'':32}" + "".join(f"{'run ' + str(r['run']):>14}" for r in runs) + f"{'before (team)':>16}"]
    for label, get, before in ROWS:
        lines.append(f"{label:32}" + "".join(f"{_cell(get(r)):>14}" for r in runs) + f"{BEFORE.get(before, ''):>16}")
    lines.append(f"{'machine':32}" + "".join(f"{'BUSY' if rv['machine_busy'] else 'quiet':>14}" for rv in v["runs"]))
    for run in runs:
        lines.extend(_jobs_lines(run))
        if run.get("problem_examples"):
            lines.append(f"  run {run['run']} BROKEN: {run['problem_examples']}")
        if run.get("timed_out"):
            lines.append(f"  run {run['run']} TIMED OUT: {run['timed_out']}")
    t = v["targets"]
    lines += [f"every webhook 200: {'PASS' if v['all_200'] else 'FAIL'}",
              f"all orders fulfilled within {t['all_fulfilled_s_max']:g} s of the first webhook "
              f"(>= {t['orders_per_s_min']:g} orders/s): {'PASS' if v['fulfilled_in_time'] else 'FAIL'}",
              f"last business event within {t['events_after_fulfilled_s_max']:g} s after that: "
              f"{'PASS' if v['events_in_time'] else 'FAIL'}",
              f"exactly once (payments, ledger, peers, events, configs): {'PASS' if v['exactly_once'] else 'FAIL'}"]
    return "\n".join(lines)
