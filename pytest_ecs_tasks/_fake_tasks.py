"""The Python API's task commands of ``FakeEcs``: start tasks
(``run_task``), plan the ones the code under test starts (``plan_runs``), stop them
and add ready records. A mixin: ``_fake.py`` holds the rest of the fake."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from . import _arguments as arguments
from . import _arns as arns
from . import _lifecycle as lifecycle
from ._clock import Clock
from ._lifecycle import LaunchType, StopCode
from ._service.dispatch import EcsService
from ._service.errors import EcsError
from ._service.state import TaskEntry
from ._tags import TagsInput, to_tag_list

if TYPE_CHECKING:
    from ._record_types import TaskRecord

__all__ = ["Duration", "TaskCommands", "client_error"]

#: A duration as the Python API takes it: a timedelta, seconds, or text like "5m".
Duration = timedelta | float | str
#: A container's planned lines: text (spread over its run) or (offset, text) pairs.
LogLines = Sequence[str] | Sequence[tuple[Duration, str]]


class TaskCommands:
    """``FakeEcs``'s commands for tasks (it provides what is declared here)."""

    region: str
    account_id: str
    clock: Clock
    _service: EcsService

    def run_task(
        self,
        cluster: str = "default",
        *,
        task_definition: str = "app:1",
        containers: Sequence[Mapping[str, Any]] | None = None,
        launch_type: LaunchType = "FARGATE",
        tags: TagsInput | None = None,
        started_by: str | None = None,
        group: str | None = None,
        runs_for: Duration | Mapping[str, Duration] | None = None,
        exit_code: int | Mapping[str, int] = 0,
        fail_to_start: str | None = None,
        capacity_provider: str | None = None,
        unhealthy_after: Mapping[str, Duration] | None = None,
        container_reason: Mapping[str, str] | None = None,
        logs: Mapping[str, LogLines] | None = None,
        **timings: Duration,
    ) -> TaskRecord:
        """Start a task that walks its lifecycle as the clock moves; returns its record now.

        ``runs_for``: its essential containers exit that long after RUNNING
        (``None``: it runs until stopped). ``exit_code``: what they exit with (an
        int for the essential containers, or ``{name: code}``). ``fail_to_start``:
        the reason it stops with ``TaskFailedToStart`` instead. ``capacity_provider``:
        ``FARGATE_SPOT`` for a Spot task. ``tags``: a dict or the boto3 list of
        ``{"key", "value"}``. Durations (``runs_for``, ``**timings``) take a
        ``timedelta``, seconds or text like ``"5m"``. ``**timings`` override the
        lifecycle's steps (see ``Timings``).

        Containers on their own timelines: ``runs_for={"sidecar": "2m"}`` makes
        that container exit on its own (with ``exit_code["sidecar"]``) while the
        task runs on (an essential one ends the task); ``container_reason``
        (``{"app": "OutOfMemoryError: Container killed due to memory usage"}``) is
        the reason it shows when it exits; ``unhealthy_after={"app": 120}``: that
        container's health check (from its definition's ``healthCheck``) fails from
        120 s after it started. Containers with a ``dependsOn`` start in its order.

        ``logs``: the lines each container prints (``{"app": ["starting", "done"]}``,
        spread over its run; or ``(offset, text)`` pairs, at that offset from its
        start). They go to CloudWatch Logs where the container's ``awslogs`` options
        say (stream ``<prefix>/<container>/<task id>``), each once the clock passes it.
        """
        arguments.text("cluster", cluster)
        arguments.text("task_definition", task_definition)
        if launch_type not in lifecycle.LAUNCH_TYPES:
            raise ValueError(
                f"launch_type={launch_type!r}; valid: {', '.join(lifecycle.LAUNCH_TYPES)}"
            )
        if containers is not None:
            arguments.check_containers(containers)
        tag_list = to_tag_list(tags)
        for name, value in (
            ("started_by", started_by),
            ("group", group),
            ("capacity_provider", capacity_provider),
        ):
            if value is not None:
                arguments.text(name, value)
        own = {"unhealthy_after": unhealthy_after, "container_reason": container_reason}
        plan = arguments.task_plan(runs_for, exit_code, fail_to_start, timings, logs=logs, **own)
        try:
            entry = self._service.start_task(
                self.region,
                cluster,
                task_definition=task_definition,
                containers=containers,
                launch_type=launch_type,
                tags=tag_list,
                started_by=started_by,
                group=group,
                plan=plan,
                capacity_provider=capacity_provider,
            )
        except EcsError as error:
            if error.code == "ClusterNotFoundException":
                raise ValueError(
                    f"there is no active cluster {cluster!r} in {self.region}: create it first with "
                    f"ecs_tasks.create_cluster({cluster!r})"
                ) from None
            raise client_error(error, "RunTask") from None
        return cast("TaskRecord", entry.describe(self.clock.now(), with_tags=True))

    def plan_runs(
        self,
        *,
        runs_for: Duration | Mapping[str, Duration] | None = None,
        exit_code: int | Mapping[str, int] = 0,
        fail_to_start: str | None = None,
        times: int | None = None,
        unhealthy_after: Mapping[str, Duration] | None = None,
        container_reason: Mapping[str, str] | None = None,
        placement_failure: str | None = None,
        logs: Mapping[str, LogLines] | None = None,
        task_definition: str | None = None,
        **timings: Duration,
    ) -> None:
        """Say how the tasks the code under test starts with boto3's ``run_task``
        will end: the next ``times`` of them (``None``: every one from now on)
        follow this plan instead of running until stopped. The arguments mean
        what they mean for ``run_task``. ``placement_failure``: RunTask places
        no task and answers ``failures`` with that reason instead (``RESOURCE:CPU``,
        ``RESOURCE:MEMORY``, ``RESOURCE:PORTS``, ``RESOURCE:ENI``, ``RESOURCE:GPU``,
        ``AGENT``, ``ATTRIBUTE``, ``LOCATION``, or ``CAPACITY`` for Fargate's
        capacity shortage). ``logs``: what each container prints, as for
        ``run_task``; checked against the task's containers when RunTask starts it
        (a container it lacks, or one with no ``awslogs`` configuration, answers the
        RunTask call with a ``ServerException`` saying so). ``task_definition``: only
        tasks of that definition follow the plan (a family, ``family:revision`` or an
        ARN), whether RunTask or a service's scheduler starts them: a new revision
        that fails to start, while the others run on."""
        plan = arguments.task_plan(
            runs_for,
            exit_code,
            fail_to_start,
            timings,
            placement_failure=placement_failure,
            logs=logs,
            task_definition=task_definition,
            **{"unhealthy_after": unhealthy_after, "container_reason": container_reason},
        )
        arguments.times_or_none(times, "every task")
        self._service.plan_runs(plan, times)

    def stop_task(
        self,
        task: str | Mapping[str, Any],
        *,
        cluster: str = "default",
        reason: str | None = None,
        stop_code: StopCode = "UserInitiated",
    ) -> TaskRecord:
        """Stop a task as StopTask does (its tags go); returns its record now."""
        if stop_code not in lifecycle.STOP_CODES:
            raise ValueError(f"stop_code={stop_code!r}; valid: {', '.join(lifecycle.STOP_CODES)}")
        if reason is not None:
            arguments.text("reason", reason)
        arguments.text("cluster", cluster)
        entry = self._entry(task, cluster)
        self._service.stop_entry(
            entry, code=stop_code, reason=reason or lifecycle.STOPPED_REASONS[stop_code]
        )
        return cast("TaskRecord", entry.describe(self.clock.now(), with_tags=False))

    def add_task(
        self,
        task: Mapping[str, Any] | None = None,
        /,
        *,
        cluster: str = "default",
        **overrides: Any,
    ) -> TaskRecord:
        """Store a ready Task record (from ``TaskFactory`` or pasted from a real
        response) and serve it as given. A STOPPED one expires by ``retention``
        from its ``stoppedAt``. With no record, one is built with ``TaskFactory``.
        ``tags``: a dict or the boto3 list of ``{"key", "value"}``."""
        arguments.text("cluster", cluster)
        if "tags" in overrides:
            overrides["tags"] = to_tag_list(overrides["tags"])
        if task is None:
            from ._factories import TaskFactory

            task = TaskFactory(
                cluster=cluster,
                region=self.region,
                account_id=self.account_id,
                now=self.clock.now(),
                **overrides,
            )
        elif overrides:
            task = {**task, **overrides}
        if not isinstance(task, Mapping):
            raise TypeError(f"add_task() takes a Task record (a dict), got {type(task).__name__}")
        arguments.check_task_record(task)
        try:
            self._service.add_record(self.region, cluster, task)
        except EcsError as error:
            if error.code == "ClusterNotFoundException":
                raise ValueError(
                    f"there is no active cluster {cluster!r} in {self.region}: create it first "
                    f"with ecs_tasks.create_cluster({cluster!r})"
                ) from None
            raise ValueError(f"cluster={cluster!r}: {error.message}") from None
        return cast("TaskRecord", dict(task))

    def _entry(self, task: str | Mapping[str, Any], cluster: str) -> TaskEntry:
        ref = task.get("taskArn") if isinstance(task, Mapping) else task
        if not isinstance(ref, str):
            raise TypeError(f"expected a task id, ARN or record, got {task!r}")
        parsed = arns.parse_task_arn(ref)
        task_id = parsed.task_id if parsed else ref
        region = parsed.region if parsed else self.region
        entry = self._service.region_state(region).tasks.get(task_id)
        if entry is None:
            raise ValueError(
                f"no task {ref!r} in {region}: start one with ecs_tasks.run_task() (a task "
                f"that stopped more than retention={self._service.retention} ago is forgotten)"
            )
        if parsed is None and entry.cluster.name != cluster:
            raise ValueError(f"task {ref!r} is in cluster {entry.cluster.name!r}, not {cluster!r}")
        return entry


def client_error(error: EcsError, operation: str) -> ClientError:
    """The exception boto3 would raise for ``error``."""
    response: Any = {
        "Error": {"Code": error.code, "Message": error.message},
        "ResponseMetadata": {"HTTPStatusCode": error.status},
    }
    return ClientError(response, operation)
