"""``FakeEcs``: the fake ECS task service and the transport that puts it behind boto3."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast, overload

import boto3
from botocore.exceptions import ClientError

from . import _arguments as arguments
from . import _arns as arns
from . import _lifecycle as lifecycle
from ._clock import Clock, When, push_active, travel_with
from ._factories import task_parts
from ._lifecycle import LaunchType, StopCode
from ._service.dispatch import SERVED_OPERATIONS, Call, EcsService
from ._service.errors import EcsError
from ._service.faults import Fault
from ._service.state import TaskEntry
from ._settings import (
    InvalidTaskIds,
    Settings,
    Source,
    TaskOrder,
    check,
    settings_from,
)
from ._started import StartStop
from ._tags import TagsInput, to_tag_list
from ._transport import moto_ec2, moto_ecs, moto_placement
from ._transport.environment import isolate
from ._transport.moto_bridge import EcsRoute
from ._transport.virtual_time import install_sleeper

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient

    from ._record_types import ClusterRecord, TaskRecord

__all__ = ["FakeEcs"]

#: A duration as the Python API takes it: a timedelta, seconds, or text like "5m".
Duration = timedelta | float | str


class _RuntimeSetting:
    """A setting a running fake can change: read from its service, checked by
    ``_settings`` when set (``fake.retention = "90m"``)."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc

    @overload
    def __get__(self, fake: None, owner: type[FakeEcs]) -> _RuntimeSetting: ...

    @overload
    def __get__(self, fake: FakeEcs, owner: type[FakeEcs]) -> timedelta: ...

    def __get__(self, fake: FakeEcs | None, owner: type[FakeEcs]) -> timedelta | _RuntimeSetting:
        if fake is None:
            return self
        value: timedelta = getattr(fake._service, self.name)
        return value

    def __set__(self, fake: FakeEcs, value: timedelta | float | str) -> None:
        setattr(fake._service, self.name, check(self.name, value, _SETTER))


class FakeEcs(StartStop):
    """A fake Amazon ECS task service with a controllable clock.

    While started, every boto3 ECS client (any region) is answered by the fake
    for the task and cluster operations, and by moto for the rest. Use it as a
    context manager, or ``start()`` / ``stop()``; in pytest, use the
    ``ecs_tasks`` fixture.
    """

    def __init__(
        self,
        region: str = Settings.region,
        account_id: str = Settings.account_id,
        *,
        start: When | None = None,
        retention: timedelta | float | str = Settings.retention,
        long_arn_format: bool = Settings.long_arn_format,
        eventual_consistency: timedelta | float | str = Settings.eventual_consistency,
        time_machine: bool = Settings.time_machine,
        invalid_task_ids: InvalidTaskIds = Settings.invalid_task_ids,
        task_order: TaskOrder = Settings.task_order,
        calls_limit: int = Settings.calls_limit,
        seed: int | None = Settings.seed,
    ) -> None:
        given = dict(locals())
        del given["self"]
        self._configure(settings_from([(Source("FakeEcs()", surface="FakeEcs"), given)]))

    def _configure(self, settings: Settings) -> None:
        if settings.seed is not None:
            from ._factories import reseed

            reseed(settings.seed)
        self._settings = settings
        self.region = settings.region
        self.account_id = settings.account_id
        self.time_machine = settings.time_machine
        self.clock = Clock(settings.start)
        self._start = self.clock.now()
        self._service = self._new_service()
        # Through self, so that reset() can put a fresh service behind the same route.
        self._route = EcsRoute(self._dispatch)
        self._undo: list[Any] = []
        self._lock = threading.Lock()

    @classmethod
    def _from_settings(cls, settings: Settings) -> FakeEcs:
        """A fake configured by settings already checked (the plugin's, the command
        line's), reseeding the factories first when they name a seed."""
        fake = cls.__new__(cls)
        fake._configure(settings)
        return fake

    def _new_service(self) -> EcsService:
        service = EcsService(
            self.clock,
            task_parts,
            self._settings,
            task_definitions=moto_ecs.task_definition,
            cluster_mirror=moto_ecs.MotoClusters(),
        )
        # RunTask reads a cluster's capacity and container instances from moto's ECS,
        # and checks subnets and makes ENIs in moto's EC2.
        service.placement = moto_placement.MotoPlacement()
        service.network = moto_ec2.MotoNetwork()
        return service

    def _dispatch(
        self, region: str, operation: str, body: bytes
    ) -> tuple[int, dict[str, str], bytes] | None:
        return self._service.dispatch(region, operation, body)

    def reset(self) -> None:
        """Back to a fresh fake with the same settings: no clusters, tasks, faults,
        plans or calls, the clock back at its start, and moto's ECS state (task
        definitions, services, ...) of the fake's account cleared. The same
        ``FakeEcs`` and ``Clock`` objects stay in use, started or not."""
        with self._lock:
            self.clock._rewind(self._start)
            self._service = self._new_service()
            moto_ecs.reset_account(self.account_id)

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"<FakeEcs {self.region} {self.account_id} {state} clock={self.clock.now().isoformat()}>"

    # -- starting and stopping ---------------------------------------------------------

    @property
    def active(self) -> bool:
        return bool(self._undo)

    def start(self) -> FakeEcs:
        """Serve ECS requests from now on (starts or joins moto's ``mock_aws``)."""
        with self._lock:
            if self._undo:
                raise RuntimeError("this FakeEcs is already started; stop() it first")
            self._undo.append(isolate(self.region))
            try:
                self._route.start()
                self._undo.append(self._route.stop)
                self._undo.append(install_sleeper(self.clock.sleep))
                self._undo.append(push_active(self.clock))
                if self.time_machine:
                    self._undo += travel_with(self.clock)
            except BaseException:
                self._stop_locked()
                raise
        return self

    def stop(self) -> None:
        """Undo everything ``start()`` did. Safe to call twice."""
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        while self._undo:
            self._undo.pop()()

    # -- settings ---------------------------------------------------------------------

    retention = _RuntimeSetting(
        "retention", "How long a STOPPED task stays describable (default: 1 hour)."
    )
    eventual_consistency = _RuntimeSetting(
        "eventual_consistency",
        "How long a task RunTask just started stays MISSING to DescribeTasks (default 0).",
    )

    def _current_settings(self) -> Settings:
        """The settings as they are now (retention and eventual_consistency can change)."""
        return dataclasses.replace(
            self._settings,
            retention=self.retention,
            eventual_consistency=self.eventual_consistency,
        )

    @property
    def calls(self) -> list[Call]:
        """The API calls the fake answered, in order: the most recent
        ``calls_limit`` of them (default 200)."""
        return list(self._service.calls)

    @property
    def calls_limit(self) -> int:
        """How many of the most recent calls :attr:`calls` keeps."""
        return self._service.calls_limit

    # -- the Python API -------------------------------------------------------------------

    def client(self, region_name: str | None = None) -> ECSClient:
        """A boto3 ECS client answered by the fake."""
        if not self.active:
            raise RuntimeError("start the fake first (with FakeEcs(...) as fake: or fake.start())")
        region = self.region if region_name is None else check("region", region_name, _CLIENT)
        return boto3.client("ecs", region_name=region)

    def _call(
        self, operation: str, params: dict[str, Any], region: str | None = None
    ) -> dict[str, Any]:
        try:
            return self._service.handle(region or self.region, operation, params, record=False)
        except EcsError as error:
            raise _client_error(error, operation) from None

    def create_cluster(
        self,
        name: str = "default",
        *,
        tags: TagsInput | None = None,
        container_instances: int = 0,
    ) -> ClusterRecord:
        """Create a cluster (a new incarnation if the name was deleted); returns its record.
        ``tags``: a dict or the boto3 list of ``{"key", "value"}``.
        ``container_instances``: register that many EC2 container instances in it (EC2
        instances in moto's EC2, registered through RegisterContainerInstance), as
        tasks on the EC2 launch type need; the fake must be started."""
        params: dict[str, Any] = {"clusterName": arguments.text("name", name)}
        tag_list = to_tag_list(tags)
        if tag_list:
            params["tags"] = tag_list
        count = arguments.count("container_instances", container_instances, most=100)
        if count and not self.active:
            raise RuntimeError(
                "container_instances= registers them through moto: start the fake first "
                "(with FakeEcs(...) as fake: or fake.start())"
            )
        record = self._call("CreateCluster", params)["cluster"]
        if count:
            moto_ecs.register_container_instances(self.region, name, count)
            record = self._call("DescribeClusters", {"clusters": [name]})["clusters"][0]
        return cast("ClusterRecord", record)

    def delete_cluster(self, name: str) -> ClusterRecord:
        """Delete a cluster as DeleteCluster does (``ClusterContainsTasksException``, and the
        services and container instances moto holds for it, included)."""
        params = {"cluster": arguments.text("name", name)}
        return cast("ClusterRecord", self._call("DeleteCluster", params)["cluster"])

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
        plan = arguments.task_plan(runs_for, exit_code, fail_to_start, timings, **own)
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
            raise _client_error(error, "RunTask") from None
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
        **timings: Duration,
    ) -> None:
        """Say how the tasks the code under test starts with boto3's ``run_task``
        will end: the next ``times`` of them (``None``: every one from now on)
        follow this plan instead of running until stopped. The arguments mean
        what they mean for :meth:`run_task`. ``placement_failure``: RunTask places
        no task and answers ``failures`` with that reason instead (``RESOURCE:CPU``,
        ``RESOURCE:MEMORY``, ``RESOURCE:PORTS``, ``RESOURCE:ENI``, ``RESOURCE:GPU``,
        ``AGENT``, ``ATTRIBUTE``, ``LOCATION``, or ``CAPACITY`` for Fargate's
        capacity shortage)."""
        plan = arguments.task_plan(
            runs_for,
            exit_code,
            fail_to_start,
            timings,
            placement_failure=placement_failure,
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

    def fail(
        self, operation: str, code: str, message: str | None = None, *, times: int | None = 1
    ) -> Fault:
        """The next ``times`` calls of ``operation`` answer with that ECS error
        (``times=None``: every call until the test ends)."""
        if not isinstance(operation, str) or operation not in SERVED_OPERATIONS:
            raise ValueError(
                f"the fake does not serve {operation!r}; it can fail: {', '.join(sorted(SERVED_OPERATIONS))}"
            )
        valid = arguments.fault_codes(operation)
        if not isinstance(code, str) or code not in valid:
            raise ValueError(
                f"{operation} never answers {code!r}; it can answer: {', '.join(valid)}"
            )
        if message is not None and not isinstance(message, str):
            raise TypeError(f"message={message!r}: give the error's message as a str, or None")
        arguments.times_or_none(times, "every call")
        return self._service.fail(operation, code, message, times=times)

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
                f"that stopped more than retention={self.retention} ago is forgotten)"
            )
        if parsed is None and entry.cluster.name != cluster:
            raise ValueError(f"task {ref!r} is in cluster {entry.cluster.name!r}, not {cluster!r}")
        return entry


_SETTER = Source("setting a FakeEcs attribute", surface="FakeEcs")
_CLIENT = Source("FakeEcs.client()", surface="FakeEcs")


def _client_error(error: EcsError, operation: str) -> ClientError:
    """The exception boto3 would raise for ``error``."""
    response: Any = {
        "Error": {"Code": error.code, "Message": error.message},
        "ResponseMetadata": {"HTTPStatusCode": error.status},
    }
    return ClientError(response, operation)
