"""The failure catalogue, fault injection and retries in virtual time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import Arranged, FakeEcs, Scenario, failure_scenarios
from pytest_ecs_tasks._clock import Clock
from pytest_ecs_tasks._scenarios import scenario_names

from .consistency import assert_consistent_task, assert_valid_response

REQUIRED = [
    "task-missing",
    "task-expired",
    "wrong-cluster",
    "partial-missing",
    "eventual-consistency",
    "cluster-not-found",
    "cluster-deleted",
    "cluster-recreated",
    "failed-to-start",
    "essential-container-exited",
    "spot-interrupted",
    "user-stopped",
    "throttled",
    "access-denied",
    "server-error",
    "too-many-tasks",
    "empty-tasks",
]


def only_missing(response: dict[str, Any], arranged_tasks: list[str]) -> None:
    assert response["tasks"] == []
    assert [f["reason"] for f in response["failures"]] == ["MISSING"] * len(arranged_tasks)
    assert all("detail" not in f for f in response["failures"])


def stopped(code: str) -> Callable[[dict[str, Any], list[str]], dict[str, Any]]:
    def check(response: dict[str, Any], arranged_tasks: list[str]) -> dict[str, Any]:
        (task,) = response["tasks"]
        assert response["failures"] == []
        assert task["lastStatus"] == "STOPPED"
        assert task["stopCode"] == code
        return dict(task)

    return check


def check_partial(response: dict[str, Any], tasks: list[str]) -> None:
    assert [t["taskArn"] for t in response["tasks"]] == [tasks[0], tasks[2]]
    assert [f["reason"] for f in response["failures"]] == ["MISSING"]
    assert response["failures"][0]["arn"].endswith(tasks[1])


def check_failed_to_start(response: dict[str, Any], tasks: list[str]) -> None:
    task = stopped("TaskFailedToStart")(response, tasks)
    assert task["stoppedReason"].startswith("CannotPullContainerError:")
    assert "startedAt" not in task
    assert all("exitCode" not in c for c in task["containers"])


def check_essential(response: dict[str, Any], tasks: list[str]) -> None:
    task = stopped("EssentialContainerExited")(response, tasks)
    assert task["containers"][0]["exitCode"] == 1


def check_spot(response: dict[str, Any], tasks: list[str]) -> None:
    task = stopped("SpotInterruption")(response, tasks)
    assert task["capacityProviderName"] == "FARGATE_SPOT"
    assert {c["exitCode"] for c in task["containers"]} == {143}


def check_user(response: dict[str, Any], tasks: list[str]) -> None:
    task = stopped("UserInitiated")(response, tasks)
    assert task["stoppedReason"] == "Stopped by the on-call engineer"
    assert {c["exitCode"] for c in task["containers"]} == {143}


def check_scheduler(response: dict[str, Any], tasks: list[str]) -> None:
    task = stopped("ServiceSchedulerInitiated")(response, tasks)
    assert task["stoppedReason"].startswith("Task failed ELB health checks in")


def check_oom(response: dict[str, Any], tasks: list[str]) -> None:
    (container,) = stopped("EssentialContainerExited")(response, tasks)["containers"]
    assert container["exitCode"] == 137
    assert container["reason"] == "OutOfMemoryError: Container killed due to memory usage"


def check_no_exit_code(response: dict[str, Any], tasks: list[str]) -> None:
    task = stopped("EssentialContainerExited")(response, tasks)
    assert all("exitCode" not in c and c["lastStatus"] == "STOPPED" for c in task["containers"])


CHECKS: dict[str, Callable[[dict[str, Any], list[str]], object]] = {
    "task-missing": only_missing,
    "task-expired": only_missing,
    "wrong-cluster": only_missing,
    "partial-missing": check_partial,
    "eventual-consistency": only_missing,
    "cluster-deleted": only_missing,
    "cluster-recreated": only_missing,
    "failed-to-start": check_failed_to_start,
    "essential-container-exited": check_essential,
    "spot-interrupted": check_spot,
    "user-stopped": check_user,
    "scheduler-stopped": check_scheduler,
    "out-of-memory": check_oom,
    "no-exit-code": check_no_exit_code,
}
ERRORS = {
    "cluster-not-found": ("ClusterNotFoundException", "Cluster not found.", 400),
    "throttled": ("ThrottlingException", "Rate exceeded", 400),
    "access-denied": ("AccessDeniedException", None, 400),
    "server-error": ("ServerException", "Service Unavailable. Please try again later.", 500),
    "too-many-tasks": ("InvalidParameterException", "taskIds can have at most 100 items.", 400),
    "empty-tasks": ("InvalidParameterException", "Tasks cannot be empty.", 400),
}


#: The deploy scenarios (UpdateService): tests/test_service_scenarios.py covers them.
DEPLOY_ONLY = {
    "deployment-completes",
    "deployment-rolled-back",
    "deployment-stuck",
    "task-replaced",
}


def describe_tasks_names() -> list[str]:
    return [n for n in scenario_names() if n not in RUN_TASK_ONLY | DEPLOY_ONLY]


def test_catalogue_holds_every_required_scenario() -> None:
    assert set(REQUIRED) <= set(scenario_names())
    assert set(RUN_TASK_REQUIRED) <= set(scenario_names())
    assert set(CHECKS) | set(ERRORS) == set(describe_tasks_names())
    assert set(RUN_TASK_CHECKS) | set(RUN_TASK_ERRORS) == set(RUN_TASK_REQUIRED)
    params = failure_scenarios()  # no names: every DescribeTasks scenario, as before
    assert [p.id for p in params] == describe_tasks_names()
    run_task = failure_scenarios(operation="RunTask")
    assert [p.id for p in run_task] == [n for n in scenario_names() if n in RUN_TASK_REQUIRED]
    for param in params:
        (scenario,) = param.values
        assert isinstance(scenario, Scenario)
        assert scenario.expect.endswith(".")
        assert scenario.incident


# -- RunTask's scenarios: the code under test's own RunTask meets them ---------------------------

RUN_TASK_REQUIRED = [
    "placement-failed",
    "capacity-unavailable",
    "no-container-instances",
    "unhealthy",
    "out-of-memory",
]
RUN_TASK_ONLY = {"placement-failed", "capacity-unavailable", "no-container-instances", "unhealthy"}


def check_placement_failed(
    fake: FakeEcs, ecs: ECSClient, answer: dict[str, Any], arranged: Arranged
) -> None:
    [instance] = ecs.list_container_instances(cluster="ec2")["containerInstanceArns"]
    assert answer["tasks"] == []
    assert answer["failures"] == [{"arn": instance, "reason": "RESOURCE:MEMORY"}]
    again = ecs.run_task(**arranged.run_task_request)
    assert again["tasks"] == [] and len(again["failures"]) == 1  # on every try


def check_capacity(
    fake: FakeEcs, ecs: ECSClient, answer: dict[str, Any], arranged: Arranged
) -> None:
    assert answer["tasks"] == []
    assert [f["reason"] for f in answer["failures"]] == [
        "Capacity is unavailable at this time. Please try again later or in a different "
        "availability zone"
    ]


def check_unhealthy(
    fake: FakeEcs, ecs: ECSClient, answer: dict[str, Any], arranged: Arranged
) -> None:
    [task] = answer["tasks"]
    ecs.get_waiter("tasks_running").wait(cluster=arranged.cluster, tasks=[task["taskArn"]])
    fake.clock.advance(minutes=3)
    [now] = ecs.describe_tasks(cluster=arranged.cluster, tasks=[task["taskArn"]])["tasks"]
    assert (now["lastStatus"], now["healthStatus"]) == ("RUNNING", "UNHEALTHY")
    assert now["containers"][0]["healthStatus"] == "UNHEALTHY"


def check_run_oom(
    fake: FakeEcs, ecs: ECSClient, answer: dict[str, Any], arranged: Arranged
) -> None:
    [task] = answer["tasks"]
    ecs.get_waiter("tasks_stopped").wait(cluster=arranged.cluster, tasks=[task["taskArn"]])
    [done] = ecs.describe_tasks(cluster=arranged.cluster, tasks=[task["taskArn"]])["tasks"]
    assert done["stopCode"] == "EssentialContainerExited"
    [container] = done["containers"]
    assert (container["exitCode"], container["reason"]) == (
        137,
        "OutOfMemoryError: Container killed due to memory usage",
    )


RUN_TASK_CHECKS: dict[str, Callable[[FakeEcs, ECSClient, dict[str, Any], Arranged], None]] = {
    "placement-failed": check_placement_failed,
    "capacity-unavailable": check_capacity,
    "unhealthy": check_unhealthy,
    "out-of-memory": check_run_oom,
}
RUN_TASK_ERRORS = {
    "no-container-instances": (
        "InvalidParameterException",
        "No Container Instances were found in your cluster.",
    ),
}


@pytest.mark.parametrize("scenario", failure_scenarios(operation="RunTask"))
def test_run_task_caller_sees_what_expect_says(scenario: Scenario, ecs_tasks: FakeEcs) -> None:
    arranged = scenario.arrange(ecs_tasks)
    client = boto3.client("ecs", region_name="us-east-1")
    assert "RunTask" in scenario.operations
    if scenario.name in RUN_TASK_ERRORS:
        assert scenario.error == RUN_TASK_ERRORS[scenario.name][0]
        with pytest.raises(ClientError) as exc:
            client.run_task(**arranged.run_task_request)
        code, message = RUN_TASK_ERRORS[scenario.name]
        assert exc.value.response["Error"] == {"Code": code, "Message": message}
        return
    assert scenario.error is None
    answer: dict[str, Any] = dict(client.run_task(**arranged.run_task_request))
    answer.pop("ResponseMetadata")
    assert_valid_response("RunTask", answer)
    RUN_TASK_CHECKS[scenario.name](ecs_tasks, client, answer, arranged)


def test_run_task_scenarios_are_for_run_task_only_unless_both() -> None:
    assert {s.id for s in failure_scenarios()} & RUN_TASK_ONLY == set()
    with pytest.raises(ValueError, match="operation='StopTask'; valid"):
        failure_scenarios(operation="StopTask")  # type: ignore[arg-type]


@pytest.mark.parametrize("scenario", failure_scenarios())
def test_caller_sees_what_expect_says(scenario: Scenario, ecs_tasks: FakeEcs) -> None:
    arranged = scenario.arrange(ecs_tasks)
    client = boto3.client("ecs", region_name="us-east-1")
    if scenario.name in ERRORS:
        code, message, status = ERRORS[scenario.name]
        assert scenario.error == code
        with pytest.raises(ClientError) as exc:
            client.describe_tasks(cluster=arranged.cluster, tasks=arranged.tasks)
        error = exc.value.response
        assert error["Error"]["Code"] == code
        assert error["ResponseMetadata"]["HTTPStatusCode"] == status
        if message is not None:
            assert error["Error"]["Message"] == message
        return
    assert scenario.error is None
    response: dict[str, Any] = dict(
        client.describe_tasks(cluster=arranged.cluster, tasks=arranged.tasks)
    )
    response.pop("ResponseMetadata")
    assert_valid_response("DescribeTasks", response)
    if scenario.name != "no-exit-code":  # a real oddity the rules leave out on purpose
        for task in response["tasks"]:
            assert_consistent_task(task)
    CHECKS[scenario.name](response, arranged.tasks)


def test_choosing_scenarios_by_name() -> None:
    assert [p.id for p in failure_scenarios("throttled", "task-missing")] == [
        "throttled",
        "task-missing",
    ]
    with pytest.raises(
        ValueError,
        match=r"^unknown failure scenario 'task-mising'; the scenarios are: task-missing, ",
    ):
        failure_scenarios("task-mising")


def test_error_scenarios_keep_failing(ecs_tasks: FakeEcs) -> None:
    arranged = failure_scenarios("server-error")[0].values[0].arrange(ecs_tasks)  # type: ignore[union-attr]
    client = boto3.client(
        "ecs", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )
    for _ in range(3):
        with pytest.raises(ClientError):
            client.describe_tasks(cluster=arranged.cluster, tasks=arranged.tasks)


@pytest.mark.parametrize("mode", ["standard", "legacy", "adaptive"])
def test_retries_exhaust_on_throttling_in_virtual_time(
    mode: Literal["standard", "legacy", "adaptive"], ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    arn = ecs_tasks.run_task()["taskArn"]
    ecs_tasks.fail("DescribeTasks", "ThrottlingException", times=None)
    client = boto3.client(
        "ecs",
        region_name="us-east-1",
        config=Config(retries={"mode": mode, "total_max_attempts": 6}),
    )
    start = ecs_clock.now()
    wall = time.perf_counter()
    with pytest.raises(ClientError) as exc:
        client.describe_tasks(tasks=[arn])
    assert time.perf_counter() - wall < 1
    assert exc.value.response["Error"]["Code"] == "ThrottlingException"
    assert exc.value.response["ResponseMetadata"]["RetryAttempts"] == 5
    assert [c.operation for c in ecs_tasks.calls] == ["DescribeTasks"] * 6
    assert ecs_clock.now() > start  # the backoff moved the fake clock


def test_fail_times_then_success(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    arn = ecs_tasks.run_task()["taskArn"]
    ecs_tasks.fail("DescribeTasks", "ServerException", times=2)
    client = boto3.client(
        "ecs", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )
    for _ in range(2):
        with pytest.raises(ClientError) as exc:
            client.describe_tasks(tasks=[arn])
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert client.describe_tasks(tasks=[arn])["tasks"][0]["taskArn"] == arn
    errors = [c.error.code if c.error else None for c in ecs_tasks.calls]
    assert errors == ["ServerException", "ServerException", None]


def test_fail_with_custom_message_on_any_served_operation(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.fail("RunTask", "AccessDeniedException", "not for you")
    with pytest.raises(ClientError) as exc:
        ecs.run_task(taskDefinition="x")
    assert exc.value.response["Error"] == {
        "Code": "AccessDeniedException",
        "Message": "not for you",
    }


def test_bad_fault_injection_is_refused(ecs_tasks: FakeEcs) -> None:
    with pytest.raises(
        ValueError, match=r"^the fake does not serve 'DescribeTask'; it can fail: CreateCluster, "
    ):
        ecs_tasks.fail("DescribeTask", "ThrottlingException")
    with pytest.raises(
        ValueError,
        match=r"^DescribeTasks never answers 'ClusterContainsTasksException'; it can answer: AccessDeniedException, ",
    ):
        ecs_tasks.fail("DescribeTasks", "ClusterContainsTasksException")
    with pytest.raises(ValueError, match="times must be a positive int or None"):
        ecs_tasks.fail("DescribeTasks", "ServerException", times=0)


def test_unused_faults_fail_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_unused(ecs_tasks):
            ecs_tasks.fail("DescribeTasks", "ThrottlingException", times=2)

        @pytest.mark.ecs_tasks(assert_all_faults_used=False)
        def test_opted_out(ecs_tasks):
            ecs_tasks.fail("DescribeTasks", "ThrottlingException")

        def test_fails_anyway(ecs_tasks):
            ecs_tasks.fail("DescribeTasks", "ThrottlingException")
            assert False
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_unused*",
            "These faults were injected with ecs_tasks.fail() but answered no call:",
            "  - DescribeTasks -> ThrottlingException (2 call(s), used 0)",
            "Make the calls they were meant for, drop them, or mark the test with "
            "@pytest.mark.ecs_tasks(assert_all_faults_used=False).",
        ]
    )


def test_a_module_runs_across_scenarios_with_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest
        from botocore.exceptions import ClientError

        pytestmark = pytest.mark.ecs_scenarios("task-missing", "throttled", "server-error")

        def poll(cluster, tasks):
            try:
                response = boto3.client("ecs", region_name="us-east-1").describe_tasks(
                    cluster=cluster, tasks=tasks
                )
            except ClientError as exc:
                return exc.response["Error"]["Code"]
            return [f["reason"] for f in response["failures"]]

        def test_poller(ecs_scenario, ecs_tasks):
            arranged = ecs_scenario.arrange(ecs_tasks)
            assert poll(arranged.cluster, arranged.tasks) in (["MISSING"], ecs_scenario.error)

        @pytest.mark.ecs_scenarios("empty-tasks")
        def test_closest_marker(ecs_scenario):
            assert ecs_scenario.name == "empty-tasks"

        def test_not_using_the_fixture():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(
        [
            "*test_poller?task-missing? PASSED*",
            "*test_poller?throttled? PASSED*",
            "*test_poller?server-error? PASSED*",
            "*test_closest_marker?empty-tasks? PASSED*",
        ]
    )


def test_unknown_scenario_in_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecs_scenarios("nope")
        def test_x(ecs_scenario):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*ecs_scenarios: unknown failure scenario 'nope'; the scenarios are: task-missing, *"]
    )


def test_docs_table_lists_the_whole_catalogue() -> None:
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "scenarios.md").read_text()
    for name in scenario_names():
        scenario = failure_scenarios(name)[0].values[0]
        assert isinstance(scenario, Scenario)
        assert f"| `{name}` | {scenario.expect} | {scenario.incident} |" in page
