"""The payment storm: many pending VPN orders, all paid at once, each paid webhook delivered several times.

Shared by tests/e2e/test_payment_storm.py (the assertions) and bench/payment_storm.py (the figures):

    with Storm(StormConfig(orders=120)) as storm:
        storm.seed()                  # registered customers, each with a pending order and its invoice
        storm.fire()                  # every paid webhook `copies` times, shuffled, from `threads` threads
        storm.wait_done(90)           # orders fulfilled, configs sent, events delivered, no job left
        result = storm.collect()      # tests.support.storm_result.StormResult

Real processes on a throwaway PostgreSQL database and a Redis database of its own (FLUSHED, taken
under a file lock): the Procfile's web line (gunicorn, `web_workers`) and `worker_procs` times
`python -m jobs.worker`; outside them fakes of Crypto Pay, Telegram and n8n in a child process
(tests/support/storm_fakes.py) and the fake `wg` command. Logs go to `log_dir`.
"""
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import storm_facts as facts
from tests.support.processes import ROOT, free_port, wait_until
from tests.support.storm_fakes import Fakes
from tests.support.storm_fire import fire, shuffled, warm_up
from tests.support.storm_procs import Process, shop_env, wait_ready, web_command
from tests.support.storm_result import Snapshot, StormResult
from tests.support.storm_services import StormServices

SEED_SCRIPT = Path(__file__).with_name("storm_seed.py")


@dataclass
class StormConfig:
    orders: int = 120
    copies: int = 3  # deliveries of each order's paid webhook (the first, then redeliveries)
    threads: int = 16
    web_workers: int = 2  # WEB_CONCURRENCY of the Procfile's web line
    worker_procs: int = 1  # `python -m jobs.worker` processes: the Procfile and docker-compose run one
    redis_url: str = "redis://127.0.0.1:6379/10"
    pg_admin_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    tree: Path = ROOT  # the shop that runs (another checkout to measure it); the harness stays this one
    log_dir: Path | None = None  # None: a temporary directory
    shuffle_seed: int = 1
    first_user: int = 900_001
    warm_webhook: bool = False  # before the storm, a bad-signature webhook per thread (401, nothing recorded)
    env: dict = field(default_factory=dict)  # more environment for the shop's processes


class Storm:
    def __init__(self, config: StormConfig):
        self.config, self.tree = config, Path(config.tree)
        self.log_dir = Path(config.log_dir or tempfile.mkdtemp(prefix="shop-storm-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.services = StormServices(config.pg_admin_url, config.redis_url)
        self.redis, self.processes, self.fakes, self.wg, self.db = self.services.redis, [], None, None, None
        self.seeded, self.shots, self.before = [], [], None

    # ---- start and stop ----------------------------------------------------------------------
    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self) -> None:
        from tests.fakes.wg import FakeWireGuard
        self.services.take()
        self.fakes = Fakes()
        self.wg = FakeWireGuard(self.log_dir)
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.env = shop_env(self.tree, self.fakes.info, self.wg, self.services.database_url, self.config.redis_url,
                            port, self.config.web_workers, self.config.env)
        self.web = self._run("web", web_command(self.tree))
        wait_ready(self.base_url + "/readyz", self.web)  # its first request migrated the database
        self.db = facts.connect(self.services.database_url)
        self.workers = [self._run(f"worker{n}", "python -m jobs.worker") for n in range(self.config.worker_procs)]

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        if self.fakes is not None:
            self.fakes.stop()
        if self.wg is not None:
            self.wg.close()
        if self.db is not None:
            self.db.close()
        self.services.release()

    def _run(self, name: str, command: str) -> Process:
        process = Process(name, command, self.env, self.tree, self.log_dir / f"{name}.log")
        self.processes.append(process)
        return process

    # ---- the storm ---------------------------------------------------------------------------
    def seed(self, seconds: float = 120) -> list:
        """Pending orders with their invoices; waits until the workers delivered the sign-up events."""
        done = subprocess.run([sys.executable, str(SEED_SCRIPT),
                               str(self.config.first_user), str(self.config.orders)], cwd=self.tree, env=self.env,
                              capture_output=True, text=True, timeout=seconds)
        if done.returncode:
            raise RuntimeError(f"seeding failed:\n{done.stderr[-3000:]}")
        self.seeded = json.loads(done.stdout)
        signed_up = lambda: self.fakes.ask("counts")["events"].get("user.registered", 0) >= len(self.seeded)  # noqa: E731
        wait_until(lambda: signed_up() and facts.quiet(self.redis), seconds,
                   "the workers never delivered the sign-up events", every=0.2)
        return self.seeded

    def fire(self) -> list:
        """Pay every invoice at the fake, then deliver each paid webhook `copies` times at once."""
        by_invoice = {row["invoice_id"]: row["order_id"] for row in self.seeded}
        paid = self.fakes.ask("pay", {"invoice_ids": list(by_invoice), "copies": self.config.copies}, timeout=120)
        shots = shuffled({by_invoice[i]: copies for i, copies in paid.items()}, self.config.shuffle_seed)
        warm_up(self.base_url, self.config.threads, self.config.warm_webhook)
        self.before = self.snapshot()
        self.shots = fire(self.base_url, shots, self.config.threads)
        return self.shots

    def wait_done(self, seconds: float) -> None:
        """Until every order is fulfilled, its config sent and its events delivered, and no job is left."""
        n, order_ids = len(self.seeded), [row["order_id"] for row in self.seeded]
        deadline = (self.before.wall if self.before else time.time()) + seconds

        def done():
            for process in self.processes:
                if not process.alive():
                    raise RuntimeError(f"{process.name} died:\n{process.log_tail()}")
            counts = self.fakes.ask("counts")
            events, sent = counts["events"], counts["telegram"]
            return (sent.get("sendphoto", 0) >= n and events.get("payment.received", 0) >= n
                    and events.get("vpn.created", 0) >= n and facts.fulfilled_count(self.db, order_ids) >= n
                    and facts.quiet(self.redis))
        try:
            wait_until(done, max(1.0, deadline - time.time()), "timed out", every=0.1)
        except AssertionError:
            raise AssertionError(f"the storm was not over {seconds:.0f} s after the first webhook: "
                                 f"{facts.fulfilled_count(self.db, order_ids)}/{n} orders fulfilled, "
                                 f"{self.fakes.ask('counts')}; logs in {self.log_dir}") from None

    def collect(self) -> StormResult:
        after = self.snapshot()
        return StormResult(
            shots=self.shots, seeded=self.seeded, before=self.before, after=after,
            orders=facts.orders(self.db, [row["order_id"] for row in self.seeded]),
            events=self.fakes.ask("events"), telegram=self.fakes.ask("telegram"), wg_peers=self.wg.peers(),
            jobs=facts.jobs(self.redis, self.before.wall), log_dir=str(self.log_dir))

    def snapshot(self) -> Snapshot:
        return Snapshot.take(self.web, self.workers, self.fakes, self.services.db_name)

