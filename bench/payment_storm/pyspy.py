"""Where the workers' and the web's time goes: py-spy stacks of every thread, sorted into activities.

py-spy samples each thread `rate` times a second whether it runs or waits (--idle), with the stacks
of forked children (--subprocesses, so a forking worker's work horses too: it finds a new child
within a fraction of a second, so the first moments of a short-lived horse are under-sampled).
Only the threads that do the work are counted: a worker process's main thread (not the lock
heartbeats, not RQ's scheduler process, not a forking parent waiting for its horse, not the pool's
supervisor) and in gunicorn the threads while they serve a webhook. A sample is one activity:
the first rule in ACTIVITIES whose pattern is in its stack.
"""
import shutil
import signal
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

SKIP = ("RQScheduler.work", "wait_for_horse", "monitor_work_horse")  # RQ's scheduler, a parent awaiting its horse
SUPERVISOR, ITS_CHILD = "_supervise (jobs/worker.py)", "_spawn (jobs/worker.py)"  # a worker pool's parent
IN_JOB = "Job.perform (rq/job.py)"
ACTIVITIES = (  # (name, any of these in the stack), first match wins
    ("imports", ("_find_and_load", "importlib._bootstrap")),
    ("wg command (a process per call)", ("WireGuardServer._run", "(subprocess.py)")),
    ("database: connecting", ("PGPool._connect", "connect (psycopg2")),
    ("QR code", ("qr_png", "(qrcode/")),
    ("Telegram API calls", ("(telebot/",)),
    ("n8n POST", ("run (jobs/deliver_event.py);post (requests/",)),
    ("database: statements, commits", ("(pony/", "(psycopg2/")),
    ("Redis: locks, queueing", ("(redis/", "(lib/exclusive.py)", "(lib/tasks.py)", "(rq/queue.py)")),
    ("keys, secrets, config text", ("(cryptography/", "(lib/secretbox.py)", "client_config")),
)
BETWEEN_JOBS = (("waiting for a job", ("dequeue_job_and_maintain_ttl", "dequeue_any")),)
FORKING = "Worker.fork_work_horse (rq/worker/worker_classes.py)"  # the leaf while the parent forks


def start(pid: int, path: Path, rate: int) -> subprocess.Popen:
    spy = shutil.which("py-spy") or str(Path(__file__).resolve().parents[2] / ".venv/bin/py-spy")
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--subprocesses", "--idle", "--threads",
                             "--nolineno", "--format", "raw", "--rate", str(rate), "--nonblocking",
                             "--output", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(spy: subprocess.Popen) -> str:
    """Stop sampling (py-spy writes its file on SIGINT); its complaints, if any."""
    if spy.poll() is None:
        spy.send_signal(signal.SIGINT)
    try:
        _, err = spy.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        spy.kill()
        _, err = spy.communicate()
    return err.decode(errors="replace")[-500:] if spy.returncode else ""


def _stacks(path: Path):
    for line in Path(path).read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield stack, int(count)


def _activity(stack: str, rules) -> str | None:
    return next((name for name, patterns in rules if any(p in stack for p in patterns)), None)


def worker_activities(path: Path, rate: int) -> dict:
    """Seconds per job and activity of the worker processes' job-running threads, and between jobs."""
    jobs, between = defaultdict(Counter), Counter()
    for stack, count in _stacks(path):
        if "MainThread" not in stack or any(s in stack for s in SKIP) or (SUPERVISOR in stack
                                                                         and ITS_CHILD not in stack):
            continue
        if IN_JOB in stack:
            job = stack.split("run (jobs/", 1)[1].split(".py)", 1)[0] if "run (jobs/" in stack else "(loading)"
            jobs[job][_activity(stack, ACTIVITIES) or "other Python"] += count
        elif stack.endswith(FORKING):
            between["fork"] += count
        else:
            between[_activity(stack, BETWEEN_JOBS) or _activity(stack, ACTIVITIES[:1]) or "RQ between jobs"] += count
    return _seconds({"jobs": jobs, "between_jobs": {"-": between}}, rate)


def web_activities(path: Path, rate: int) -> dict:
    """Thread-seconds of gunicorn's threads inside the Crypto Pay webhook, per activity."""
    inside = Counter()
    for stack, count in _stacks(path):
        if "cryptobot_webhook (functions/cryptobot_webhook.py)" not in stack:
            continue
        if "read_notification" in stack:
            inside["signature check, parsing"] += count
        else:
            inside[_activity(stack, ACTIVITIES) or "Flask, other Python"] += count
    return _seconds({"webhook": {"-": inside}}, rate)


def _seconds(groups: dict, rate: int) -> dict:
    out = {}
    for group, by_name in groups.items():
        for name, counter in by_name.items():
            key = group if name == "-" else f"{group}.{name}"
            out[key] = {activity: round(n / rate, 2) for activity, n in counter.most_common()}
    return out
