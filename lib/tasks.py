"""The catalog of every job, and the only way one is queued: `enqueue(redis, tasks.FULFIL_ORDER, order_id)`.

Each task names its function by dotted path (so a webhook never imports what only a job needs),
its queue, timeout and retry policy, and how its job id is formed. A task with an id keeps at
most one copy waiting: queuing it again while a copy waits returns that copy, which reads the
current state when it runs anyway. A copy that is running (or whose worker died, or that failed)
does not block a new one; the job's own lock (lib.exclusive) keeps two runs apart.
"""
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

# Telegram updates; provisioning and the rest; what customers ask of their keys and servers (syncs, power,
# refreshes, payment checks: never ahead of anyone's fulfilment); broadcasts and events.
QUEUES = ("high", "default", "actions", "low")
RETRY_INTERVALS = (10, 30, 90, 300)  # seconds between the tries of a failing job
RESULT_TTL, FAILURE_TTL = 3600, 7 * 86400
WAITING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


@dataclass(frozen=True)
class Task:
    name: str  # the module under jobs/ whose run() does the work
    queue: str = "default"
    timeout: int = 300  # seconds before RQ stops the job
    retries: int = 0  # more tries after a failure, RETRY_INTERVALS apart
    unique: Callable | None = None  # args → the job id's tail; None: every call queues a new job

    @property
    def path(self) -> str:
        return f"jobs.{self.name}.run"

    def job_id(self, args) -> str | None:
        return None if self.unique is None else f"{self.name}-{self.unique(*args)}"

    def retry(self):
        return Retry(max=self.retries, interval=list(RETRY_INTERVALS[:self.retries])) if self.retries else None


def _one(key):
    return lambda *args: key


def _first(first, *rest):
    return first


FULFIL_ORDER = Task("fulfil_order", timeout=1800, retries=4, unique=_first)
REFUND_ORDER = Task("refund_order", timeout=1800, retries=4, unique=_first)
SEND_VPN_CONFIG = Task("send_vpn_config")
SYNC_PEER = Task("sync_peer", queue="actions", retries=4, unique=_first)
EXPIRE_VPN = Task("expire_vpn", retries=3, unique=_first)
VPS_CONTROL = Task("vps_control", queue="actions", timeout=1800,
                   unique=lambda server_id, action, user_id=None: f"{server_id}-{action}")
CLEANUP_VPS = Task("cleanup_vps", timeout=1800, unique=_first)
EXPIRE_VPS = Task("expire_vps", timeout=1800, retries=3, unique=_first)
SEND_REMINDER = Task("send_reminder", unique=lambda kind, target_id: f"{kind}-{target_id}")
NOTIFY_USER = Task("notify_user")
NOTIFY_ADMINS = Task("notify_admins")
DELIVER_EVENT = Task("deliver_event", queue="low", retries=3, unique=_first)
BROADCAST = Task("broadcast", queue="low", timeout=900, retries=4)
RECONCILE = Task("reconcile", timeout=1800, unique=_one("all"))
DRAIN_UPDATES = Task("drain_updates", queue="high", unique=_one("inbox"))
HANDLE_UPDATE = Task("handle_update", queue="high")
CHECK_YOOKASSA = Task("check_yookassa", queue="actions", retries=3, unique=lambda kind, object_id: f"{kind}-{object_id}")
HIDE_SECRET = Task("hide_secret", queue="low", retries=2)
CATALOG = (FULFIL_ORDER, REFUND_ORDER, SEND_VPN_CONFIG, SYNC_PEER, EXPIRE_VPN, VPS_CONTROL, CLEANUP_VPS,
           EXPIRE_VPS, SEND_REMINDER, NOTIFY_USER, NOTIFY_ADMINS, DELIVER_EVENT, BROADCAST, RECONCILE,
           DRAIN_UPDATES, HANDLE_UPDATE, CHECK_YOOKASSA, HIDE_SECRET)


def queue(redis, name: str = "default") -> Queue:
    return Queue(name, connection=redis)


def _options(task: Task) -> dict:
    return {"job_timeout": task.timeout, "retry": task.retry(), "result_ttl": RESULT_TTL,
            "failure_ttl": FAILURE_TTL}


def _latest_waiting(redis, marker: str):
    """The copy last queued under this id, if it still waits to run."""
    latest = redis.get(marker)
    if latest is None:
        return None
    try:
        job = Job.fetch(latest.decode(), connection=redis)
    except NoSuchJobError:
        return None
    return job if job.get_status(refresh=False) in WAITING else None


def _free_id(redis, job_id: str) -> str:
    """The id itself when free (a finished copy's record is dropped), else the id with a fresh suffix."""
    try:
        existing = Job.fetch(job_id, connection=redis)
    except NoSuchJobError:
        return job_id
    if existing.get_status(refresh=False) == JobStatus.FINISHED:
        existing.delete()
        return job_id
    return f"{job_id}-{secrets.token_hex(4)}"  # running, failed or stopped: its record stays


def _enqueue_once(redis, task: Task, args, put) -> Job:
    """`put(queue, job_id)` unless a copy under the task's id already waits (returned instead)."""
    q, job_id = queue(redis, task.queue), task.job_id(args)
    if job_id is None:
        return put(q, None)
    marker = f"shop:task:latest:{job_id}"
    waiting = _latest_waiting(redis, marker)
    if waiting is not None:
        return waiting
    new_id = _free_id(redis, job_id)
    try:
        job = put(q, new_id)
    except DuplicateJobError:  # another caller queued this very id a moment ago
        return Job.fetch(new_id, connection=redis)
    redis.set(marker, new_id, ex=FAILURE_TTL)
    return job


def enqueue(redis, task: Task, *args) -> Job:
    """Queue `task(*args)`; with a job id, a copy already waiting is returned instead of a second.

    The id's latest copy is remembered in Redis, so the rule holds while an earlier copy runs or sits
    in the failed registry. Two callers racing may still queue two copies; jobs are safe twice.
    """
    return _enqueue_once(redis, task, args, lambda q, job_id: q.enqueue(
        task.path, *args, **_options(task), **({"job_id": job_id, "unique": True} if job_id else {})))


def enqueue_in(redis, seconds: float, task: Task, *args) -> Job:
    """Queue `task(*args)` to run after `seconds` (a busy job's next try); a waiting copy is reused.

    RQ's scheduler moves it on time, and cron_tick does when no live worker holds the scheduler."""
    return _enqueue_once(redis, task, args, lambda q, job_id: q.enqueue_in(
        timedelta(seconds=seconds), task.path, *args, **_options(task), **({"job_id": job_id} if job_id else {})))


def enqueue_many(redis, calls) -> int:
    """Queue many (task, args) pairs, one pipeline per queue (cron_tick's batches); no id dedupe here."""
    by_queue = {}
    for task, args in calls:
        by_queue.setdefault(task.queue, []).append(Queue.prepare_data(
            task.path, tuple(args), timeout=task.timeout, result_ttl=RESULT_TTL, failure_ttl=FAILURE_TTL,
            retry=task.retry()))
    for name, datas in by_queue.items():
        with redis.pipeline() as pipe:
            queue(redis, name).enqueue_many(datas, pipeline=pipe)
            pipe.execute()
    return sum(len(d) for d in by_queue.values())


def queue_depths(redis) -> dict:
    """Jobs waiting per queue (for summaries and metrics)."""
    return {name: queue(redis, name).count for name in QUEUES}


# SET NX EX on KEYS[1]; when the key is new, run the flattened commands in ARGV[2:] ("count, args…" each).
_IF_FIRST = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
return 1
"""
_queues = {}
_script = None


def enqueue_if_first(redis, seen_key: str, seen_ttl: int, task: Task, *args) -> bool:
    """Queue `task(*args)` unless `seen_key` exists, and set it: one round trip (the webhook's hot path).

    RQ builds the job and its commands into a pipeline that is never sent; the script runs them
    only if SET NX wins, so a repeat costs nothing and two copies can never both queue."""
    global _script
    q = _queues.get(task.queue)
    if q is None or q.connection is not redis:  # kept, so RQ asks for the server's version once per process
        q = _queues[task.queue] = queue(redis, task.queue)
    job = q.create_job(task.path, args=args, timeout=task.timeout, result_ttl=RESULT_TTL,
                       failure_ttl=FAILURE_TTL, retry=task.retry())
    pipe = redis.pipeline(transaction=False)
    q.enqueue_job(job, pipeline=pipe)
    commands = [arg for command, _ in pipe.command_stack for arg in (len(command), *command)]
    pipe.reset()
    if _script is None:  # a Script is its text and SHA: any client can run it
        _script = redis.register_script(_IF_FIRST)
    return bool(_script(keys=[seen_key], args=[seen_ttl, *commands], client=redis))
