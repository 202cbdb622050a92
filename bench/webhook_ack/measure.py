"""One app's run: start it, wait until ready, warm up, ceiling rounds, latency, stop it."""
import time

from benchlib import RESULTS, ROOT, log

from .common import PHASE_BASES
from .cpu import CpuMeter
from .load import open_loop, run_wrk
from .server import Server, free_port, procfile_web


def measure(name, target, env, args, wrk, running, stop_event, redis) -> dict:
    port = args.port or free_port()
    log_path = RESULTS / f"webhook_ack.{name}.log"
    log(f"{name}: starting gunicorn ({args.workers} workers x {args.threads} threads) on 127.0.0.1:{port}")
    server = Server(name, procfile_web(target, args.gunicorn_extra), env, port, log_path)
    running.append(server)
    try:
        server.wait_ready()
        log(f"{name}: ready; warm-up {args.warmup} s")
        warmup = None
        if args.warmup > 0:
            warmup = run_wrk(wrk, port, args.warmup, args.wrk_threads, args.connections,
                             PHASE_BASES[(name, "warmup")], running)
        time.sleep(args.pause)

        rounds = []
        for r in range(args.ceiling_rounds):
            log(f"{name}: ceiling round {r + 1}/{args.ceiling_rounds}, wrk -t{args.wrk_threads} "
                f"-c{args.connections} for {args.duration} s")
            meter = CpuMeter(server, redis)
            result = run_wrk(wrk, port, args.duration, args.wrk_threads, args.connections,
                             PHASE_BASES[(name, "ceiling")] + r * 10**9, running)
            result.update(meter.done(result["requests"]))
            rounds.append(result)
            log(f"{name}: {result['rps']:.0f} req/s, errors {result['error_total']}, "
                f"worker CPU split {'/'.join(map(str, result['worker_cpu_split_percent']))} %")
            time.sleep(args.pause)
        # the ceiling is the best round (noise and an unlucky spread of connections only lower it)
        ceiling = dict(max(rounds, key=lambda x: x["ok_rps"]))
        ceiling["median_ok_rps"] = sorted(x["ok_rps"] for x in rounds)[len(rounds) // 2]
        ceiling["all_ok"] = sum(x["ok"] for x in rounds)
        ceiling["rounds"] = rounds

        log(f"{name}: latency, open loop {args.rate}/s for {args.duration} s with {args.senders} senders")
        meter = CpuMeter(server, redis)
        latency = open_loop(port, args.rate, args.duration, args.senders, PHASE_BASES[(name, "latency")],
                            args.timeout, stop_event)
        latency.update(meter.done(latency["completed"]))
        log(f"{name}: p50 {latency['latency_ms']['p50']} ms, p99 {latency['latency_ms']['p99']} ms, "
            f"errors {latency['error_total']}")
    finally:
        server.stop()
        running.remove(server)
    return {"port": port, "warmup": warmup, "ceiling": ceiling, "latency": latency,
            "server_tracebacks": server.tracebacks(), "log": str(log_path.relative_to(ROOT))}
