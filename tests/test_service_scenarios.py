"""The deploy scenarios (``failure_scenarios(operation="UpdateService")``): each
arranges a service at a steady state and what its next deploy meets; the code under
test starts the deploy with boto3's ``update_service`` and waits as deploy tools do."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import WaiterError

from pytest_ecs_tasks import FakeEcs, Scenario, failure_scenarios


def deploy(ecs_tasks: FakeEcs, scenario: Scenario) -> tuple[dict[str, Any], bool]:
    """Arrange ``scenario``, deploy, wait with services_stable: the service, and whether
    the waiter saw it stable."""
    arranged = scenario.arrange(ecs_tasks)
    assert arranged.service is not None
    ecs = ecs_tasks.client()
    ecs.update_service(**arranged.update_service_request)
    try:
        ecs.get_waiter("services_stable").wait(
            cluster=arranged.cluster, services=[arranged.service]
        )
        stable = True
    except WaiterError:
        stable = False
    ecs_tasks.clock.advance(minutes=2)
    answer: Any = ecs.describe_services(cluster=arranged.cluster, services=[arranged.service])
    service: dict[str, Any] = answer["services"][0]
    return service, stable


def log(service: dict[str, Any]) -> list[str]:
    return [e["message"] for e in reversed(service["events"])]


def test_the_deploy_scenarios_are_listed_for_update_service() -> None:
    names = [p.id for p in failure_scenarios(operation="UpdateService")]
    assert names == [
        "deployment-completes",
        "deployment-rolled-back",
        "deployment-stuck",
        "task-replaced",
    ]
    with pytest.raises(ValueError, match="valid: 'DescribeTasks', 'RunTask', 'UpdateService'"):
        failure_scenarios(operation="CreateService")  # type: ignore[arg-type]


@pytest.mark.parametrize("scenario", failure_scenarios("deployment-completes", "task-replaced"))
def test_a_deploy_that_completes(ecs_tasks: FakeEcs, scenario: Scenario) -> None:
    service, stable = deploy(ecs_tasks, scenario)
    assert stable
    [deployment] = service["deployments"]
    assert deployment["rolloutState"] == "COMPLETED"
    assert service["taskDefinition"].endswith("web:2")
    assert service["runningCount"] == service["desiredCount"] == 2
    assert log(service)[-1] == "(service web) has reached a steady state."
    stopped = ecs_tasks.client().list_tasks(
        cluster="deploy", serviceName="web", desiredStatus="STOPPED"
    )["taskArns"]
    exits = [
        c.get("exitCode")
        for t in ecs_tasks.client().describe_tasks(cluster="deploy", tasks=stopped)["tasks"]
        for c in t["containers"]
        if t["stopCode"] == "EssentialContainerExited"
    ]
    assert exits == ([1] if scenario.name == "task-replaced" else [])


@pytest.mark.parametrize("scenario", failure_scenarios("deployment-rolled-back"))
def test_a_deploy_rolled_back(ecs_tasks: FakeEcs, scenario: Scenario) -> None:
    service, stable = deploy(ecs_tasks, scenario)
    assert stable  # the rollback is a steady state again
    [deployment] = service["deployments"]
    assert deployment["rolloutState"] == "COMPLETED"
    assert service["taskDefinition"].endswith("web:1")
    messages = log(service)
    assert any(m.endswith("deployment failed: tasks failed to start.") for m in messages)
    assert any(m.startswith("(service web) rolling back to deployment ecs-svc/") for m in messages)


@pytest.mark.parametrize("scenario", failure_scenarios("deployment-stuck"))
def test_a_deploy_stuck(ecs_tasks: FakeEcs, scenario: Scenario) -> None:
    service, stable = deploy(ecs_tasks, scenario)
    assert not stable
    primary, old = service["deployments"]
    assert (primary["rolloutState"], old["runningCount"]) == ("IN_PROGRESS", 2)
    assert "(service web) is unable to consistently start tasks successfully." in log(service)
