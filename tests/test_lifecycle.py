"""Tasks walk their lifecycle as the clock moves, seen through a real boto3 client."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs, _lifecycle_constants, _timeline
from pytest_ecs_tasks import _lifecycle as lifecycle
from pytest_ecs_tasks._clock import Clock

from .consistency import ORDER, assert_consistent_task, assert_valid_response
from .floors import assert_on_floor_1
from .setups import fargate_network, register_fargate


def one(client: ECSClient, arn: str) -> dict[str, Any]:
    response: dict[str, Any] = dict(client.describe_tasks(tasks=[arn]))
    response.pop("ResponseMetadata")
    assert_valid_response("DescribeTasks", response)
    (task,) = response["tasks"]
    assert_consistent_task(task)
    return dict(task)


def test_fargate_task_walks_every_stage(
    ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient
) -> None:
    created = ecs_clock.now()
    arn = ecs_tasks.run_task(runs_for=5, exit_code=0)["taskArn"]
    seen: list[tuple[str, str, int]] = []
    timestamps: list[str] = []
    for _ in range(1000):
        task = one(ecs, arn)
        stage = (task["lastStatus"], task["desiredStatus"], task["version"])
        if not seen or seen[-1] != stage:
            seen.append(stage)
        timestamps += [k for k in ORDER if k in task and k not in timestamps]
        if task["lastStatus"] == "STOPPED":
            break
        ecs_clock.advance(seconds=0.1)
    assert seen == [
        ("PROVISIONING", "RUNNING", 1),
        ("PENDING", "RUNNING", 2),
        ("ACTIVATING", "RUNNING", 3),
        ("RUNNING", "RUNNING", 4),
        ("RUNNING", "STOPPED", 5),  # stop requested: lastStatus has not moved yet
        ("DEACTIVATING", "STOPPED", 6),
        ("STOPPING", "STOPPED", 7),
        ("DEPROVISIONING", "STOPPED", 8),
        ("STOPPED", "STOPPED", 9),
    ]
    assert timestamps == list(ORDER)  # each appears in lifecycle order
    task = one(ecs, arn)
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["stoppedReason"] == "Essential container in task exited"
    assert task["createdAt"] == created
    assert task["startedAt"] - created < timedelta(minutes=1)
    assert task["stoppedAt"] - task["executionStoppedAt"] < timedelta(minutes=2)
    assert task["executionStoppedAt"].microsecond == 0
    assert task["connectivity"] == "CONNECTED"
    assert task["attachments"][0]["status"] == "DELETED"
    assert task["containers"][0]["exitCode"] == 0


def test_running_within_one_minute(ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient) -> None:
    created = ecs_tasks.run_task()
    assert created["lastStatus"] == "PROVISIONING"
    assert created["desiredStatus"] == "RUNNING"
    assert "runtimeId" not in created["containers"][0]
    assert created["containers"][0]["lastStatus"] == "PENDING"
    ecs_clock.advance(minutes=1)
    task = one(ecs, created["taskArn"])
    assert task["lastStatus"] == "RUNNING"
    container = task["containers"][0]
    assert container["lastStatus"] == "RUNNING"
    assert container["runtimeId"].startswith(task["taskArn"].rsplit("/", 1)[1] + "-")
    assert "exitCode" not in container


def test_runs_until_stopped(ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient) -> None:
    arn = ecs_tasks.run_task()["taskArn"]
    ecs_clock.advance(timedelta(days=3))
    assert one(ecs, arn)["lastStatus"] == "RUNNING"


def test_exit_codes_by_container(ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient) -> None:
    arn = ecs_tasks.run_task(
        containers=[{"name": "app", "image": "app:1"}, {"name": "sidecar", "essential": False}],
        runs_for=30,
        exit_code={"app": 2},
    )["taskArn"]
    ecs_clock.advance(minutes=3)
    task = one(ecs, arn)
    assert [(c["name"], c["exitCode"]) for c in task["containers"]] == [("app", 2), ("sidecar", 0)]


def test_int_exit_code_is_the_essential_containers(
    ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient
) -> None:
    arn = ecs_tasks.run_task(
        containers=[{"name": "app"}, {"name": "sidecar", "essential": False}],
        runs_for=30,
        exit_code=1,
    )["taskArn"]
    ecs_clock.advance(minutes=3)
    assert [c["exitCode"] for c in one(ecs, arn)["containers"]] == [1, 0]


def test_fail_to_start(ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient) -> None:
    reason = "CannotPullContainerError: pull access denied for nope"
    arn = ecs_tasks.run_task(fail_to_start=reason)["taskArn"]
    ecs_clock.advance(minutes=3)
    task = one(ecs, arn)
    assert task["lastStatus"] == "STOPPED"
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"] == reason
    assert "startedAt" not in task
    assert all("exitCode" not in c for c in task["containers"])


def test_stop_task_through_boto3(ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient) -> None:
    arn = ecs_tasks.run_task(tags={"a": "b"})["taskArn"]
    ecs_clock.advance(minutes=1)
    answer = ecs.stop_task(task=arn, reason="deploy")["task"]
    assert answer["desiredStatus"] == "STOPPED"
    assert answer["lastStatus"] == "RUNNING"
    assert answer["stopCode"] == "UserInitiated"
    assert answer["stoppedReason"] == "deploy"
    assert answer["stoppingAt"] == ecs_clock.now()
    ecs_clock.advance(minutes=2)
    task = one(ecs, arn)
    assert task["lastStatus"] == "STOPPED"
    assert [c["exitCode"] for c in task["containers"]] == [143]
    # a second stop changes nothing
    assert ecs.stop_task(task=arn)["task"]["stoppedReason"] == "deploy"


def test_stop_task_default_reason_and_unknown_task(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    arn = ecs_tasks.run_task()["taskArn"]
    assert ecs.stop_task(task=arn)["task"]["stoppedReason"] == "Task stopped by user"
    with pytest.raises(ClientError) as exc:
        ecs.stop_task(task="0123456789abcdef0123456789abcdef")
    assert exc.value.response["Error"] == {
        "Code": "InvalidParameterException",
        "Message": "The referenced task was not found.",
    }


def test_stop_before_running_has_no_exit_codes(
    ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient
) -> None:
    arn = ecs_tasks.run_task()["taskArn"]
    ecs_tasks.stop_task(arn)
    ecs_clock.advance(minutes=2)
    task = one(ecs, arn)
    assert task["lastStatus"] == "STOPPED"
    assert "startedAt" not in task
    assert all("exitCode" not in c for c in task["containers"])


def test_boto3_run_task_uses_every_container_of_the_task_definition(
    ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient
) -> None:
    ecs.register_task_definition(
        family="etl",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="512",
        memory="1024",
        containerDefinitions=[
            {"name": "job", "image": "etl:3", "essential": True},
            {"name": "log-router", "image": "fluent-bit", "essential": False, "memory": 64},
        ],
    )
    response = ecs.run_task(
        taskDefinition="etl",
        launchType="FARGATE",
        startedBy="airflow",
        networkConfiguration=fargate_network(),
        overrides={"containerOverrides": [{"name": "job", "command": ["run"]}]},
    )
    (task,) = response["tasks"]
    assert response["failures"] == []
    assert task["taskDefinitionArn"] == "arn:aws:ecs:us-east-1:123456789012:task-definition/etl:1"
    assert [(c["name"], c["image"]) for c in task["containers"]] == [
        ("job", "etl:3"),
        ("log-router", "fluent-bit"),
    ]
    assert task["containers"][1]["memory"] == "64"
    assert (task["cpu"], task["memory"]) == ("512", "1024")
    assert task["group"] == "family:etl"
    assert task["startedBy"] == "airflow"
    assert task["overrides"]["containerOverrides"] == [
        {"name": "job", "command": ["run"]},
        {"name": "log-router"},
    ]
    ecs_clock.advance(hours=5)
    assert one(ecs, task["taskArn"])["lastStatus"] == "RUNNING"  # runs until stopped


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        ({"taskDefinition": "nope:1"}, "ClientException", "TaskDefinition not found."),
        (
            {"taskDefinition": "web", "cluster": "nope"},
            "ClusterNotFoundException",
            "Cluster not found.",
        ),
        (
            {"taskDefinition": "web", "launchType": "FARGATE"},
            "InvalidParameterException",
            "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        ),
        (
            {"taskDefinition": "web", "count": 11},
            "InvalidParameterException",
            "count must be between 1 and 10.",
        ),
    ],
)
def test_run_task_errors(ecs: ECSClient, kwargs: dict[str, Any], code: str, message: str) -> None:
    # Fargate-compatible (FARGATE, awsvpc, task-level cpu and memory): the launch type is
    # supported, so what RunTask misses is the network configuration awsvpc needs.
    register_fargate(ecs, "web", [{"name": "web", "image": "nginx", "memory": 128}])
    with pytest.raises(ClientError) as exc:
        ecs.run_task(**kwargs)
    assert exc.value.response["Error"] == {"Code": code, "Message": message}


def test_waiter_tasks_stopped_in_virtual_time(
    ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient
) -> None:
    arn = ecs_tasks.run_task(runs_for=timedelta(minutes=5))["taskArn"]
    start = ecs_clock.now()
    wall = time.perf_counter()
    ecs.get_waiter("tasks_stopped").wait(tasks=[arn])
    assert time.perf_counter() - wall < 5  # no real sleeping (a real one would take 5+ minutes)
    moved = ecs_clock.now() - start
    assert timedelta(minutes=5) < moved < timedelta(minutes=7)
    assert moved.total_seconds() % 6 == 0  # the waiter's 6-second delays


def test_waiter_gives_up_after_100_attempts(
    ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient
) -> None:
    arn = ecs_tasks.run_task(runs_for=timedelta(minutes=20))["taskArn"]
    start = ecs_clock.now()
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        ecs.get_waiter("tasks_stopped").wait(tasks=[arn])
    assert ecs_clock.now() - start == timedelta(seconds=6 * 99)


def test_waiter_tasks_running(ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient) -> None:
    arn = ecs_tasks.run_task()["taskArn"]
    ecs.get_waiter("tasks_running").wait(tasks=[arn])
    assert one(ecs, arn)["lastStatus"] == "RUNNING"
    assert ecs_clock.now() - one(ecs, arn)["createdAt"] < timedelta(minutes=1)


def test_waiter_tasks_running_fails_on_stopped_and_missing(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    arn = ecs_tasks.run_task(fail_to_start="CannotPullContainerError: nope")["taskArn"]
    with pytest.raises(WaiterError, match="Waiter encountered a terminal failure state"):
        ecs.get_waiter("tasks_running").wait(tasks=[arn])
    with pytest.raises(WaiterError, match="Waiter encountered a terminal failure state"):
        ecs.get_waiter("tasks_running").wait(tasks=["0123456789abcdef0123456789abcdef"])


def test_waiter_tasks_stopped_times_out_on_an_expired_task(
    ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient
) -> None:
    arn = ecs_tasks.run_task(runs_for=0)["taskArn"]
    ecs_clock.advance(hours=2)
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        ecs.get_waiter("tasks_stopped").wait(tasks=[arn], WaiterConfig={"MaxAttempts": 3})


def start_job(ecs: ECSClient) -> str:
    """RunTask, as a caller does, of the Fargate definition "job": the task's ARN."""
    answer = ecs.run_task(
        taskDefinition="job", launchType="FARGATE", networkConfiguration=fargate_network()
    )
    return answer["tasks"][0]["taskArn"]


def test_plan_runs_decides_how_boto3_started_tasks_end(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    register_fargate(ecs, "job", [{"name": "job", "image": "job:1", "memory": 128}])
    ecs_tasks.plan_runs(runs_for=120, exit_code=3, times=1)
    ecs_tasks.plan_runs(fail_to_start="CannotPullContainerError: nope", times=1)
    first, second, third = (start_job(ecs) for _ in range(3))
    ecs.get_waiter("tasks_stopped").wait(tasks=[first, second])
    assert one(ecs, first)["containers"][0]["exitCode"] == 3
    assert one(ecs, second)["stopCode"] == "TaskFailedToStart"
    assert one(ecs, third)["lastStatus"] == "RUNNING"  # plans used up: runs until stopped


def test_counted_plans_come_before_the_standing_plan(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    register_fargate(ecs, "job", [{"name": "job", "image": "job:1", "memory": 128}])
    ecs_tasks.plan_runs(runs_for=60)  # every task from now on ...
    ecs_tasks.plan_runs(runs_for=60, exit_code=3, times=1)  # ... but the next one fails
    first, second = (start_job(ecs) for _ in range(2))
    ecs_tasks.plan_runs(runs_for=60, exit_code=7)  # a newer standing plan replaces the old
    third = start_job(ecs)
    ecs.get_waiter("tasks_stopped").wait(tasks=[first, second, third])
    assert [one(ecs, arn)["containers"][0]["exitCode"] for arn in (first, second, third)] == [
        3,
        0,
        7,
    ]
    assert len(ecs_tasks._service.run_plans) == 1  # used-up plans are not kept


def test_plan_runs_argument_errors(ecs_tasks: FakeEcs) -> None:
    with pytest.raises(ValueError, match="times must be a positive int or None"):
        ecs_tasks.plan_runs(runs_for=1, times=0)
    with pytest.raises(TypeError, match="unknown timing 'pul'"):
        ecs_tasks.plan_runs(pul=1)


def test_stopped_comes_deprovisioning_after_the_containers_exit(
    ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient
) -> None:
    arn = ecs_tasks.run_task(runs_for=60)["taskArn"]
    ecs_clock.advance(minutes=5)
    task = one(ecs, arn)
    assert task["stoppedAt"] - task["executionStoppedAt"] == timedelta(seconds=23.3)


# -- the module and its parts -----------------------------------------------------------------

FLOOR_1 = {"_arns", "_clock", "_model", "_lifecycle_constants", "_timeline"}


def test_lifecycle_names_stay_in_lifecycle_and_its_parts_stay_on_floor_1() -> None:
    # every name the package reads as lifecycle.X, wherever it lives now
    for name in (
        *lifecycle.__all__,
        "DESIRED_STATUSES",
        "EC2_TIMINGS",
        "TIMELINE_TASK_MEMBERS",
        "STARTED_CONTAINER_MEMBERS",
    ):
        assert hasattr(lifecycle, name), name
    assert lifecycle.Timeline is _timeline.Timeline
    assert lifecycle.STOP_CODES is _lifecycle_constants.STOP_CODES
    # floor 1: the standard library and floor-1 modules only, nothing heavy to import
    for module in (lifecycle, _timeline, _lifecycle_constants):
        assert_on_floor_1(module, FLOOR_1)
