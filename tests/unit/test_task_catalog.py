"""The job catalog: every task names a real job whose run() takes what its callers pass, on a real queue."""
import ast
import importlib
import inspect
import re
import uuid
from pathlib import Path

import pytest

from lib import tasks
from lib.lifecycle import cron

ROOT = Path(__file__).resolve().parents[2]
BY_NAME = {task.name: task for task in tasks.CATALOG}
CONSTANTS = {name: value for name, value in vars(tasks).items() if isinstance(value, tasks.Task)}
# Arguments a caller typically passes, for every task whose job id is derived from them.
TYPICAL = {"fulfil_order": (42,), "sync_peer": (7,), "expire_vpn": (7,), "cleanup_vps": (3,), "expire_vps": (3,),
           "send_reminder": ("vps", 3), "deliver_event": (str(uuid.uuid4()),), "reconcile": (), "drain_updates": (),
           "refund_order": (42, "balance", "by admin 1"), "vps_control": (3, "start", 810001),
           "check_yookassa": ("payment", "2f0a11b3-000f-5000-8000-1b2c3d4e5f60")}


def run_of(task):
    return importlib.import_module(f"jobs.{task.name}").run


def task_named(node):
    """The Task a source expression names (`tasks.SYNC_PEER` or a bare `SYNC_PEER`), or None."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "tasks":
        return CONSTANTS.get(node.attr)
    return CONSTANTS.get(node.id) if isinstance(node, ast.Name) else None


def call_name(call):
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def callers():
    """(task, number of job arguments, whether more are spread with *, where) for each queuing in the source."""
    found = []
    for path in sorted([*ROOT.glob("lib/**/*.py"), *ROOT.glob("jobs/*.py"), *ROOT.glob("functions/*.py")]):
        where = path.relative_to(ROOT)
        for call in (n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Call)):
            name = call_name(call)
            if name in ("enqueue", "enqueue_in", "after_commit"):
                tail = [i for i, arg in enumerate(call.args) if task_named(arg)]
                if tail and (name != "after_commit" or getattr(call.args[0], "id", "") in ("enqueue", "enqueue_in")):
                    args = call.args[tail[0] + 1:]
                    found.append((task_named(call.args[tail[0]]), sum(not isinstance(a, ast.Starred) for a in args),
                                  any(isinstance(a, ast.Starred) for a in args), f"{where}:{call.lineno}"))
            elif name == "enqueue_many":  # [(tasks.X, (args,)) for …] written inline
                for pair in (n for n in ast.walk(call) if isinstance(n, ast.Tuple) and len(n.elts) == 2):
                    if task_named(pair.elts[0]) and isinstance(pair.elts[1], ast.Tuple):
                        found.append((task_named(pair.elts[0]), len(pair.elts[1].elts), False, f"{where}:{call.lineno}"))
    for kind, (task, extra) in cron.JOBS.items():  # cron_tick queues (*extra, due id)
        found.append((task, len(extra) + 1, False, f"lib/lifecycle/cron.py JOBS[{kind!r}]"))
    return found


def binds(signature, count) -> bool:
    try:
        signature.bind(*[None] * count)
    except TypeError:
        return False
    return True


@pytest.mark.parametrize("task", tasks.CATALOG, ids=lambda task: task.name)
def test_every_task_names_a_job_module_with_a_run_function(task):
    assert (ROOT / "jobs" / f"{task.name}.py").is_file()
    assert callable(run_of(task)) and task.path == f"jobs.{task.name}.run"


def test_every_job_module_is_in_the_catalog_and_every_task_once():
    modules = {path.stem for path in (ROOT / "jobs").glob("*.py")} - {"__init__", "worker"}
    assert modules == set(BY_NAME)
    assert len(BY_NAME) == len(tasks.CATALOG) and set(CONSTANTS.values()) == set(tasks.CATALOG)


@pytest.mark.parametrize("task", tasks.CATALOG, ids=lambda task: task.name)
def test_queue_timeout_and_retries_are_ones_the_workers_honour(task):
    assert task.queue in tasks.QUEUES and task.timeout > 0
    assert 0 <= task.retries <= len(tasks.RETRY_INTERVALS)
    retry = task.retry()
    if task.retries:
        assert retry.max == task.retries and list(retry.intervals) == list(tasks.RETRY_INTERVALS[:task.retries])
    else:
        assert retry is None


def test_every_task_is_queued_somewhere_and_each_caller_passes_what_run_accepts():
    found = callers()
    assert {task.name for task, *_ in found} == set(BY_NAME), "a task nobody queues, or the scan missed a caller"
    for task, count, spread, where in found:
        signature = inspect.signature(run_of(task))
        fits = [extra for extra in range(4 if spread else 1) if binds(signature, count + extra)]
        assert fits, f"{where} queues {task.name} with {count}{'+*' if spread else ''} argument(s), run{signature}"


@pytest.mark.parametrize("task", [t for t in tasks.CATALOG if t.unique], ids=lambda task: task.name)
def test_job_ids_use_only_the_characters_rq_allows_and_name_their_arguments(task):
    args = TYPICAL[task.name]
    job_id = task.job_id(args)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", job_id), job_id
    assert job_id.startswith(task.name) and job_id == task.job_id(args)  # the same call, the same id
    inspect.signature(run_of(task)).bind(*args)
    if args:
        other = tuple(a + 1 if isinstance(a, int) else a + "x" for a in args)
        assert task.job_id(other) != job_id  # another order, peer or event is another job


def test_tasks_without_a_unique_rule_have_no_job_id():
    assert tasks.NOTIFY_USER.job_id((1, "key", {})) is None and tasks.HANDLE_UPDATE.job_id(({},)) is None
