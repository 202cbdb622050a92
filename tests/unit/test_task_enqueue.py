"""tasks.enqueue on an in-process Redis (fakeredis runs RQ's Lua): one waiting copy per job id, no more."""
import fakeredis
import pytest
from rq.job import Job, JobStatus

from lib import tasks


@pytest.fixture
def redis():
    return fakeredis.FakeRedis(server=fakeredis.FakeServer())


def waiting(redis, name="default"):
    return tasks.queue(redis, name).job_ids


def worker_took(redis, job, status):
    """What a worker does to a job it picked up: off the queue, then running, finished or failed."""
    tasks.queue(redis, job.origin).remove(job.id)
    job.set_status(status)


def test_a_task_with_an_id_keeps_one_copy_waiting(redis):
    first = tasks.enqueue(redis, tasks.FULFIL_ORDER, 42)
    again = tasks.enqueue(redis, tasks.FULFIL_ORDER, 42)
    assert first.id == again.id == "fulfil_order-42"
    assert waiting(redis) == ["fulfil_order-42"]


def test_another_order_is_another_job(redis):
    tasks.enqueue(redis, tasks.FULFIL_ORDER, 42)
    tasks.enqueue(redis, tasks.FULFIL_ORDER, 43)
    assert waiting(redis) == ["fulfil_order-42", "fulfil_order-43"]


@pytest.mark.parametrize("status", [JobStatus.SCHEDULED, JobStatus.DEFERRED])
def test_a_copy_waiting_for_its_retry_or_its_turn_is_returned_not_doubled(redis, status):
    first = tasks.enqueue(redis, tasks.EXPIRE_VPN, 7)
    worker_took(redis, first, status)
    assert tasks.enqueue(redis, tasks.EXPIRE_VPN, 7).id == first.id
    assert waiting(redis) == []


def test_a_finished_copy_is_replaced_by_a_new_one_under_the_same_id(redis):
    first = tasks.enqueue(redis, tasks.FULFIL_ORDER, 42)
    worker_took(redis, first, JobStatus.FINISHED)
    second = tasks.enqueue(redis, tasks.FULFIL_ORDER, 42)
    assert second.id == "fulfil_order-42" and second.get_status() == JobStatus.QUEUED
    assert waiting(redis) == ["fulfil_order-42"]


@pytest.mark.parametrize("status", [JobStatus.STARTED, JobStatus.FAILED, JobStatus.STOPPED])
def test_a_copy_that_runs_or_failed_does_not_block_a_new_one(redis, status):
    first = tasks.enqueue(redis, tasks.EXPIRE_VPN, 7)
    worker_took(redis, first, status)
    second = tasks.enqueue(redis, tasks.EXPIRE_VPN, 7)
    assert second.id != first.id and second.id.startswith("expire_vpn-7-")
    assert waiting(redis) == [second.id] and second.args == (7,)
    assert Job.fetch(first.id, connection=redis).get_status() == status  # its record stays for the admins



@pytest.mark.parametrize("status", [JobStatus.STARTED, JobStatus.FAILED])
def test_while_a_copy_runs_or_failed_queuing_again_still_keeps_one_copy_waiting(redis, status):
    worker_took(redis, tasks.enqueue(redis, tasks.EXPIRE_VPN, 7), status)
    for _ in range(3):  # the customer presses "pause" three times
        tasks.enqueue(redis, tasks.EXPIRE_VPN, 7)
    assert len(waiting(redis)) == 1


def test_a_task_without_an_id_queues_every_time(redis):
    jobs = [tasks.enqueue(redis, tasks.NOTIFY_USER, 5, "vpn_renewed", {"peer_id": 1}) for _ in range(3)]
    assert len({job.id for job in jobs}) == 3 and waiting(redis) == [job.id for job in jobs]


def test_a_job_carries_the_catalogs_path_queue_timeout_and_retry(redis):
    job = tasks.enqueue(redis, tasks.DELIVER_EVENT, "e-1")
    assert (job.func_name, job.args, job.origin) == ("jobs.deliver_event.run", ("e-1",), "low")
    assert job.timeout == tasks.DELIVER_EVENT.timeout
    assert job.retries_left == 3 and job.retry_intervals == [10, 30, 90]
    assert (job.result_ttl, job.failure_ttl) == (tasks.RESULT_TTL, tasks.FAILURE_TTL)
    assert waiting(redis, "low") == [job.id] and waiting(redis) == []


def test_enqueue_many_queues_them_all_with_the_catalogs_timeout_and_retry(redis):
    calls = [(tasks.HANDLE_UPDATE, ({"update_id": n},)) for n in range(3)]
    calls += [(tasks.FULFIL_ORDER, (42,)), (tasks.SEND_REMINDER, ("vpn", 7)), (tasks.DELIVER_EVENT, ("e-1",))]
    assert tasks.enqueue_many(redis, calls) == 6
    assert tasks.queue_depths(redis) == {"high": 3, "default": 2, "actions": 0, "low": 1}
    by_path = {}
    for name in tasks.QUEUES:
        for job in tasks.queue(redis, name).jobs:
            by_path.setdefault(job.func_name, []).append(job)
    for task, args in calls:
        job = next(j for j in by_path[task.path] if j.args == tuple(args))
        assert job.origin == task.queue and job.timeout == task.timeout
        assert (job.retries_left or 0) == task.retries and (job.retry_intervals or []) == list(
            tasks.RETRY_INTERVALS[:task.retries])


def test_enqueue_many_of_nothing_queues_nothing(redis):
    assert tasks.enqueue_many(redis, []) == 0 and tasks.queue_depths(redis) == {"high": 0, "default": 0, "actions": 0, "low": 0}


def test_what_customers_ask_of_their_things_waits_on_a_queue_of_its_own(redis):
    tasks.enqueue(redis, tasks.FULFIL_ORDER, 42)
    for _ in range(3):  # a customer pressing "refresh" and "start" again and again
        tasks.enqueue(redis, tasks.VPS_CONTROL, 5, "refresh", 1)
        tasks.enqueue(redis, tasks.VPS_CONTROL, 5, "start", 1)
        tasks.enqueue(redis, tasks.SYNC_PEER, 9)
    assert waiting(redis) == ["fulfil_order-42"]
    assert waiting(redis, "actions") == ["vps_control-5-refresh", "vps_control-5-start", "sync_peer-9"]
    assert tasks.QUEUES.index("default") < tasks.QUEUES.index("actions")  # workers take fulfilments first


def test_a_delayed_try_is_scheduled_once_and_found_by_a_later_enqueue(redis):
    later = tasks.enqueue_in(redis, 30, tasks.FULFIL_ORDER, 42)
    assert tasks.enqueue_in(redis, 30, tasks.FULFIL_ORDER, 42).id == later.id
    assert tasks.enqueue(redis, tasks.FULFIL_ORDER, 42).id == later.id  # cron_tick finds the waiting copy
    assert waiting(redis) == [] and tasks.queue(redis).scheduled_job_registry.get_job_ids() == [later.id]
