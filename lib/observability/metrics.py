"""Prometheus metrics: requests and latency per function, and the shop's state read at scrape time.

Request metrics live in prometheus_client. Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set by
gunicorn.conf.py before the workers start) makes every worker write its numbers to small mmap'ed
files there, and a scrape answered by any worker sums them all: no network round trip per request.
Everything else (queues, orders, events) is read from Redis and the database when scraped.
"""
import logging

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest, values
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS = values.ValueClass is not values.MutexValue  # decided when prometheus_client was imported
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
disable_created_metrics()  # *_created series only double the output here

REQUESTS = Counter("shop_requests", "HTTP requests answered, per function and status code.",
                   ["function", "status"], registry=None)
LATENCY = Histogram("shop_request_duration_seconds", "Time to answer an HTTP request, per function.",
                    ["function"], buckets=LATENCY_BUCKETS, registry=None)
_children = {}  # (function, status) -> (counter child, histogram child): labels() is slow-ish


def observe_request(function: str, status: str, seconds: float) -> None:
    """Count one answered request and its latency."""
    children = _children.get((function, status))
    if children is None:
        children = _children[(function, status)] = (REQUESTS.labels(function, status), LATENCY.labels(function))
    children[0].inc()
    children[1].observe(seconds)


class ShopState:
    """Collector read at scrape time: queue depth and failed jobs per queue, pending payments,
    provisioning outcomes, undelivered events, and whether each source answered."""

    def __init__(self, rt):
        self.rt = rt

    def collect(self):
        up = GaugeMetricFamily("shop_source_up", "1 when the source answered this scrape, else 0.",
                               labels=["source"])
        for source, read in (("redis", self._queues), ("database", self._orders_and_events)):
            families = self._safely(source, read)
            up.add_metric([source], 0 if families is None else 1)
            yield from families or []
        yield up

    def _safely(self, source, read):
        if self.rt is None:
            return None
        try:
            return list(read())
        except Exception as exc:  # a scrape reports what it can; readiness says what is down
            log.warning("metrics: %s unavailable (%s)", source, type(exc).__name__)
            return None

    def _queues(self):
        from rq.registry import FailedJobRegistry

        from lib.tasks import QUEUES, queue
        depth = GaugeMetricFamily("shop_queue_depth", "Jobs waiting in each RQ queue.", labels=["queue"])
        failed = GaugeMetricFamily("shop_queue_failed_jobs", "Jobs in each queue's failed registry.",
                                   labels=["queue"])
        for name in QUEUES:
            q = queue(self.rt.redis, name)
            depth.add_metric([name], q.count)
            failed.add_metric([name], FailedJobRegistry(queue=q).count)
        return depth, failed

    def _orders_and_events(self):
        from pony.orm import count, db_session, select

        from lib.models import Event, Order
        with db_session:
            pending = count(o for o in Order if o.status == "pending")
            made = select((o.product, count(o)) for o in Order if o.fulfilled_at is not None)[:]
            failed = select((o.product, count(o)) for o in Order if o.status == "failed")[:]
            waiting = count(e for e in Event if e.delivered_at is None)
        outcomes = CounterMetricFamily("shop_provisioning", "Orders provisioned (success) or failed for good "
                                       "(failure), per product, since the shop began.", labels=["product", "outcome"])
        for outcome, rows in (("success", made), ("failure", failed)):
            by_product = {"vpn": 0, "vps": 0, **dict(rows)}
            for product, number in sorted(by_product.items()):
                outcomes.add_metric([product, outcome], number)
        return (GaugeMetricFamily("shop_pending_payments", "Orders waiting for their payment.", value=pending),
                outcomes,
                GaugeMetricFamily("shop_events_waiting", "Business events not yet delivered to n8n.", value=waiting))


def exposition(rt) -> bytes:
    """The Prometheus text for a scrape; `rt` None when the runtime could not be built."""
    registry = CollectorRegistry(auto_describe=False)
    if MULTIPROCESS:
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(ShopState(rt))
    return generate_latest(registry)
