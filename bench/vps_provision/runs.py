"""One provisioning: the shop's settings, a paid order, the fulfil job, and what the probe and the fakes saw."""
import os
import time
import uuid

from .common import BOT_TOKEN, POOL, SSH_KEY, TASK_ACTIONS, USER_ID
from .probe import PROBE, THREAD_ERRORS


def settings_env(services, fakes, telegram: bool) -> dict:
    info = fakes.info
    env = {"DATABASE_URL": services.database_url, "REDIS_URL": services.redis_url,
           "SECRET_KEY": "bench-secret-key-0123456789abcdef", "CRON_SECRET": "bench-cron-secret-0123456789",
           "PROXMOX_HOST": f"https://{info['host']}", "PROXMOX_USER": info["user"],
           "PROXMOX_TOKEN_NAME": info["token_name"], "PROXMOX_TOKEN_VALUE": info["token_value"],
           "PROXMOX_VERIFY_SSL": info["ca_path"], "PROXMOX_NODE": info["node"], "PROXMOX_TEMPLATE_VMID": "9000",
           "PROXMOX_STORAGE": "local-lvm", "PROXMOX_GATEWAY": "203.0.113.1", "PROXMOX_IP_POOL": POOL}
    if telegram:
        env.update(BOT_TOKEN=BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET="bench-webhook-secret-0123456789",
                   TELEGRAM_API_URL=info["telegram_url"])
    return env


def build_runtime(env, redis):
    from lib.config import load_settings
    from lib.runtime import init_runtime, reset_runtime
    reset_runtime()
    return init_runtime(load_settings(env, dotenv_path=os.devnull), redis=redis)


def paid_order(rt, plan_id: str) -> int:
    """A paid VPS order: the user (once), a ledger credit of the price, checkout from the balance."""
    from lib.accounts.registration import register_user
    from lib.billing.checkout import start_checkout
    from lib.billing.ledger import locked_user, post_entry
    from lib.models.database import run_transaction

    plan = rt.settings.catalog.get(plan_id)

    def credit():
        register_user(rt.redis, USER_ID, first_name="Bench")
        user = locked_user(USER_ID)
        user.ssh_key = SSH_KEY
        post_entry(user, plan.price_rub, "adjustment", f"bench-{uuid.uuid4().hex[:16]}", "bench credit")

    run_transaction(credit)
    checkout = start_checkout(rt, user_id=USER_ID, plan=plan, provider="balance", description="VPS bench",
                              return_url="https://shop.example.test/")
    if checkout.status != "paid":
        raise RuntimeError(f"order {checkout.order_id} is {checkout.status}, not paid")
    return checkout.order_id


def execute(rt, order_id: int, via: str) -> str:
    from jobs import fulfil_order
    if via == "direct":
        return fulfil_order.run(order_id)
    from rq import SimpleWorker

    from lib.tasks import queue
    q = queue(rt.redis, "default")
    worker = SimpleWorker([q], connection=rt.redis)
    worker.work(burst=True, logging_level="WARNING", max_jobs=1)
    from lib.models import Order
    from lib.models.database import run_transaction
    return {"fulfilled": "created"}.get(run_transaction(lambda: Order[order_id].status), "not fulfilled")


def one_run(rt, fakes, order_id: int, via: str, profiler=None) -> dict:
    """Provision one paid order and measure it."""
    from lib.models import Order
    from lib.models.database import run_transaction

    if via == "rq":
        from lib.tasks import queue
        q = queue(rt.redis, "default")
        waiting = [j for j in q.get_job_ids()]
        if len(waiting) != 1:
            raise RuntimeError(f"the default queue holds {len(waiting)} jobs, expected this order's one")
    mark = fakes.ask("mark")
    PROBE.reset()
    errors0 = len(THREAD_ERRORS)
    cpu0 = time.process_time()
    if profiler is not None:
        profiler.enable()
    t0 = time.monotonic()
    result = execute(rt, order_id, via)
    t1 = time.monotonic()
    if profiler is not None:
        profiler.disable()
    cpu = time.process_time() - cpu0
    seen = fakes.ask("since", mark)
    status = run_transaction(lambda: Order[order_id].status)
    if result != "created" or status != "fulfilled":
        raise RuntimeError(f"order {order_id}: job said {result!r}, order is {status!r}")

    tasks = {t["upid"]: t for t in seen["tasks"]}
    task_s = sum(t["duration"] for t in seen["tasks"] if t["action"] in TASK_ACTIONS)
    other_tasks = [t["action"] for t in seen["tasks"] if t["action"] not in TASK_ACTIONS]
    waits, lag_s, submit_s, in_tasks_s, lag_bound_s = [], 0.0, 0.0, 0.0, 0.0
    for w in PROBE.waits:
        task = tasks.get(w["upid"])
        if task is None:
            raise RuntimeError(f"the shop waited for a task the fake did not start: {w['upid']}")
        end = task["started"] + task["duration"]
        lag, submit = w["t1"] - end, task["started"] - w["submit_t0"]
        lag_s, submit_s, in_tasks_s = lag_s + lag, submit_s + submit, in_tasks_s + (w["t1"] - w["submit_t0"])
        # Had the task ended just after the previous poll, the shop would have seen it one gap later.
        lag_bound_s += max(lag, w["gaps"][-1]) if w["gaps"] else lag
        waits.append({"task": w["what"], "duration_s": round(task["duration"], 4), "polls": w["polls"],
                      "lag_s": round(lag, 4), "submit_s": round(submit, 4),
                      "poll_gaps_s": [round(g, 4) for g in w["gaps"]]})
    wall = t1 - t0
    api_n = sum(n for n, _ in PROBE.api.values())
    api_s = sum(s for _, s in PROBE.api.values())
    poll_api_s = sum(s for label, (_, s) in PROBE.api.items() if " task " in f"{label} ")
    status_n, status_s = PROBE.api.get("status GET", [0, 0.0])
    accounted = api_s + PROBE.sleep_s + PROBE.db_s + PROBE.progress_s + PROBE.setup_s
    return {
        "order_id": order_id, "wall_s": wall, "task_s": task_s, "overhead_s": wall - task_s,
        "poll_lag_s": lag_s, "submit_s": submit_s, "between_tasks_s": wall - in_tasks_s,
        "overhead_bound_s": wall - task_s - lag_s + lag_bound_s,
        "tasks": waits, "untimed_tasks": other_tasks,
        "task_polls": PROBE.task_polls, "status_polls": PROBE.status_polls,
        "api_calls_client": api_n, "api_calls_fake": len(seen["px_calls"]),
        "api_calls_by_kind": {label: n for label, (n, _) in sorted(PROBE.api.items())},
        "telegram_calls": len(seen["tg_calls"]), "telegram_methods": sorted(set(seen["tg_calls"])),
        "time_split_s": {"task_status_polls": poll_api_s, "vm_status_calls": status_s,
                         "other_api_calls": api_s - poll_api_s - status_s, "backoff_sleeps": PROBE.sleep_s,
                         "db_transactions": PROBE.db_s, "progress_messages": PROBE.progress_s,
                         "client_setup": PROBE.setup_s, "other": wall - accounted},
        "counts": {"backoff_sleeps": PROBE.sleeps, "db_transactions": PROBE.db_n,
                   "progress_messages": PROBE.progress_n, "vm_status_calls": status_n},
        "api_call_ms_mean": api_s / api_n * 1000 if api_n else 0.0,
        "thread_errors": THREAD_ERRORS[errors0:],
        "shop_cpu_s": cpu, "fakes_cpu_s": seen["cpu"] - mark["cpu"],
    }

