"""Instrumentation of the shop, in this process only: the Proxmox client, transactions, progress messages."""
import time


class Probe:
    """What one provisioning did, collected by the wrappers below (all times time.monotonic())."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.api = {}  # label -> [count, seconds]
        self.task_polls = self.status_polls = 0
        self.sleeps, self.sleep_s = 0, 0.0
        self.waits = []  # {"what", "upid", "submit_t0", "t0", "t1", "polls"}
        self.db_n, self.db_s = 0, 0.0
        self.progress_n, self.progress_s = 0, 0.0
        self.setup_s = 0.0
        self.last_call_t0 = None
        self.in_wait_until = False
        self.poll_starts = []  # start times of the task-status calls of the wait in progress

    def add_api(self, label, seconds):
        entry = self.api.setdefault(label, [0, 0.0])
        entry[0] += 1
        entry[1] += seconds

    def sleep(self, seconds):
        t0 = time.monotonic()
        time.sleep(seconds)
        self.sleeps += 1
        self.sleep_s += time.monotonic() - t0


PROBE = Probe()
THREAD_ERRORS = []  # exceptions that ended background threads of the shop (e.g. a lock heartbeat)


def _thread_excepthook(hook_args):
    THREAD_ERRORS.append(f"thread {hook_args.thread.name if hook_args.thread else '?'}: "
                         f"{hook_args.exc_type.__name__}: {hook_args.exc_value}")
    _default_thread_excepthook(hook_args)


_default_thread_excepthook = None


def instrument():
    """Wrap the Proxmox client, the transactions and the progress messages of the provisioning code.

    Only attributes of this process's modules are replaced; lib/ is not changed on disk.
    """
    global _default_thread_excepthook
    import threading
    _default_thread_excepthook = threading.excepthook
    threading.excepthook = _thread_excepthook
    import jobs.fulfil_order as fulfil_module
    import lib.vps.provisioning as prov
    import lib.vps.vm as vm
    from lib.vps.proxmox import Proxmox

    class TimedProxmox(Proxmox):
        def __init__(self, settings, *args, **kwargs):
            t0 = time.monotonic()
            kwargs.setdefault("sleep", PROBE.sleep)
            super().__init__(settings, *args, **kwargs)
            PROBE.setup_s += time.monotonic() - t0

        def _call(self, what, func, *args, **kwargs):
            label = f"{what} {getattr(func, '__name__', '?').upper()}"
            t0 = PROBE.last_call_t0 = time.monotonic()
            try:
                return super()._call(what, func, *args, **kwargs)
            finally:
                PROBE.add_api(label, time.monotonic() - t0)
                if what.endswith(" task"):
                    PROBE.task_polls += 1
                    PROBE.poll_starts.append(t0)
                elif what == "status" and PROBE.in_wait_until:
                    PROBE.status_polls += 1

        def wait(self, upid, timeout, what):
            entry = {"what": what, "upid": upid, "submit_t0": PROBE.last_call_t0, "t0": time.monotonic(),
                     "polls0": PROBE.task_polls}
            PROBE.poll_starts = []
            try:
                return super().wait(upid, timeout, what)
            finally:
                entry["t1"] = time.monotonic()
                entry["polls"] = PROBE.task_polls - entry.pop("polls0")
                starts = PROBE.poll_starts
                entry["gaps"] = [b - a for a, b in zip(starts, starts[1:])]
                PROBE.waits.append(entry)

        def wait_until(self, vmid, predicate, timeout, what):
            PROBE.in_wait_until = True
            try:
                return super().wait_until(vmid, predicate, timeout, what)
            finally:
                PROBE.in_wait_until = False

    def timed(func, kind):
        def wrapper(*args, **kwargs):
            t0 = time.monotonic()
            try:
                return func(*args, **kwargs)
            finally:
                seconds = time.monotonic() - t0
                if kind == "db":
                    PROBE.db_n += 1
                    PROBE.db_s += seconds
                else:
                    PROBE.progress_n += 1
                    PROBE.progress_s += seconds
        wrapper.__wrapped__ = func
        return wrapper

    vm.Proxmox = TimedProxmox
    prov.run_transaction = timed(prov.run_transaction, "db")
    vm.run_transaction = timed(vm.run_transaction, "db")
    reporter = fulfil_module.reporter  # provisioning reports progress through the callback the job hands it
    fulfil_module.reporter = lambda rt: timed(reporter(rt), "progress")
    fulfil_module.run_transaction = timed(fulfil_module.run_transaction, "db")
