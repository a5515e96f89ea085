"""Containers on their own timelines and RunTask's placement failures, through the
Python API (``run_task``, ``plan_runs``) and real boto3 clients."""

from __future__ import annotations

from typing import Any

import pytest
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs

from .setups import fargate_network, register_fargate

OOM = "OutOfMemoryError: Container killed due to memory usage"
APP_AND_SIDECAR: list[dict[str, Any]] = [
    {"name": "app", "image": "app:1", "essential": True},
    {"name": "sidecar", "image": "envoy", "essential": False},
]
CHECKED: list[dict[str, Any]] = [
    {
        "name": "app",
        "image": "app:1",
        "essential": True,
        "healthCheck": {"command": ["CMD-SHELL", "curl -f localhost"], "interval": 10},
    }
]


def describe(ecs: ECSClient, arn: str) -> Any:
    return ecs.describe_tasks(tasks=[arn])["tasks"][0]


def by_name(task: Any) -> dict[str, Any]:
    return {c["name"]: c for c in task["containers"]}


def test_an_out_of_memory_kill_stops_the_task_with_137_and_the_reason(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    arn = ecs_tasks.run_task(
        containers=APP_AND_SIDECAR,
        runs_for={"app": 60},
        exit_code={"app": 137},
        container_reason={"app": OOM},
    )["taskArn"]

    ecs_tasks.clock.advance(minutes=5)

    task = describe(ecs, arn)
    assert (task["lastStatus"], task["stopCode"]) == ("STOPPED", "EssentialContainerExited")
    app = by_name(task)["app"]
    assert (app["exitCode"], app["reason"]) == (137, OOM)


def test_a_sidecar_exits_on_its_own_while_the_task_runs_on(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    arn = ecs_tasks.run_task(
        containers=APP_AND_SIDECAR, runs_for={"sidecar": 30}, exit_code={"sidecar": 2}
    )["taskArn"]

    ecs_tasks.clock.advance(minutes=3)

    task = describe(ecs, arn)
    containers = by_name(task)
    assert task["lastStatus"] == "RUNNING"
    assert containers["app"]["lastStatus"] == "RUNNING"
    assert (containers["sidecar"]["lastStatus"], containers["sidecar"]["exitCode"]) == (
        "STOPPED",
        2,
    )


def test_health_follows_the_checks_and_turns_unhealthy_when_told(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    arn = ecs_tasks.run_task(containers=CHECKED, unhealthy_after={"app": 120})["taskArn"]

    first = describe(ecs, arn)["healthStatus"]
    ecs_tasks.clock.advance(minutes=2)
    healthy = describe(ecs, arn)
    ecs_tasks.clock.advance(minutes=5)
    unhealthy = describe(ecs, arn)

    assert first == "UNKNOWN"
    assert (healthy["healthStatus"], by_name(healthy)["app"]["healthStatus"]) == (
        "HEALTHY",
        "HEALTHY",
    )
    assert (unhealthy["healthStatus"], by_name(unhealthy)["app"]["healthStatus"]) == (
        "UNHEALTHY",
        "UNHEALTHY",
    )
    assert unhealthy["lastStatus"] == "RUNNING"  # a standalone task is not stopped for it


def test_plan_runs_reaches_the_code_under_tests_own_run_task(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    register_fargate(ecs, "web", CHECKED)
    ecs_tasks.plan_runs(unhealthy_after={"app": 60}, times=1)

    arn = ecs.run_task(
        taskDefinition="web", launchType="FARGATE", networkConfiguration=fargate_network()
    )["tasks"][0]["taskArn"]
    ecs_tasks.clock.advance(minutes=10)

    assert describe(ecs, arn)["healthStatus"] == "UNHEALTHY"


def test_a_placement_failure_answers_failures_and_starts_nothing(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster("ec2", container_instances=1)
    [instance] = ecs.list_container_instances(cluster="ec2")["containerInstanceArns"]
    ecs.register_task_definition(
        family="job", containerDefinitions=[{"name": "job", "image": "job:1", "memory": 128}]
    )
    ecs_tasks.plan_runs(placement_failure="RESOURCE:MEMORY", times=1)

    answer = ecs.run_task(cluster="ec2", taskDefinition="job", launchType="EC2")

    assert answer["tasks"] == []
    assert answer["failures"] == [{"arn": instance, "reason": "RESOURCE:MEMORY"}]
    assert ecs.list_tasks(cluster="ec2")["taskArns"] == []
    again = ecs.run_task(cluster="ec2", taskDefinition="job", launchType="EC2")
    assert len(again["tasks"]) == 1  # the plan was for one task


def test_fargate_capacity_shortage(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    register_fargate(ecs, "web", [{"name": "web", "image": "nginx"}])
    ecs_tasks.plan_runs(placement_failure="CAPACITY", times=1)

    answer = ecs.run_task(
        taskDefinition="web", launchType="FARGATE", networkConfiguration=fargate_network()
    )

    assert answer["tasks"] == []
    assert [f["reason"] for f in answer["failures"]] == [
        "Capacity is unavailable at this time. Please try again later or in a different "
        "availability zone"
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"unhealthy_after": {"app": "soon"}},
            ValueError,
            "unhealthy_after['app']='soon': ",
        ),
        (
            {"unhealthy_after": 120},
            TypeError,
            "unhealthy_after=120: give a dict by container name, like {'app': ...}",
        ),
        ({"container_reason": {"app": 3}}, TypeError, "container_reason['app']=3: give a str"),
        ({"runs_for": {"app": -1}}, ValueError, "runs_for['app']=-1: "),
        ({"placement_failure": "NOPE"}, ValueError, "placement_failure='NOPE'; valid: "),
    ],
)
def test_plan_runs_checks_its_arguments_where_given(
    ecs_tasks: FakeEcs, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        ecs_tasks.plan_runs(**kwargs)

    assert str(raised.value).startswith(message)
    assert ecs_tasks._service.run_plans == []  # nothing half-planned


def test_unhealthy_after_needs_a_health_check(ecs_tasks: FakeEcs) -> None:
    with pytest.raises(ValueError, match="the container has no healthCheck"):
        ecs_tasks.run_task(containers=APP_AND_SIDECAR, unhealthy_after={"app": 60})


def test_depends_on_orders_start_up(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    containers: list[dict[str, Any]] = [
        {"name": "migrate", "image": "migrate:1", "essential": False},
        {
            "name": "app",
            "image": "app:1",
            "essential": True,
            "dependsOn": [{"containerName": "migrate", "condition": "SUCCESS"}],
        },
    ]
    arn = ecs_tasks.run_task(containers=containers, runs_for={"migrate": 45})["taskArn"]

    ecs_tasks.clock.advance(seconds=50)
    waiting = by_name(describe(ecs, arn))
    ecs_tasks.clock.advance(minutes=2)
    started = describe(ecs, arn)

    assert waiting["migrate"]["lastStatus"] == "RUNNING"
    assert waiting["app"]["lastStatus"] == "PENDING"  # it waits for migrate to succeed
    assert started["lastStatus"] == "RUNNING"
    migrate, app = by_name(started)["migrate"], by_name(started)["app"]
    assert (migrate["lastStatus"], migrate["exitCode"]) == ("STOPPED", 0)
    assert app["lastStatus"] == "RUNNING"
