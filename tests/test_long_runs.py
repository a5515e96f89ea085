"""Long runs stay flat: the calls log is bounded and tasks past retention leave memory.

The fake keeps only the most recent calls (counting them all), and forgets a
stopped task once its retention has passed and any call is made, however the
task stopped. Every call goes through ``FakeEcs`` and a real boto3 client; the
service's state is read only to show what it still holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from pytest_ecs_tasks import FakeEcs, TaskFactory
from pytest_ecs_tasks._report import state_report
from pytest_ecs_tasks._service import EcsService
from pytest_ecs_tasks._service.state import RegionState
from pytest_ecs_tasks._settings import DEFAULT_CALLS_LIMIT, Settings

from .setups import with_container_instance

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient

REGION = "us-east-1"


@pytest.fixture
def fake() -> Iterator[FakeEcs]:
    with FakeEcs(REGION) as fake:
        yield fake


@pytest.fixture
def client(fake: FakeEcs) -> ECSClient:
    return fake.client()


def task_id(arn: str) -> str:
    return arn.rpartition("/")[2]


def stopped_at(client: ECSClient, arn: str, cluster: str = "default") -> datetime:
    [task] = client.describe_tasks(cluster=cluster, tasks=[arn])["tasks"]
    assert task["lastStatus"] == "STOPPED"
    return task["stoppedAt"]


def held(region_state: RegionState, arn: str) -> bool:
    """Whether the region (read as it is, without asking the service) still holds the task,
    in its task dict and in its cluster's list."""
    in_tasks = task_id(arn) in region_state.tasks
    in_cluster = any(
        task_id(arn) in c.task_ids for cs in region_state.clusters.values() for c in cs
    )
    assert in_tasks == in_cluster
    return in_tasks


# -- the calls log ------------------------------------------------------------------------------


def test_the_calls_log_keeps_the_most_recent_calls_and_counts_them_all(
    fake: FakeEcs, client: ECSClient
) -> None:
    limit = fake._service.calls_limit
    assert limit == DEFAULT_CALLS_LIMIT == 200  # the documented default
    made = limit + 7

    for i in range(made):
        client.list_clusters(maxResults=i % 100 + 1)

    kept = fake.calls
    assert len(kept) == limit
    assert fake._service.calls_total == made
    # the oldest calls went, the most recent are kept, in order
    assert [c.params["maxResults"] for c in kept] == [i % 100 + 1 for i in range(7, made)]
    assert all(c.operation == "ListClusters" and c.error is None for c in kept)


def test_the_calls_log_counts_errors_and_faults_too(fake: FakeEcs, client: ECSClient) -> None:
    fake.fail("ListTasks", "ThrottlingException", times=1)
    for _ in range(2):
        with pytest.raises(client.exceptions.ClusterNotFoundException):
            client.list_tasks(cluster="ghost")  # the throttled attempt is retried by botocore

    assert fake._service.calls_total == len(fake.calls) == 3
    assert [c.error.code if c.error else None for c in fake.calls] == [
        "ThrottlingException",
        "ClusterNotFoundException",
        "ClusterNotFoundException",
    ]


@pytest.mark.parametrize("limit", [0, -1, True, 1.5, "ten"])
def test_calls_limit_must_be_a_positive_int(limit: Any) -> None:
    with pytest.raises(ValueError, match="calls_limit") as error:
        FakeEcs(calls_limit=limit)

    assert repr(limit) in str(error.value)
    assert "give a whole number of calls, 1 or more" in str(error.value)


def test_calls_limit_keeps_that_many(fake: FakeEcs) -> None:
    service = EcsService(fake.clock, fake._service.task_parts, Settings(calls_limit=3))
    for size in range(1, 6):
        service.handle(REGION, "ListClusters", {"maxResults": size})

    assert service.calls_limit == 3
    assert [c.params["maxResults"] for c in service.calls] == [3, 4, 5]
    assert service.calls_total == 5


# -- expired tasks leave memory -------------------------------------------------------------------


def _runs_for(fake: FakeEcs, client: ECSClient) -> str:
    return fake.run_task(runs_for=30)["taskArn"]


def _fails_to_start(fake: FakeEcs, client: ECSClient) -> str:
    return fake.run_task(fail_to_start="CannotPullContainerError: no such image")["taskArn"]


def _python_stop(fake: FakeEcs, client: ECSClient) -> str:
    arn = fake.run_task()["taskArn"]
    fake.clock.advance(minutes=1)
    fake.stop_task(arn)
    return arn


def _boto3_stop(fake: FakeEcs, client: ECSClient) -> str:
    arn = fake.run_task()["taskArn"]
    fake.clock.advance(minutes=1)
    client.stop_task(task=arn, reason="done")
    return arn


def _stopped_before_its_planned_end(fake: FakeEcs, client: ECSClient) -> str:
    arn = fake.run_task(runs_for=timedelta(days=1))["taskArn"]
    fake.clock.advance(minutes=1)
    fake.stop_task(arn)  # stoppedAt moves from tomorrow to now
    return arn


def _boto3_run_with_a_plan(fake: FakeEcs, client: ECSClient) -> str:
    client.register_task_definition(
        family="web",
        networkMode="bridge",
        requiresCompatibilities=["EC2"],
        containerDefinitions=[{"name": "web", "image": "nginx", "essential": True, "memory": 64}],
    )
    with_container_instance(fake)  # no launch type: EC2, which needs a container instance
    fake.plan_runs(runs_for=45, times=1)
    [task] = client.run_task(taskDefinition="web")["tasks"]
    return task["taskArn"]


def _added_record(fake: FakeEcs, client: ECSClient) -> str:
    return fake.add_task(TaskFactory(stopped=True, now=fake.clock.now()))["taskArn"]


HOW_TASKS_STOP: dict[str, Callable[[FakeEcs, ECSClient], str]] = {
    "runs-for": _runs_for,
    "fails-to-start": _fails_to_start,
    "python-stop-task": _python_stop,
    "boto3-stop-task": _boto3_stop,
    "stopped-before-its-planned-end": _stopped_before_its_planned_end,
    "boto3-run-task-with-plan": _boto3_run_with_a_plan,
    "added-stopped-record": _added_record,
}


@pytest.mark.parametrize("how", HOW_TASKS_STOP)
def test_a_task_past_retention_is_dropped_at_the_next_call(
    fake: FakeEcs, client: ECSClient, how: str
) -> None:
    arn = HOW_TASKS_STOP[how](fake, client)
    region_state = fake._service.region_state(REGION)
    fake.clock.advance(minutes=5)
    stopped = stopped_at(client, arn)

    fake.clock.move_to(stopped + fake.retention)  # the last moment it is kept
    client.list_clusters()
    assert held(region_state, arn)
    assert [t["taskArn"] for t in client.describe_tasks(tasks=[arn])["tasks"]] == [arn]

    fake.clock.advance(seconds=1)
    client.list_clusters()  # any call

    assert not held(region_state, arn)
    assert client.describe_tasks(tasks=[arn])["failures"] == [{"arn": arn, "reason": "MISSING"}]


def test_only_tasks_past_retention_go(fake: FakeEcs, client: ECSClient) -> None:
    old = fake.run_task(runs_for=30)["taskArn"]
    fake.clock.advance(minutes=30)
    recent = fake.run_task(runs_for=30)["taskArn"]
    running = fake.run_task()["taskArn"]
    record = fake.add_task(TaskFactory(now=fake.clock.now()))["taskArn"]  # RUNNING, as given
    region_state = fake._service.region_state(REGION)

    fake.clock.advance(minutes=45)  # old stopped ~73 min ago, recent ~43 min ago
    client.list_tasks()

    assert [held(region_state, arn) for arn in (old, recent, running, record)] == [
        False,
        True,
        True,
        True,
    ]


def test_a_retention_raised_later_applies_to_tasks_not_dropped_yet(
    fake: FakeEcs, client: ECSClient
) -> None:
    arn = fake.run_task(runs_for=30)["taskArn"]
    fake.clock.advance(minutes=2)
    stopped = stopped_at(client, arn)
    region_state = fake._service.region_state(REGION)

    fake.clock.move_to(stopped + timedelta(minutes=50))
    fake.retention = timedelta(hours=2)
    fake.clock.move_to(stopped + timedelta(minutes=90))
    client.list_clusters()

    assert held(region_state, arn)
    assert [t["taskArn"] for t in client.describe_tasks(tasks=[arn])["tasks"]] == [arn]
    listed = client.list_tasks(desiredStatus="STOPPED")["taskArns"]
    assert listed == [arn]

    fake.clock.move_to(stopped + timedelta(hours=2, seconds=1))
    client.list_clusters()

    assert not held(region_state, arn)


def test_a_task_already_dropped_stays_dropped_when_retention_grows(
    fake: FakeEcs, client: ECSClient
) -> None:
    arn = fake.run_task(runs_for=30)["taskArn"]
    fake.clock.advance(minutes=2)
    fake.clock.advance(fake.retention)
    client.list_clusters()
    region_state = fake._service.region_state(REGION)
    assert not held(region_state, arn)

    fake.retention = timedelta(days=1)

    assert client.describe_tasks(tasks=[arn])["failures"] == [{"arn": arn, "reason": "MISSING"}]
    assert client.list_tasks(desiredStatus="STOPPED")["taskArns"] == []
    assert not held(region_state, arn)


def test_a_retention_lowered_later_drops_at_the_next_call(fake: FakeEcs, client: ECSClient) -> None:
    arn = fake.run_task(runs_for=30)["taskArn"]
    fake.clock.advance(minutes=20)
    region_state = fake._service.region_state(REGION)
    assert held(region_state, arn)

    fake.retention = timedelta(minutes=10)
    client.list_clusters()

    assert not held(region_state, arn)


def test_many_tasks_stopped_long_before_their_planned_end_all_go(
    fake: FakeEcs, client: ECSClient
) -> None:
    arns = [fake.run_task(runs_for=timedelta(days=7))["taskArn"] for _ in range(300)]
    fake.clock.advance(minutes=1)
    for arn in arns:
        fake.stop_task(arn)
    keeper = fake.run_task()["taskArn"]

    fake.clock.advance(fake.retention + timedelta(minutes=5))
    client.list_clusters()

    region_state = fake._service.region_state(REGION)
    assert list(region_state.tasks) == [task_id(keeper)]
    assert list(region_state.current("default").task_ids) == [task_id(keeper)]  # type: ignore[union-attr]
    # and when their planned end comes, nothing is left to do or to break
    fake.clock.advance(days=8)
    assert client.list_tasks()["taskArns"] == [keeper]


def test_clusters_count_and_delete_only_the_tasks_kept(fake: FakeEcs, client: ECSClient) -> None:
    fake.create_cluster("jobs")
    gone = [fake.run_task("jobs", runs_for=10)["taskArn"] for _ in range(40)]
    fake.clock.advance(fake.retention + timedelta(minutes=5))
    fake.run_task("jobs")
    fake.clock.advance(minutes=1)
    fake.run_task("jobs")

    [cluster] = client.describe_clusters(clusters=["jobs"])["clusters"]
    assert (cluster["runningTasksCount"], cluster["pendingTasksCount"]) == (1, 1)
    assert len(fake._service.region_state(REGION).current("jobs").task_ids) == 2  # type: ignore[union-attr]
    with pytest.raises(client.exceptions.ClusterContainsTasksException):
        client.delete_cluster(cluster="jobs")
    assert client.describe_tasks(cluster="jobs", tasks=gone[:3])["tasks"] == []


def test_a_dropped_records_id_can_be_added_again(fake: FakeEcs, client: ECSClient) -> None:
    record = TaskFactory(stopped=True, now=fake.clock.now())
    fake.add_task(record)
    fake.clock.advance(fake.retention + timedelta(minutes=10))
    client.list_clusters()
    region_state = fake._service.region_state(REGION)
    assert not held(region_state, record["taskArn"])

    again = TaskFactory(stopped=True, now=fake.clock.now(), taskArn=record["taskArn"])
    fake.add_task(again)

    [task] = client.describe_tasks(tasks=[record["taskArn"]])["tasks"]
    assert task["stoppedAt"] == again["stoppedAt"]
    fake.clock.advance(fake.retention + timedelta(minutes=10))
    client.list_clusters()
    assert not held(region_state, record["taskArn"])


def test_a_record_with_a_naive_stopped_at_is_refused_where_it_is_added(fake: FakeEcs) -> None:
    record = TaskFactory(stopped=True, now=fake.clock.now())
    naive = record["stoppedAt"].replace(tzinfo=None)

    with pytest.raises(ValueError, match="stoppedAt"):
        fake.add_task({**record, "stoppedAt": naive})


def test_a_record_without_created_at_is_refused_where_it_is_added(
    fake: FakeEcs, client: ECSClient
) -> None:
    """Issue 12 turned this around: a record without createdAt used to be stored
    and served; now it is refused at the call, and nothing is stored."""
    record: dict[str, Any] = dict(TaskFactory(now=fake.clock.now()))
    del record["createdAt"]
    arn = str(record["taskArn"])

    with pytest.raises(ValueError, match="createdAt") as error:
        fake.add_task(record)

    assert str(error.value) == (
        "add_task(): the record has no createdAt; a Task record as DescribeTasks returns it "
        "always has taskArn, clusterArn, taskDefinitionArn, lastStatus, desiredStatus, "
        "createdAt, containers, version (build one with TaskFactory(...), or paste one from "
        "a real response)"
    )
    assert client.describe_tasks(tasks=[arn])["failures"][0]["reason"] == "MISSING"
    assert client.list_tasks()["taskArns"] == []


def test_the_state_report_after_a_long_run(fake: FakeEcs, client: ECSClient) -> None:
    gone = fake.run_task(runs_for=10)["taskArn"]
    fake.clock.advance(fake.retention + timedelta(minutes=5))
    kept = fake.run_task()["taskArn"]
    for _ in range(20):
        client.list_tasks()

    report = state_report(fake)

    assert task_id(kept) in report
    assert task_id(gone) not in report
    assert "ListTasks" in report


def test_stopped_at_of_an_added_record_may_be_in_any_time_zone(
    fake: FakeEcs, client: ECSClient
) -> None:
    east = timezone(timedelta(hours=9))
    record = TaskFactory(stopped=True, now=fake.clock.now())
    record["stoppedAt"] = record["stoppedAt"].astimezone(east)
    fake.add_task(record)
    region_state = fake._service.region_state(REGION)

    fake.clock.move_to(record["stoppedAt"] + fake.retention)
    client.list_clusters()
    assert held(region_state, record["taskArn"])
    fake.clock.advance(seconds=1)
    client.list_clusters()
    assert not held(region_state, record["taskArn"])


def test_the_timeline_feed_holds_only_what_is_still_to_come(fake: FakeEcs) -> None:
    """Events are bounded by events_limit, and the feed files only tasks that will still
    change: none once every task is RUNNING for ever or STOPPED, however often a stop
    moved a task's plan (superseded moments are compacted away)."""
    fake.create_cluster()
    feed = fake._service.feed
    for round_ in range(5):
        tasks = [fake.run_task(runs_for="10m") for _ in range(300)]
        fake.clock.advance(seconds=30)
        for task in tasks[::2]:
            fake.stop_task(task)  # moves each one's remaining moments
        assert feed.pending <= 300
        fake.clock.advance(minutes=15)
        assert feed.pending == 0
        assert len(feed._heap) <= 64, round_
        forever = fake.run_task()
        fake.clock.advance(minutes=1)
        assert fake.events_of(forever)[-1]["detail"]["lastStatus"] == "RUNNING"
        assert feed.pending == 0
    assert len(fake.events) == fake.events_limit == 1000
    assert feed.events_total > 5 * 300 * 9


def test_deleted_services_are_forgotten_an_hour_after_they_go_inactive(fake: FakeEcs) -> None:
    from .setups import create_service

    fake.create_cluster("web")
    ecs = fake.client()
    for number in range(20):
        create_service(ecs, cluster="web", serviceName=f"svc-{number}")
        ecs.delete_service(cluster="web", service=f"svc-{number}")
    assert ecs.describe_services(cluster="web", services=["svc-0"])["services"][0]["status"] == (
        "INACTIVE"
    )
    fake.clock.advance(minutes=61)
    answer = ecs.describe_services(cluster="web", services=["svc-0"])
    assert answer["services"] == [] and answer["failures"][0]["reason"] == "MISSING"
    [cluster] = fake._service.region_state(REGION).clusters["web"]
    assert cluster.services == {}
