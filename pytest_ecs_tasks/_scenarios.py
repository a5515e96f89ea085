"""Every way DescribeTasks can disappoint a caller, by name, ready to parametrize.

>>> @pytest.mark.parametrize("scenario", failure_scenarios())   # doctest: +SKIP
... def test_my_poller_copes(scenario, ecs_tasks):
...     arranged = scenario.arrange(ecs_tasks)
...     my_poller(cluster=arranged.cluster, tasks=arranged.tasks)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from _pytest.mark.structures import ParameterSet

    from ._fake import FakeEcs

__all__ = ["Arranged", "Scenario", "failure_scenarios", "scenario_names"]

NEVER_RAN = "0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Arranged:
    """What a test passes to DescribeTasks once a scenario is arranged."""

    cluster: str
    tasks: list[str]


@dataclass(frozen=True)
class Scenario:
    """One way DescribeTasks can disappoint a caller.

    ``expect`` says in one sentence what the caller then sees; ``error`` is the
    error code it raises (``None``: the call succeeds); ``incident`` is the real
    situation it mirrors. ``arrange(ecs_tasks)`` sets the fake up.
    """

    name: str
    expect: str
    incident: str
    error: str | None = None
    _arrange: Callable[[FakeEcs], Arranged] = field(
        repr=False, compare=False, default=lambda fake: Arranged("default", [])
    )

    def arrange(self, ecs_tasks: FakeEcs) -> Arranged:
        """Set the fake up for this scenario; returns the cluster and tasks to describe."""
        return self._arrange(ecs_tasks)

    def __str__(self) -> str:
        return self.name


def _run_and_finish(fake: FakeEcs, cluster: str = "default", **kwargs: object) -> str:
    arn: str = fake.run_task(cluster, **kwargs)["taskArn"]  # type: ignore[arg-type]
    fake.clock.advance(minutes=10)
    return arn


def _task_missing(fake: FakeEcs) -> Arranged:
    return Arranged("default", [NEVER_RAN])


def _task_expired(fake: FakeEcs) -> Arranged:
    arn = fake.run_task(runs_for=30)["taskArn"]
    fake.clock.advance(fake.retention + timedelta(minutes=5))
    return Arranged("default", [arn])


def _wrong_cluster(fake: FakeEcs) -> Arranged:
    fake.create_cluster("batch")
    fake.create_cluster("web")
    arn = fake.run_task("batch")["taskArn"]
    return Arranged("web", [arn.rsplit("/", 1)[1]])


def _partial_missing(fake: FakeEcs) -> Arranged:
    first = fake.run_task()["taskArn"]
    second = fake.run_task()["taskArn"]
    fake.clock.advance(minutes=1)
    return Arranged("default", [first, NEVER_RAN, second])


def _eventual_consistency(fake: FakeEcs) -> Arranged:
    fake.eventual_consistency = timedelta(seconds=1)
    return Arranged("default", [fake.run_task()["taskArn"]])


def _cluster_not_found(fake: FakeEcs) -> Arranged:
    return Arranged("no-such-cluster", [NEVER_RAN])


def _cluster_deleted(fake: FakeEcs) -> Arranged:
    fake.create_cluster("jobs")
    arn = _run_and_finish(fake, "jobs", runs_for=30)
    fake.delete_cluster("jobs")
    return Arranged("jobs", [arn])


def _cluster_recreated(fake: FakeEcs) -> Arranged:
    fake.create_cluster("jobs")
    arn = _run_and_finish(fake, "jobs", runs_for=30, tags={"team": "data"})
    fake.delete_cluster("jobs")
    fake.create_cluster("jobs")
    return Arranged("jobs", [arn])


def _failed_to_start(fake: FakeEcs) -> Arranged:
    reason = (
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to "
        "resolve ref docker.io/library/app:latest: not found"
    )
    return Arranged("default", [_run_and_finish(fake, fail_to_start=reason)])


def _essential_exited(fake: FakeEcs) -> Arranged:
    return Arranged("default", [_run_and_finish(fake, runs_for=60, exit_code=1)])


def _spot_interrupted(fake: FakeEcs) -> Arranged:
    arn = fake.run_task(capacity_provider="FARGATE_SPOT")["taskArn"]
    fake.clock.advance(minutes=5)
    fake.stop_task(arn, stop_code="SpotInterruption", reason="Your Spot Task was interrupted.")
    fake.clock.advance(minutes=5)
    return Arranged("default", [arn])


def _user_stopped(fake: FakeEcs) -> Arranged:
    arn = fake.run_task()["taskArn"]
    fake.clock.advance(minutes=5)
    fake.stop_task(arn, reason="Stopped by the on-call engineer")
    fake.clock.advance(minutes=5)
    return Arranged("default", [arn])


def _scheduler_stopped(fake: FakeEcs) -> Arranged:
    arn = fake.run_task(group="service:web", started_by="ecs-svc/1234567890123456789")["taskArn"]
    fake.clock.advance(minutes=5)
    fake.stop_task(
        arn,
        stop_code="ServiceSchedulerInitiated",
        reason="Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:"
        "us-east-1:123456789012:targetgroup/web/0123456789abcdef)",
    )
    fake.clock.advance(minutes=5)
    return Arranged("default", [arn])


def _out_of_memory(fake: FakeEcs) -> Arranged:
    from ._factories import TaskFactory

    task = TaskFactory(
        stopped=True,
        region=fake.region,
        account_id=fake.account_id,
        now=fake.clock.now(),
        containers=[
            {
                "name": "app",
                "exitCode": 137,
                "reason": "OutOfMemoryError: Container killed due to memory usage",
            }
        ],
    )
    fake.add_task(task)
    return Arranged("default", [task["taskArn"]])


def _no_exit_code(fake: FakeEcs) -> Arranged:
    from ._factories import TaskFactory

    task = TaskFactory(
        stopped=True, region=fake.region, account_id=fake.account_id, now=fake.clock.now()
    )
    for container in task["containers"]:
        container.pop("exitCode", None)
        container["reason"] = (
            "DockerTimeoutError: Could not transition to started; timed out after waiting 3m0s"
        )
    fake.add_task(task)
    return Arranged("default", [task["taskArn"]])


def _failing(operation: str, code: str) -> Callable[[FakeEcs], Arranged]:
    def arrange(fake: FakeEcs) -> Arranged:
        arn = fake.run_task()["taskArn"]
        fake.fail(operation, code, times=None)
        return Arranged("default", [arn])

    return arrange


def _too_many(fake: FakeEcs) -> Arranged:
    return Arranged("default", [f"{i:032x}" for i in range(101)])


def _empty(fake: FakeEcs) -> Arranged:
    return Arranged("default", [])


_CATALOGUE: tuple[Scenario, ...] = (
    Scenario(
        "task-missing",
        "No tasks; one failure {arn, reason: MISSING} for the id, without detail.",
        "A typo'd or made-up task id, or an id from another account.",
        _arrange=_task_missing,
    ),
    Scenario(
        "task-expired",
        "The task stopped more than an hour ago: no tasks, one MISSING failure.",
        "A poller that comes back after a long pause (or a retried job) and finds its task gone.",
        _arrange=_task_expired,
    ),
    Scenario(
        "wrong-cluster",
        "The task lives in another cluster: no tasks, one MISSING failure.",
        "describe_tasks without cluster= (so `default`) for a task run on a named cluster.",
        _arrange=_wrong_cluster,
    ),
    Scenario(
        "partial-missing",
        "Two tasks come back in request order and the unknown id is one MISSING failure.",
        "A batch poll in which one id is stale.",
        _arrange=_partial_missing,
    ),
    Scenario(
        "eventual-consistency",
        "A task RunTask just started is MISSING for its first second.",
        "describe_tasks right after run_task, before the new task has propagated.",
        _arrange=_eventual_consistency,
    ),
    Scenario(
        "cluster-not-found",
        "The call raises ClusterNotFoundException: Cluster not found.",
        "A cluster name from the wrong region or environment.",
        error="ClusterNotFoundException",
        _arrange=_cluster_not_found,
    ),
    Scenario(
        "cluster-deleted",
        "The cluster was deleted: its untagged stopped task comes back MISSING.",
        "A cluster torn down by infrastructure code while a job's result was still being read.",
        _arrange=_cluster_deleted,
    ),
    Scenario(
        "cluster-recreated",
        "A cluster of the same name was created again: the old (even tagged) task is MISSING.",
        "Blue/green or test environments that delete and recreate a cluster by name.",
        _arrange=_cluster_recreated,
    ),
    Scenario(
        "failed-to-start",
        "STOPPED with stopCode TaskFailedToStart, a CannotPullContainerError reason, no startedAt "
        "and no exit codes.",
        "A wrong image tag or a registry the task cannot reach.",
        _arrange=_failed_to_start,
    ),
    Scenario(
        "essential-container-exited",
        "STOPPED with stopCode EssentialContainerExited and the container's exitCode 1.",
        "A job that crashed or returned a failure status.",
        _arrange=_essential_exited,
    ),
    Scenario(
        "spot-interrupted",
        "STOPPED with stopCode SpotInterruption on FARGATE_SPOT; containers exited 143.",
        "Fargate Spot capacity reclaimed in the middle of a job.",
        _arrange=_spot_interrupted,
    ),
    Scenario(
        "user-stopped",
        "STOPPED with stopCode UserInitiated, the given stoppedReason, containers exited 143.",
        "Somebody (or a deploy) called StopTask on a running job.",
        _arrange=_user_stopped,
    ),
    Scenario(
        "scheduler-stopped",
        "STOPPED with stopCode ServiceSchedulerInitiated and an ELB health check reason.",
        "A service task replaced after failing its load balancer health checks.",
        _arrange=_scheduler_stopped,
    ),
    Scenario(
        "out-of-memory",
        "STOPPED with exitCode 137 and the container reason OutOfMemoryError: Container killed due "
        "to memory usage.",
        "A job that outgrew its memory limit.",
        _arrange=_out_of_memory,
    ),
    Scenario(
        "no-exit-code",
        "STOPPED, but the container has no exitCode at all, only a reason.",
        "A container that never started properly (Docker timeout), so it never got an exit code.",
        _arrange=_no_exit_code,
    ),
    Scenario(
        "throttled",
        "Every call raises ThrottlingException: Rate exceeded (after botocore's retries).",
        "Many pollers sharing an account's DescribeTasks rate limit.",
        error="ThrottlingException",
        _arrange=_failing("DescribeTasks", "ThrottlingException"),
    ),
    Scenario(
        "access-denied",
        "The call raises AccessDeniedException.",
        "A task role or CI role without ecs:DescribeTasks.",
        error="AccessDeniedException",
        _arrange=_failing("DescribeTasks", "AccessDeniedException"),
    ),
    Scenario(
        "server-error",
        "Every call raises ServerException (HTTP 500, after botocore's retries).",
        "An ECS service event or regional incident.",
        error="ServerException",
        _arrange=_failing("DescribeTasks", "ServerException"),
    ),
    Scenario(
        "too-many-tasks",
        "The call raises InvalidParameterException: taskIds can have at most 100 items.",
        "A poller that passes every task id it knows in one call.",
        error="InvalidParameterException",
        _arrange=_too_many,
    ),
    Scenario(
        "empty-tasks",
        "The call raises InvalidParameterException: Tasks cannot be empty.",
        "A poller called with nothing left to poll.",
        error="InvalidParameterException",
        _arrange=_empty,
    ),
)
_BY_NAME = {s.name: s for s in _CATALOGUE}


def scenario_names() -> tuple[str, ...]:
    """The names of every scenario in the catalogue."""
    return tuple(_BY_NAME)


def scenarios(*names: str) -> list[Scenario]:
    """The named scenarios (no names: all), in the order given."""
    unknown = [n for n in names if n not in _BY_NAME]
    if unknown:
        raise ValueError(
            f"unknown failure scenario {', '.join(map(repr, unknown))}; the scenarios are: "
            + ", ".join(_BY_NAME)
        )
    return [_BY_NAME[n] for n in names] if names else list(_CATALOGUE)


def failure_scenarios(*names: str) -> list[ParameterSet]:
    """``pytest.param``s of the named scenarios (no names: all), each with its name as id."""
    return [pytest.param(s, id=s.name) for s in scenarios(*names)]
