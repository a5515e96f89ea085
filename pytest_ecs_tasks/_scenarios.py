"""Every way DescribeTasks and RunTask can disappoint a caller, by name, ready to
parametrize.

>>> @pytest.mark.parametrize("scenario", failure_scenarios())   # doctest: +SKIP
... def test_my_poller_copes(scenario, ecs_tasks):
...     arranged = scenario.arrange(ecs_tasks)
...     my_poller(cluster=arranged.cluster, tasks=arranged.tasks)

>>> @pytest.mark.parametrize("scenario", failure_scenarios(operation="RunTask"))  # doctest: +SKIP
... def test_my_launcher_copes(scenario, ecs_tasks):
...     arranged = scenario.arrange(ecs_tasks)
...     my_launcher(**arranged.run_task_request)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from ._scenario_arrangers import (
    OPERATION_NAMES,
    Arranged,
    Operation,
    capacity_unavailable,
    cluster_deleted,
    cluster_not_found,
    cluster_recreated,
    deployment_completes,
    deployment_rolled_back,
    deployment_stuck,
    empty,
    essential_exited,
    eventual_consistency,
    failed_to_start,
    failing,
    no_container_instances,
    no_exit_code,
    out_of_memory_both,
    partial_missing,
    placement_failed,
    scheduler_stopped,
    spot_interrupted,
    task_expired,
    task_missing,
    task_replaced,
    too_many,
    unhealthy,
    user_stopped,
    wrong_cluster,
)

if TYPE_CHECKING:
    from _pytest.mark.structures import ParameterSet

    from ._fake import FakeEcs

__all__ = ["Arranged", "Scenario", "failure_scenarios", "scenario_names"]


@dataclass(frozen=True)
class Scenario:
    """One way an ECS call can disappoint a caller: DescribeTasks, RunTask or a
    deploy (UpdateService). ``failure_scenarios()`` gives them as pytest params,
    the ``ecs_scenario`` fixture one per run; ``arrange(ecs_tasks)`` sets the
    fake up for it.
    """

    name: str
    """Its name, like ``"task-expired"``: the test id, and what the ``ecs_scenarios``
    marker and ``failure_scenarios()`` take."""
    expect: str
    """In one sentence, what the caller then sees."""
    incident: str
    """The real situation it mirrors."""
    error: str | None = None
    """The error code the call raises (``None``: the call succeeds)."""
    operations: tuple[Operation, ...] = ("DescribeTasks",)
    """The calls it is for: DescribeTasks (the default), RunTask (the code under
    test's own RunTask meets it, through ``plan_runs``), UpdateService, or several."""
    _arrange: Callable[[FakeEcs], Arranged] = field(
        repr=False, compare=False, default=lambda fake: Arranged("default", [])
    )

    def arrange(self, ecs_tasks: FakeEcs) -> Arranged:
        """Set the fake up for this scenario; returns the cluster and tasks to describe."""
        return self._arrange(ecs_tasks)

    def __str__(self) -> str:
        return self.name


_CATALOGUE: tuple[Scenario, ...] = (
    Scenario(
        "task-missing",
        "No tasks; one failure {arn, reason: MISSING} for the id, without detail.",
        "A typo'd or made-up task id, or an id from another account.",
        _arrange=task_missing,
    ),
    Scenario(
        "task-expired",
        "The task stopped more than an hour ago: no tasks, one MISSING failure.",
        "A poller that comes back after a long pause (or a retried job) and finds its task gone.",
        _arrange=task_expired,
    ),
    Scenario(
        "wrong-cluster",
        "The task lives in another cluster: no tasks, one MISSING failure.",
        "describe_tasks without cluster= (so `default`) for a task run on a named cluster.",
        _arrange=wrong_cluster,
    ),
    Scenario(
        "partial-missing",
        "Two tasks come back in request order and the unknown id is one MISSING failure.",
        "A batch poll in which one id is stale.",
        _arrange=partial_missing,
    ),
    Scenario(
        "eventual-consistency",
        "A task RunTask just started is MISSING for its first second.",
        "describe_tasks right after run_task, before the new task has propagated.",
        _arrange=eventual_consistency,
    ),
    Scenario(
        "cluster-not-found",
        "The call raises ClusterNotFoundException: Cluster not found.",
        "A cluster name from the wrong region or environment.",
        error="ClusterNotFoundException",
        _arrange=cluster_not_found,
    ),
    Scenario(
        "cluster-deleted",
        "The cluster was deleted: its untagged stopped task comes back MISSING.",
        "A cluster torn down by infrastructure code while a job's result was still being read.",
        _arrange=cluster_deleted,
    ),
    Scenario(
        "cluster-recreated",
        "A cluster of the same name was created again: the old (even tagged) task is MISSING.",
        "Blue/green or test environments that delete and recreate a cluster by name.",
        _arrange=cluster_recreated,
    ),
    Scenario(
        "failed-to-start",
        "STOPPED with stopCode TaskFailedToStart, a CannotPullContainerError reason, no startedAt "
        "and no exit codes.",
        "A wrong image tag or a registry the task cannot reach.",
        _arrange=failed_to_start,
    ),
    Scenario(
        "essential-container-exited",
        "STOPPED with stopCode EssentialContainerExited and the container's exitCode 1.",
        "A job that crashed or returned a failure status.",
        _arrange=essential_exited,
    ),
    Scenario(
        "spot-interrupted",
        "STOPPED with stopCode SpotInterruption on FARGATE_SPOT; containers exited 143.",
        "Fargate Spot capacity reclaimed in the middle of a job.",
        _arrange=spot_interrupted,
    ),
    Scenario(
        "user-stopped",
        "STOPPED with stopCode UserInitiated, the given stoppedReason, containers exited 143.",
        "Somebody (or a deploy) called StopTask on a running job.",
        _arrange=user_stopped,
    ),
    Scenario(
        "scheduler-stopped",
        "STOPPED with stopCode ServiceSchedulerInitiated and an ELB health check reason.",
        "A service task replaced after failing its load balancer health checks.",
        _arrange=scheduler_stopped,
    ),
    Scenario(
        "out-of-memory",
        "STOPPED with exitCode 137 and the container reason OutOfMemoryError: Container killed due "
        "to memory usage.",
        "A job that outgrew its memory limit.",
        operations=("DescribeTasks", "RunTask"),
        _arrange=out_of_memory_both,
    ),
    Scenario(
        "no-exit-code",
        "STOPPED, but the container has no exitCode at all, only a reason.",
        "A container that never started properly (Docker timeout), so it never got an exit code.",
        _arrange=no_exit_code,
    ),
    Scenario(
        "throttled",
        "Every call raises ThrottlingException: Rate exceeded (after botocore's retries).",
        "Many pollers sharing an account's DescribeTasks rate limit.",
        error="ThrottlingException",
        _arrange=failing("DescribeTasks", "ThrottlingException"),
    ),
    Scenario(
        "access-denied",
        "The call raises AccessDeniedException.",
        "A task role or CI role without ecs:DescribeTasks.",
        error="AccessDeniedException",
        _arrange=failing("DescribeTasks", "AccessDeniedException"),
    ),
    Scenario(
        "server-error",
        "Every call raises ServerException (HTTP 500, after botocore's retries).",
        "An ECS service event or regional incident.",
        error="ServerException",
        _arrange=failing("DescribeTasks", "ServerException"),
    ),
    Scenario(
        "too-many-tasks",
        "The call raises InvalidParameterException: taskIds can have at most 100 items.",
        "A poller that passes every task id it knows in one call.",
        error="InvalidParameterException",
        _arrange=too_many,
    ),
    Scenario(
        "empty-tasks",
        "The call raises InvalidParameterException: Tasks cannot be empty.",
        "A poller called with nothing left to poll.",
        error="InvalidParameterException",
        _arrange=empty,
    ),
    Scenario(
        "placement-failed",
        "RunTask answers no tasks and one failure {arn: the container instance, reason: "
        "RESOURCE:MEMORY}, on every try.",
        "An EC2 cluster whose instances have no memory left for the task.",
        operations=("RunTask",),
        _arrange=placement_failed,
    ),
    Scenario(
        "capacity-unavailable",
        "RunTask answers no tasks and one failure whose reason says Fargate capacity is "
        "unavailable, on every try.",
        "A Fargate capacity shortage in the region or availability zone.",
        operations=("RunTask",),
        _arrange=capacity_unavailable,
    ),
    Scenario(
        "no-container-instances",
        "RunTask raises InvalidParameterException: No Container Instances were found in "
        "your cluster.",
        "An EC2 cluster whose Auto Scaling group scaled to zero or never registered.",
        error="InvalidParameterException",
        operations=("RunTask",),
        _arrange=no_container_instances,
    ),
    Scenario(
        "unhealthy",
        "The task starts and runs, then its container and the task report healthStatus "
        "UNHEALTHY (a task RunTask started keeps running).",
        "A job whose health check starts failing a minute in.",
        operations=("RunTask",),
        _arrange=unhealthy,
    ),
    Scenario(
        "deployment-completes",
        "The new revision rolls out: one PRIMARY deployment, rolloutState COMPLETED, "
        "runningCount == desiredCount, and '(service web) has reached a steady state.'",
        "A deploy that goes well (the baseline every deploy tool must report as success).",
        operations=("UpdateService",),
        _arrange=deployment_completes,
    ),
    Scenario(
        "deployment-rolled-back",
        "The new revision's tasks fail to start; the circuit breaker fails the deployment and "
        "rolls back: the PRIMARY is the old deployment again (COMPLETED), the service's "
        "taskDefinition the old revision, and the events say 'deployment failed: tasks failed "
        "to start.' and 'rolling back to deployment'.",
        "A bad image tag shipped to a service with the circuit breaker and rollback on.",
        operations=("UpdateService",),
        _arrange=deployment_rolled_back,
    ),
    Scenario(
        "deployment-stuck",
        "The new revision's tasks fail to start and, with no circuit breaker, the scheduler "
        "retries for ever: two deployments, the new one IN_PROGRESS, services_stable never "
        "succeeds, and the events say 'is unable to consistently start tasks successfully.'",
        "A bad image tag shipped to a service without the circuit breaker: the deploy times out.",
        operations=("UpdateService",),
        _arrange=deployment_stuck,
    ),
    Scenario(
        "task-replaced",
        "One of the new revision's tasks exits (exit code 1) 30 s after it starts; the scheduler "
        "replaces it and the deployment still completes.",
        "A task that crashes once mid-deploy (a flaky start), replaced by the service.",
        operations=("UpdateService",),
        _arrange=task_replaced,
    ),
)
_BY_NAME = {s.name: s for s in _CATALOGUE}


def scenario_names() -> tuple[str, ...]:
    """The names of every scenario in the catalogue."""
    return tuple(_BY_NAME)


def scenarios(*names: str, operation: Operation = "DescribeTasks") -> list[Scenario]:
    """The named scenarios, in the order given; no names: every scenario for
    ``operation`` (DescribeTasks by default)."""
    if operation not in OPERATION_NAMES:
        raise ValueError(f"operation={operation!r}; valid: {', '.join(map(repr, OPERATION_NAMES))}")
    unknown = [n for n in names if n not in _BY_NAME]
    if unknown:
        raise ValueError(
            f"unknown failure scenario {', '.join(map(repr, unknown))}; the scenarios are: "
            + ", ".join(_BY_NAME)
        )
    if names:
        return [_BY_NAME[n] for n in names]
    return [s for s in _CATALOGUE if operation in s.operations]


def failure_scenarios(*names: str, operation: Operation = "DescribeTasks") -> list[ParameterSet]:
    """``pytest.param``s of the named scenarios, each with its name as id; no names:
    every scenario for ``operation`` (``"DescribeTasks"``, the default,
    ``"RunTask"``, or ``"UpdateService"``: deploys)."""
    return [pytest.param(s, id=s.name) for s in scenarios(*names, operation=operation)]
