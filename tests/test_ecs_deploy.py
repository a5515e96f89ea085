"""fabfuel's ecs-deploy (``ecs deploy <cluster> <service> --tag <t>``), unchanged, against
the fake's ECS services.

The CLI runs in-process (its click command ``ecs_deploy.cli.ecs``, through click's
``CliRunner``), so the boto3 clients it makes are answered by the fake. It reads the
service and its task definition, registers a copy with every image retagged (the next
revision of the family), calls UpdateService with it, then polls DescribeServices,
ListTasks and DescribeTasks once a second (``from time import sleep`` in
``ecs_deploy.cli``) until the service's one deployment runs its desired count of tasks
of the new revision; after success it deregisters the previous revision.
``clock.sleeps_in("ecs_deploy.cli")`` turns those sleeps into moves of the fake clock,
so a deployment of a minute and more of virtual time takes well under a wall second.

ecs-deploy is never a dependency of this project: without it, this module is skipped.
(Checked with ecs-deploy 1.17.0, click 8.5.1, boto3 1.40.61, moto 5.2.5.)
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from tests.consistency import assert_valid_response
from tests.setups import fargate_network, register_fargate

pytest.importorskip("ecs_deploy")
ecs_deploy_cli = pytest.importorskip("ecs_deploy.cli")

# click comes with ecs-deploy: imported once it is known to be there
from click.testing import CliRunner, Result  # noqa: E402

CLUSTER = "prod"
SERVICE = "web"
IMAGE = "registry.example.com/web"
#: What ecs-deploy registers for ``--tag 2.0``: the family's next revision (the service
#: runs web:1, the family's only one), with every image retagged to 2.0.
NEW_REVISION = "web:2"
PULL_ERROR = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to "
    f"resolve ref {IMAGE}:2.0: {IMAGE}:2.0: not found"
)
#: ecs-deploy's ``--sleep-time`` default: the virtual seconds between two polls.
POLL = timedelta(seconds=1)
#: ``--timeout`` counts *wall* seconds: ecs-deploy compares ``datetime.now()`` with its
#: start, and virtual sleeps do not move that. Its default, 300, would let a deployment
#: the fake never finished poll for five real minutes (moving the fake clock a second
#: a poll, hours of virtual time); 30 bounds that to a prompt failure ("Deployment
#: failed due to timeout") while leaving a slow machine ample room: each deployment
#: here takes well under a wall second, whatever its virtual duration.
TIMEOUT = "30"
#: A few wall seconds at most, where a real ecs-deploy run would wait its minute and more.
WALL_SECONDS = 20
#: "the service scheduler will wait for 40 seconds after a task reaches a RUNNING
#: state before the task is counted towards the minimum healthy percent total" (API
#: reference): no deployment of these tasks (no health checks) completes sooner.
HEALTHY_AFTER = timedelta(seconds=40)


def create_service(ecs_tasks: FakeEcs, ecs: ECSClient, **deployment_configuration: Any) -> None:
    """Cluster ``prod`` and its Fargate service ``web``: two tasks of ``web:1`` (image
    ``...web:1.0``), run to a steady state (its first deployment COMPLETED)."""
    ecs_tasks.create_cluster(CLUSTER)
    register_fargate(ecs, "web", [{"name": "app", "image": f"{IMAGE}:1.0", "essential": True}])
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=SERVICE,
        taskDefinition="web:1",
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration=fargate_network(),
        deploymentConfiguration=deployment_configuration,  # type: ignore[arg-type]
    )
    ecs_tasks.clock.advance(minutes=2)
    [deployment] = describe(ecs)["deployments"]
    assert (deployment["rolloutState"], deployment["runningCount"]) == ("COMPLETED", 2)


def describe(ecs: ECSClient) -> dict[str, Any]:
    answer: Any = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])
    answer.pop("ResponseMetadata")
    assert_valid_response("DescribeServices", answer)
    found: dict[str, Any] = answer["services"][0]
    return found


def messages(service: dict[str, Any]) -> list[str]:
    """The service's events, oldest first."""
    return [e["message"] for e in reversed(service["events"])]


def running_revisions(ecs: ECSClient) -> list[str]:
    """The task definition (``family:revision``) of each of the service's RUNNING tasks."""
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=SERVICE)["taskArns"]
    tasks = ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []
    return sorted(
        t["taskDefinitionArn"].rsplit("/", 1)[1] for t in tasks if t["lastStatus"] == "RUNNING"
    )


def revision_status(ecs: ECSClient, revision: str) -> str:
    return ecs.describe_task_definition(taskDefinition=revision)["taskDefinition"]["status"]


def ecs_deploy(ecs_tasks: FakeEcs, *more: str) -> tuple[Result, float]:
    """``ecs deploy prod web --tag 2.0 --timeout 30 [more]``, its sleeps on the fake
    clock: the CLI's result and the wall seconds it took."""
    arguments = ["deploy", CLUSTER, SERVICE, "--tag", "2.0", "--timeout", TIMEOUT, *more]
    wall = time.monotonic()
    with ecs_tasks.clock.sleeps_in("ecs_deploy.cli"):
        result = CliRunner().invoke(ecs_deploy_cli.ecs, arguments)
    return result, time.monotonic() - wall


def assert_stopped_polling_at(ecs_tasks: FakeEcs, moment: datetime) -> None:
    """ecs-deploy polled in virtual time up to ``moment`` (when the deployment completed
    or failed) and stopped at its first poll after it: the clock moved by the
    deployment's duration, no more."""
    assert moment <= ecs_tasks.clock.now() < moment + POLL


def test_a_healthy_revision_is_deployed_and_reported_successful_in_virtual_time(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    create_service(ecs_tasks, ecs)
    before = ecs_tasks.clock.now()

    result, wall_seconds = ecs_deploy(ecs_tasks)

    assert result.exit_code == 0, result.output
    assert "Deploying based on task definition: web:1" in result.output
    assert f'Changed image of container "app" to: "{IMAGE}:2.0"' in result.output
    assert "Successfully created revision: 2" in result.output
    assert f"Successfully changed task definition to: {NEW_REVISION}" in result.output
    assert "Deployment successful" in result.output
    assert "Successfully deregistered revision: 1" in result.output
    service = describe(ecs)
    assert service["taskDefinition"].endswith(f":task-definition/{NEW_REVISION}")
    [deployment] = service["deployments"]
    assert (deployment["status"], deployment["rolloutState"]) == ("PRIMARY", "COMPLETED")
    assert deployment["taskDefinition"] == service["taskDefinition"]
    assert (deployment["desiredCount"], deployment["runningCount"]) == (2, 2)
    assert running_revisions(ecs) == [NEW_REVISION, NEW_REVISION]
    assert messages(service)[-1] == f"(service {SERVICE}) has reached a steady state."
    # the new image really is what runs; web:1 was deregistered by ecs-deploy after success
    new = ecs.describe_task_definition(taskDefinition=NEW_REVISION)["taskDefinition"]
    assert new["containerDefinitions"][0]["image"] == f"{IMAGE}:2.0"
    assert revision_status(ecs, "web:1") == "INACTIVE"
    # Virtual time: the rolling deployment (start two web:2 tasks, count them healthy 40 s
    # after they run, stop the web:1 ones) took over a minute of the fake clock, which
    # ecs-deploy's one-second polls moved until it completed; in wall time, a few seconds
    # at most (its own "Duration: N sec" is wall time too).
    completed = deployment["updatedAt"]
    assert completed - deployment["createdAt"] >= HEALTHY_AFTER
    assert deployment["createdAt"] == before
    assert_stopped_polling_at(ecs_tasks, completed)
    assert ecs_tasks.clock.now() - before > timedelta(minutes=1)
    assert wall_seconds < WALL_SECONDS


def test_a_revision_the_circuit_breaker_rolls_back_is_reported_successful(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    """The gap ecs-deploy has on real ECS (fabfuel/ecs-deploy#185, open): its only check of
    the deployment's state is whether the PRIMARY deployment's rolloutState is FAILED.
    When the circuit breaker rolls back, the failed deployment stops being PRIMARY at that
    moment: the rolled-back one (web:1) is PRIMARY again, and the service's taskDefinition
    web:1. ecs-deploy then waits for one deployment running the desired count of tasks of
    the service's taskDefinition, which the rollback provides, and reports "Deployment
    successful", then deregisters web:1, the revision the service runs after all. Exactly
    what #185 reports from real ECS ("ecs deploy CLI notes `Deployment successful` and
    de-registers the active revision"); this test pins that the fake answers so that
    ecs-deploy does the same. The one sign of trouble in its output is its warning that
    tasks failed to start (the PRIMARY's failedTasks while web:2 was PRIMARY)."""
    create_service(ecs_tasks, ecs, deploymentCircuitBreaker={"enable": True, "rollback": True})
    ecs_tasks.plan_runs(fail_to_start=PULL_ERROR, task_definition=NEW_REVISION)

    result, wall_seconds = ecs_deploy(ecs_tasks)

    assert f"Successfully changed task definition to: {NEW_REVISION}" in result.output
    assert "tasks failed to start" in result.output
    assert result.exit_code == 0, result.output
    assert "Deployment successful" in result.output
    assert "Deployment Failed!" not in result.output
    service = describe(ecs)
    assert service["taskDefinition"].endswith(":task-definition/web:1")
    [deployment] = service["deployments"]
    assert (deployment["status"], deployment["rolloutState"]) == ("PRIMARY", "COMPLETED")
    assert deployment["taskDefinition"] == service["taskDefinition"]
    assert running_revisions(ecs) == ["web:1", "web:1"]
    events = messages(service)
    assert any(m.endswith("deployment failed: tasks failed to start.") for m in events)
    assert any(" rolling back to deployment " in m for m in events)
    # the service runs web:1, which ecs-deploy has just deregistered (as in #185)
    assert revision_status(ecs, "web:1") == "INACTIVE"
    assert revision_status(ecs, NEW_REVISION) == "ACTIVE"
    assert_stopped_polling_at(ecs_tasks, deployment["updatedAt"])
    assert wall_seconds < WALL_SECONDS


def test_a_revision_the_circuit_breaker_fails_without_rollback_fails_the_deployment(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    """Without rollback the failed deployment stays PRIMARY with rolloutState FAILED:
    ecs-deploy's check fires at its next poll, with the deployment's rolloutStateReason."""
    create_service(ecs_tasks, ecs, deploymentCircuitBreaker={"enable": True, "rollback": False})
    ecs_tasks.plan_runs(fail_to_start=PULL_ERROR, task_definition=NEW_REVISION)

    result, wall_seconds = ecs_deploy(ecs_tasks)

    assert result.exit_code == 1, result.output
    assert (
        "Deployment Failed! ECS deployment circuit breaker: tasks failed to start." in result.output
    )
    assert "Deployment successful" not in result.output
    service = describe(ecs)
    primary, previous = service["deployments"]
    assert primary["taskDefinition"].endswith(f":task-definition/{NEW_REVISION}")
    assert (primary["status"], primary["rolloutState"]) == ("PRIMARY", "FAILED")
    assert primary["failedTasks"] >= 3  # the threshold for a desired count of 2
    # web:1's tasks keep running (minimumHealthyPercent 100 never let them stop), and
    # ecs-deploy deregisters nothing after a failure
    assert previous["taskDefinition"].endswith(":task-definition/web:1")
    assert (previous["status"], previous["runningCount"]) == ("ACTIVE", 2)
    assert running_revisions(ecs) == ["web:1", "web:1"]
    assert revision_status(ecs, "web:1") == "ACTIVE"
    assert_stopped_polling_at(ecs_tasks, primary["updatedAt"])
    assert wall_seconds < WALL_SECONDS


def test_without_the_circuit_breaker_the_throttle_event_fails_it_and_its_own_rollback_runs(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    """Without the circuit breaker the scheduler keeps retrying web:2, further and
    further apart, and writes the service throttle logic's event "(service web) is
    unable to consistently start tasks successfully." (the developer guide's text).
    ecs-deploy fails a deployment on any event containing "unable" stamped after the
    PRIMARY deployment's createdAt and before the *wall* clock's now: the fake clock
    starts on 2024-01-01, in the wall clock's past, so the fake's events qualify (a fake
    clock moved past the wall clock would have them ignored). With ``--rollback`` it then
    deploys web:1 again itself (a new deployment, new tasks) and deregisters web:2."""
    create_service(ecs_tasks, ecs)
    ecs_tasks.plan_runs(fail_to_start=PULL_ERROR, task_definition=NEW_REVISION)
    before = ecs_tasks.clock.now()

    result, wall_seconds = ecs_deploy(ecs_tasks, "--rollback")

    throttled = f"(service {SERVICE}) is unable to consistently start tasks successfully."
    assert f"ERROR: {throttled}" in result.output
    assert "Deployment failed" in result.output
    assert "Rolling back to task definition: web:1" in result.output
    assert "Rollback successful" in result.output
    assert "Successfully deregistered revision: 2" in result.output
    assert "service has been rolled back to previous task definition: web:1" in result.output
    assert result.exit_code == 1, result.output
    service = describe(ecs)
    assert service["taskDefinition"].endswith(":task-definition/web:1")
    [deployment] = service["deployments"]
    assert (deployment["status"], deployment["rolloutState"]) == ("PRIMARY", "COMPLETED")
    assert deployment["createdAt"] > before  # ecs-deploy's UpdateService back to web:1
    assert running_revisions(ecs) == ["web:1", "web:1"]
    assert throttled in messages(service)
    assert (revision_status(ecs, "web:1"), revision_status(ecs, NEW_REVISION)) == (
        "ACTIVE",
        "INACTIVE",
    )
    assert_stopped_polling_at(ecs_tasks, deployment["updatedAt"])
    assert wall_seconds < WALL_SECONDS
