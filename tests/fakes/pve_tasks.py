"""Worker tasks of FakeProxmox (UPIDs): how long they run, injected failures, fast-forward.

Simulated lazily: a task ends `duration` seconds after it started and its effect is applied
the next time anything looks at the state (`_tick`), in end order. Durations are real time
(time.monotonic), not the fake's clock: the shop's worker really waits for a task, polling
within a real time budget, as it would for a real clone. A test that must not wait for one
calls complete_tasks(). The UPID's starttime is a date, so it comes from the fake's clock.
"""
import itertools
import os
import time

from .pve_rules import encode_upid

DEFAULT_DURATIONS = {"clone": 0.2, "config": 0.1, "resize": 0.1, "start": 0.1, "shutdown": 0.1,
                     "stop": 0.1, "reboot": 0.1, "destroy": 0.1}
TASK_TYPES = {"clone": "qmclone", "config": "qmconfig", "resize": "qmresize", "start": "qmstart",
              "shutdown": "qmshutdown", "stop": "qmstop", "reboot": "qmreboot",
              "destroy": "qmdestroy"}
QUICK = 0.05  # how long a worker that fails its first check runs


class PveTasks:
    """Mixin of FakeProxmox: `self._tasks` (upid -> task), `self.durations`, task faults."""

    def _init_tasks(self, durations):
        self._tasks = {}  # upid -> task, in creation order
        self._task_faults = {}  # action -> [exitstatus, ...]
        self._pids = itertools.count(0x1A2B0)
        self._pstart = 0x0100000 + int.from_bytes(os.urandom(2), "big")
        self.durations = dict(DEFAULT_DURATIONS, **(durations or {}))

    # ---- test controls ---------------------------------------------------------
    def set_durations(self, **seconds):
        """Real seconds per task: clone, config, resize, start, shutdown, stop, reboot, destroy."""
        with self._lock:
            unknown = set(seconds) - set(DEFAULT_DURATIONS)
            if unknown:
                raise ValueError("unknown actions: %s" % sorted(unknown))
            self.durations.update(seconds)

    def fail_task(self, action, times=1, exitstatus="some error"):
        """The next `times` tasks of `action` end with `exitstatus` instead of "OK", no effect."""
        with self._lock:
            if action not in TASK_TYPES:
                raise ValueError("no task for action %r" % action)
            self._task_faults.setdefault(action, []).extend([exitstatus] * times)

    def complete_tasks(self, within=0):
        """Fast-forward: every running task ends now (or at the latest `within` seconds from now)."""
        with self._lock:
            now = time.monotonic()
            for task in self._tasks.values():
                if task["status"] == "running":
                    task["duration"] = min(task["duration"], now + within - task["started"])
            self._tick()

    # ---- assertions ------------------------------------------------------------
    @property
    def tasks(self):
        """Snapshots of all tasks, oldest first."""
        with self._lock:
            self._tick()
            return [self._task_view(t) for t in self._tasks.values()]

    def task(self, upid):
        with self._lock:
            self._tick()
            return self._task_view(self._tasks[upid]) if upid in self._tasks else None

    # ---- internals -------------------------------------------------------------
    def _start_task(self, action, task_id, finish, duration=None, fails_with=None):
        """Start a worker; `finish(planned_exitstatus_or_None)` applies it, returns the exitstatus.

        `fails_with` is the error of a check the worker makes first (it then ends quickly).
        """
        planned = fails_with
        injected = self._task_faults.get(action)
        if planned is None and injected:
            planned = injected.pop(0)
        if duration is None:
            duration = self.durations[action]
        if fails_with is not None:
            duration = min(duration, QUICK)
        starttime = int(self.clock())
        user = "%s!%s" % (self.user, self.token_name)
        upid = encode_upid(self.node, next(self._pids), self._pstart, starttime,
                           TASK_TYPES[action], task_id, user)
        self._tasks[upid] = {"upid": upid, "action": action, "type": TASK_TYPES[action],
                             "id": str(task_id), "node": self.node, "user": self.user,
                             "tokenid": self.token_name, "starttime": starttime,
                             "started": time.monotonic(), "duration": duration,
                             "status": "running", "exitstatus": None,
                             "_planned": planned, "_finish": finish}
        return upid

    def _tick(self):
        now = time.monotonic()
        due = [t for t in self._tasks.values()
               if t["status"] == "running" and now >= t["started"] + t["duration"]]
        for task in sorted(due, key=lambda t: t["started"] + t["duration"]):
            exitstatus = task["_finish"](task["_planned"])
            task.update(status="stopped", exitstatus=exitstatus or task["_planned"] or "OK",
                        endtime=task["starttime"] + int(round(task["duration"])))

    @staticmethod
    def _task_view(task):
        view = {k: v for k, v in task.items()
                if not k.startswith("_") and k not in ("started", "duration", "action")}
        if task["status"] == "running":
            view.pop("exitstatus")
            view.pop("endtime", None)
        view["pid"] = int(task["upid"].split(":")[2], 16)
        view["pstart"] = int(task["upid"].split(":")[3], 16)
        return view
