"""The web process as the Procfile runs it: readiness follows a database that stops and comes back and
names what is down; /metrics sums every gunicorn worker; its log lines are JSON with request ids."""
import time
import uuid

import psycopg2
import requests

from tests.support.fixtures import PG_ADMIN
from tests.support.processes import free_port, procfile_command, start, stop, wait_for
from tests.support.scrape import json_log, samples


def serve(env, **overrides):
    """The Procfile's web line with some variables changed; (base URL, process)."""
    port = free_port()
    process = start(procfile_command("web", port), {**env, **overrides}, port)
    return f"http://127.0.0.1:{port}", process


def wait_until_up(base, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return requests.get(f"{base}/healthz", timeout=2)
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{base} never answered")


def test_readyz_follows_a_database_that_stops_and_comes_back(shop, process_env):
    name = f"shop_ready_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    cur = admin.cursor()
    cur.execute(f'CREATE DATABASE "{name}"')
    base, web = serve(process_env, DATABASE_URL=f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}", WEB_CONCURRENCY="1")
    try:
        wait_for(f"{base}/readyz", timeout=60)  # the first request migrated the throwaway database
        cur.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        down = requests.get(f"{base}/readyz", headers={"X-Request-Id": "probe-db-down"}, timeout=10)
        assert down.status_code == 503, down.text
        assert down.json()["ready"] is False and down.json()["redis"] == "ok"
        assert down.json()["database"].startswith("down")
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
        scrape = samples(requests.get(f"{base}/metrics", timeout=10).text)
        assert scrape['shop_source_up{source="database"}'] == 0 and scrape['shop_source_up{source="redis"}'] == 1
        assert 'shop_queue_depth{queue="high"}' in scrape

        cur.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        wait_for(f"{base}/readyz", timeout=15)
    finally:
        output = stop(web)
        cur.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()
    lines = json_log(output)
    not_ready = [e for e in lines if e["message"].startswith("not ready")]
    assert not_ready and not_ready[0]["request_id"] == "probe-db-down" and "database down" in not_ready[0]["message"]


def test_readyz_names_the_part_that_is_down(shop, process_env):
    closed = free_port()
    no_db, web1 = serve(process_env, DATABASE_URL=f"postgresql://postgres@127.0.0.1:{closed}/shop", WEB_CONCURRENCY="1")
    no_redis, web2 = serve(process_env, REDIS_URL=f"redis://127.0.0.1:{closed}/0", WEB_CONCURRENCY="1")
    try:
        assert wait_until_up(no_db).status_code == 200
        assert wait_until_up(no_redis).status_code == 200
        answer = requests.get(f"{no_db}/readyz", timeout=10)
        assert answer.status_code == 503
        assert answer.json()["database"].startswith("down") and answer.json()["redis"] == "ok"
        answer = requests.get(f"{no_redis}/readyz", timeout=10)
        assert answer.status_code == 503
        assert answer.json()["redis"].startswith("down") and answer.json()["database"] == "ok"
        assert requests.get(f"{no_db}/metrics", timeout=10).status_code == 200
    finally:
        stop(web1)
        stop(web2)


# ---- metrics -------------------------------------------------------------------------------


def test_metrics_sum_every_gunicorn_worker(shop, process_env):
    base, web = serve(process_env, WEB_CONCURRENCY="3")
    try:
        wait_for(f"{base}/readyz")
        for _ in range(30):  # a new connection each time: the kernel spreads them over the workers
            answer = requests.get(f"{base}/healthz", headers={"Connection": "close"}, timeout=5)
            assert answer.status_code == 200
        counts = set()
        for _ in range(6):
            scrape = requests.get(f"{base}/metrics", headers={"Connection": "close"}, timeout=5)
            assert scrape.headers["X-Content-Type-Options"] == "nosniff" and scrape.headers["X-Request-Id"]
            counts.add(samples(scrape.text)['shop_requests_total{function="healthz",status="200"}'])
        assert counts == {30.0}
    finally:
        output = stop(web)
    access = [e for e in json_log(output) if e["logger"] == "gunicorn.access"]
    assert len({e["request_id"] for e in access if "/healthz" in e["message"]}) == 30


# ---- logs ----------------------------------------------------------------------------------
