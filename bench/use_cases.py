#!/usr/bin/env python3
"""What the service layer costs the two doors: the same customer actions timed on this tree and on a
baseline (by default the commit before the service layer), in one run, alternating.

    .venv/bin/python bench/use_cases.py [--baseline 6127a6b] [--calls 200] [--rounds 3]

Each tree runs in a child process with its own throwaway database and Redis database 13, the same
seeded customers (three VPN keys and a server each) and a fake Telegram on loopback. The mini app's
routes go through the real WSGI app, the bot's updates through jobs.handle_update as the worker runs
them. Prints p50/p95 per action for both trees and their ratio; writes bench/results/use_cases.json.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ACTIONS = ("GET /me", "GET /orders/<id>", "GET /vpn/<id>/config", "POST pause + resume",
           "bot: My VPN", "bot: /start")


def child(tree: str, calls: int, users: int) -> dict:
    """Seed, warm up and time every action on `tree`; {action: [seconds per call]}."""
    sys.path.insert(0, tree)
    os.chdir(tree)
    from benchlib import Services  # this bench's own helpers, not the tree's
    services = Services("postgresql://postgres@127.0.0.1:5432/postgres", "redis://127.0.0.1:6379/13",
                        "shop_bench_use_cases")
    services.setup()
    try:
        return _measure(services, calls, users)
    finally:
        services.cleanup()


def _shop(services, fake, token):
    from lib.config import load_settings
    from lib.runtime import init_runtime
    env = {"DATABASE_URL": services.database_url, "REDIS_URL": services.redis_url, "CRON_SECRET": "bench-cron",
           "SECRET_KEY": "bench-secret-key-0123456789", "BOT_TOKEN": token, "TELEGRAM_API_URL": fake.url,
           "TELEGRAM_WEBHOOK_SECRET": "bench-secret", "WG_ENDPOINT": "vpn.example.test:51820",
           "WG_COMMAND": "false", "SANDBOX_PAYMENTS": "true", "PUBLIC_URL": "https://shop.example.test"}
    return init_runtime(load_settings(env, dotenv_path=os.devnull))


def _seed(rt, users: int) -> list:
    """Customers with three active keys, a running server and a fulfilled order each."""
    from datetime import datetime, timedelta
    from decimal import Decimal

    from pony.orm import db_session

    from lib.models import Order, User, VpnPeer, VpsServer
    now, keys = datetime.utcnow(), rt.box.seal("x" * 43 + "=")
    with db_session:
        for n in range(users):
            user = User(id=700_000 + n, first_name="Bench", language="en", created_at=now)
            order = Order(user=user, product="vpn", plan_id="vpn-1m", provider="sandbox", amount=Decimal(199),
                          status="fulfilled", created_at=now, paid_at=now, fulfilled_at=now)
            for k in range(3):
                VpnPeer(user=user, plan_id="vpn-1m", interface="wg0", address=f"10.{n // 250}.{n % 250}.{k + 2}",
                        live_address=f"10.{n // 250}.{n % 250}.{k + 2}", public_key=f"k{n}-{k}".ljust(44, "A"),
                        private_key_enc=keys, preshared_key_enc=keys, server_public_key="S" * 44, status="active",
                        expires_at=now + timedelta(days=30), created_at=now, order=order if k == 0 else None)
            VpsServer(user=user, plan_id="vps-start", node="pve1", name=f"shop-vps-b{n}", vmid=1000 + n,
                      ip=f"203.0.{n // 250}.{n % 250}", prefix=24, live_ip=f"203.0.{n // 250}.{n % 250}",
                      status="running", expires_at=now + timedelta(days=30), created_at=now)
    with db_session:
        return [(u.id, min(p.id for p in u.peers), min(o.id for o in u.orders)) for u in User.select()]


def _measure(services, calls: int, users: int) -> dict:
    from functions.main import app
    from lib.miniapp.auth import sign
    from tests.fakes.telegram import FakeTelegram, make_callback_update, make_message_update
    with FakeTelegram("123456:BENCH-fake-token-for-use-cases") as fake:
        rt = _shop(services, fake, "123456:BENCH-fake-token-for-use-cases")
        customers = _seed(rt, users)
        client, ids = app.test_client(), iter(range(10**6, 10**9))

        def tma(user_id):
            fields = {"user": json.dumps({"id": user_id, "first_name": "Bench"}), "auth_date": str(int(time.time()))}
            return {"Authorization": "tma " + "&".join(f"{k}={v}" for k, v in fields.items())
                    + "&hash=" + sign(fields, rt.settings.bot_token)}

        def bot(update):
            from jobs import handle_update
            handle_update.run(json.loads(json.dumps(update)))

        def actions(user_id, peer_id, order_id):
            head = tma(user_id)
            menu = {"message_id": 1, "date": 0, "chat": {"id": user_id, "type": "private"}, "text": "menu"}
            return {
                "GET /me": lambda: client.get("/miniapp_api/api/me", headers=head),
                "GET /orders/<id>": lambda: client.get(f"/miniapp_api/api/orders/{order_id}", headers=head),
                "GET /vpn/<id>/config": lambda: client.get(f"/miniapp_api/api/vpn/{peer_id}/config", headers=head),
                "POST pause + resume": lambda: (client.post(f"/miniapp_api/api/vpn/{peer_id}/pause", headers=head),
                                                client.post(f"/miniapp_api/api/vpn/{peer_id}/resume", headers=head)),
                "bot: My VPN": lambda: bot(make_callback_update(next(ids), user_id, "my", menu)),
                "bot: /start": lambda: bot(make_message_update(next(ids), user_id, "/start")),
            }
        timings = {name: [] for name in ACTIONS}
        for i in range(calls + 20):  # the first 20 rounds warm every path up
            user_id, peer_id, order_id = customers[i % len(customers)]
            rt.redis.delete(f"shop:rate:{user_id}")  # the per-user limit is not what is measured
            for name, call in actions(user_id, peer_id, order_id).items():
                t0 = time.perf_counter()
                answer = call()
                seconds = time.perf_counter() - t0
                for response in answer if isinstance(answer, tuple) else (answer,):
                    if response is not None and response.status_code >= 400:
                        raise SystemExit(f"{name}: {response.status_code} {response.get_data(as_text=True)[:200]}")
                if i >= 20:
                    timings[name].append(seconds)
        return timings


def _run_child(tree: Path, calls: int, users: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(tree), "--calls", str(calls), "--users",
                           str(users)], cwd=ROOT / "bench", capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "PYTHONPATH": f"{ROOT / 'bench'}", "LOG_LEVEL": "ERROR"})
    if done.returncode:
        raise SystemExit(f"the run on {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _baseline_tree(ref: str) -> Path:
    tree = Path(f"/tmp/shop-bench-baseline-{ref}")
    if not tree.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref], check=True,
                       capture_output=True)
    return tree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default="6127a6b", help="git ref (or a directory) measured beside this tree")
    parser.add_argument("--calls", type=int, default=200, help="timed calls of each action per round")
    parser.add_argument("--users", type=int, default=50, help="seeded customers (calls go round them)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per tree, alternating")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.calls, args.users)))
        return 0
    baseline = Path(args.baseline) if Path(args.baseline).is_dir() else _baseline_tree(args.baseline)
    trees = {"baseline": baseline, "this tree": ROOT}
    runs = {name: [] for name in trees}
    for r in range(args.rounds):
        for name, tree in trees.items():
            print(f"[use-cases] round {r + 1}/{args.rounds}: {name}", file=sys.stderr, flush=True)
            runs[name].append(_run_child(tree, args.calls, args.users))
    table = {}
    for action in ACTIONS:
        row = {}
        for name in trees:
            medians = [statistics.median(run[action]) * 1000 for run in runs[name]]
            p95s = [statistics.quantiles(run[action], n=20)[18] * 1000 for run in runs[name]]
            row[name] = {"p50_ms": statistics.median(medians), "p95_ms": statistics.median(p95s)}
        row["ratio_p50"] = row["this tree"]["p50_ms"] / row["baseline"]["p50_ms"]
        table[action] = row
    print(f"{'action':24}{'baseline p50/p95 ms':>22}{'this tree p50/p95 ms':>24}{'p50 ratio':>11}")
    for action, row in table.items():
        b, t = row["baseline"], row["this tree"]
        print(f"{action:24}{b['p50_ms']:>11.2f}{b['p95_ms']:>11.2f}{t['p50_ms']:>12.2f}{t['p95_ms']:>12.2f}"
              f"{row['ratio_p50']:>11.2f}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "use_cases.json").write_text(json.dumps({"baseline": str(baseline), "calls": args.calls,
                                                        "rounds": args.rounds, "table": table}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
