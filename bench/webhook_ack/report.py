"""The verdict against the issue's targets and the table printed at the end."""
import os

from .common import NOISY_OTHER_PERCENT, TARGET_P99_MS, TARGET_RATIO, UNBALANCED_SHARE


def fmt(value, unit=""):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:,.1f}{unit}" if abs(value) >= 100 else f"{value:.2f}{unit}"
    return f"{value:,}{unit}"


CPU_PARTS = ("server", "redis", "load_generator", "other")


def report(results) -> str:
    apps = results["apps"]
    bare, shop = apps.get("bare"), apps.get("shop")
    cfg = results["config"]
    rows = [
        ("ceiling req/s (best round)", lambda a: a["ceiling"]["ok_rps"]),
        ("ceiling req/s (median round)", lambda a: a["ceiling"]["median_ok_rps"]),
        ("ceiling p50 ms (wrk)", lambda a: a["ceiling"]["latency_ms"]["p50"]),
        ("ceiling p99 ms (wrk)", lambda a: a["ceiling"]["latency_ms"]["p99"]),
        ("ceiling errors (all rounds)", lambda a: sum(x["error_total"] for x in a["ceiling"]["rounds"])),
        ("ceiling server CPU ms/request", lambda a: a["ceiling"]["server_cpu_ms_per_request"]),
        ("ceiling worker CPU split % (best)", lambda a: "/".join(
            str(x) for x in a["ceiling"]["worker_cpu_split_percent"])),
        ("ceiling Redis CPU ms/request", lambda a: a["ceiling"]["redis_cpu_ms_per_request"]),
        ("ceiling CPU % srv/redis/gen/other", lambda a: "/".join(
            f"{a['ceiling']['cpu_percent_of_machine'][k]:.0f}" for k in CPU_PARTS)),
        (f"@{cfg['rate']:g}/s achieved req/s", lambda a: a["latency"]["achieved_rps"]),
        (f"@{cfg['rate']:g}/s p50 ms", lambda a: a["latency"]["latency_ms"]["p50"]),
        (f"@{cfg['rate']:g}/s p90 ms", lambda a: a["latency"]["latency_ms"]["p90"]),
        (f"@{cfg['rate']:g}/s p99 ms", lambda a: a["latency"]["latency_ms"]["p99"]),
        (f"@{cfg['rate']:g}/s max ms", lambda a: a["latency"]["latency_ms"]["max"]),
        (f"@{cfg['rate']:g}/s errors", lambda a: a["latency"]["error_total"]),
        (f"@{cfg['rate']:g}/s server CPU ms/request",
         lambda a: a["latency"]["server_cpu_ms_per_request"]),
        (f"@{cfg['rate']:g}/s CPU % srv/redis/gen/other", lambda a: "/".join(
            f"{a['latency']['cpu_percent_of_machine'][k]:.0f}" for k in CPU_PARTS)),
        ("generator send lag p99 ms", lambda a: a["latency"]["send_lag_ms"]["p99"]),
    ]
    lines = [f"telegram_webhook ack: gunicorn {cfg['workers']} workers x {cfg['threads']} threads"
             f"{' ' + cfg['gunicorn_extra'] if cfg['gunicorn_extra'] else ''}, {os.cpu_count()} cores; "
             f"ceiling best of {cfg['ceiling_rounds']} x wrk -t{cfg['wrk_threads']} -c{cfg['connections']} "
             f"{cfg['duration']:g} s; latency open loop {cfg['rate']:g}/s {cfg['duration']:g} s",
             f"{'':34}{'bare':>12}{'shop':>12}"]
    for label, get in rows:
        cells = [fmt(get(a)) if a else "-" for a in (bare, shop)]
        lines.append(f"{label:34}{cells[0]:>12}{cells[1]:>12}")
    for app, r in apps.items():
        per_round = ", ".join(f"{x['ok_rps']:.0f} ({'/'.join(map(str, x['worker_cpu_split_percent']))})"
                              for x in r["ceiling"]["rounds"])
        lines.append(f"{app} ceiling rounds, req/s (worker CPU split %): {per_round}")
    noisy = [f"{app} {phase} {r[phase]['cpu_percent_of_machine']['other']:.0f} %"
             for app, r in apps.items() for phase in ("ceiling", "latency")
             if r[phase]["cpu_percent_of_machine"]["other"] > NOISY_OTHER_PERCENT]
    unbalanced = [f"{app} {'/'.join(map(str, r['ceiling']['worker_cpu_split_percent']))} %"
                  for app, r in apps.items() if len(r["ceiling"]["worker_cpu_split_percent"]) > 1
                  and max(r["ceiling"]["worker_cpu_split_percent"]) > 100 * UNBALANCED_SHARE]
    if unbalanced:
        lines.append(f"UNBALANCED: even the best ceiling round had one gunicorn worker doing most of the work "
                     f"({', '.join(unbalanced)}); the ratio compares unlike runs: rerun or add --ceiling-rounds")
    if noisy:
        lines.append(f"NOISY: other processes used the machine during {', '.join(noisy)} "
                     "(% of all cores); rerun on a quiet machine")
    v = results.get("verdict", {})
    if "throughput_ratio_percent" in v:
        lines.append(f"shop/bare throughput: {v['throughput_ratio_percent']:.1f} % of the bare ceiling "
                     f"(target >= {TARGET_RATIO:g} %) -> {'PASS' if v['throughput_ok'] else 'FAIL'}"
                     f"   [median rounds: {v['median_ratio_percent']:.1f} %]")
    if "p99_ms" in v:
        lines.append(f"shop p99 at {cfg['rate']:g}/s: {fmt(v['p99_ms'])} ms (target <= {TARGET_P99_MS:g} ms, "
                     f"errors {v['latency_errors']}) -> {'PASS' if v['p99_ok'] else 'FAIL'}")
    if "queued_jobs" in v:
        lines.append(f"integrity: {v['queued_jobs']:,} updates queued for {v['shop_ok_answers']:,} answers 200 "
                     f"-> {'ok' if v['no_repeats'] else 'REPEATS DROPPED?'}")
    return "\n".join(lines)


def verdict(results, services) -> dict:
    apps, v = results["apps"], {}
    bare, shop = apps.get("bare"), apps.get("shop")
    if bare and shop and bare["ceiling"]["ok_rps"]:
        ratio = shop["ceiling"]["ok_rps"] / bare["ceiling"]["ok_rps"] * 100
        v.update(throughput_ratio_percent=round(ratio, 1), throughput_ok=ratio >= TARGET_RATIO,
                 median_ratio_percent=round(shop["ceiling"]["median_ok_rps"]
                                            / max(0.1, bare["ceiling"]["median_ok_rps"]) * 100, 1))
    if shop:
        p99 = shop["latency"]["latency_ms"]["p99"]
        errors = shop["latency"]["error_total"]
        v.update(p99_ms=p99, latency_errors=errors, p99_ok=p99 is not None and p99 <= TARGET_P99_MS and not errors)
        # Accepted updates wait as handle_update jobs (no worker runs during the bench).
        queued = services.redis.llen("shop:tg:inbox") + services.redis.llen("rq:queue:high")
        ok = (shop["warmup"] or {"ok": 0})["ok"] + shop["ceiling"]["all_ok"] + shop["latency"]["ok"]
        v.update(queued_jobs=queued, shop_ok_answers=ok, no_repeats=queued >= ok)
    return v
