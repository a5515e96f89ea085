"""``FakeEcs``: the fake ECS task service and the transport that puts it behind boto3."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.exceptions import ClientError

from . import _arns as arns
from . import _lifecycle as lifecycle
from ._clock import Clock, When, push_active, to_duration
from ._factories import _parts
from ._service.ecs import Call, EcsService, TaskPlan
from ._service.errors import EcsError
from ._service.faults import Fault
from ._service.state import TaskEntry
from ._settings import (
    DEFAULT_CALLS_LIMIT,
    InvalidTaskIds,
    Settings,
    Source,
    TaskOrder,
    check,
    settings_from,
)
from ._tags import TagsInput, to_tag_list
from ._transport.environment import isolate
from ._transport.moto_bridge import EcsRoute
from ._transport.moto_clusters import MotoClusters
from ._transport.virtual_time import install_sleeper

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient

    from ._record_types import ClusterRecord, TaskRecord

__all__ = ["FakeEcs"]


class _Records:
    """The factories' static parts, for the tasks the service starts."""

    def new_task_id(self, *, old_format: bool = False) -> str:
        return _parts.new_task_id(old_format=old_format)

    def static_task(self, identity: arns.TaskIdentity, **kwargs: Any) -> dict[str, Any]:
        return _parts.static_task(identity, **kwargs)


def _moto_task_definition(region: str, account_id: str, reference: str) -> Mapping[str, Any] | None:
    """A task definition registered through moto, as a TaskDefinition record."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ecs.models import ecs_backends

    for account in dict.fromkeys((account_id, DEFAULT_ACCOUNT_ID)):
        try:
            backend = ecs_backends[account][region]
            definition = backend.describe_task_definition(reference)
        except Exception:
            continue
        return {
            "taskDefinitionArn": definition.arn,
            "family": definition.family,
            "revision": definition.revision,
            "containerDefinitions": list(definition.container_definitions),
            "networkMode": getattr(definition, "network_mode", None),
            "requiresCompatibilities": list(
                getattr(definition, "requires_compatibilities", None) or []
            ),
            "cpu": getattr(definition, "cpu", None),
            "memory": getattr(definition, "memory", None),
        }
    return None


class FakeEcs:
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
        calls_limit: int = DEFAULT_CALLS_LIMIT,
    ) -> None:
        settings = settings_from(
            [
                (
                    Source("FakeEcs()"),
                    {
                        "region": region,
                        "account_id": account_id,
                        "start": start,
                        "retention": retention,
                        "long_arn_format": long_arn_format,
                        "eventual_consistency": eventual_consistency,
                        "time_machine": time_machine,
                        "invalid_task_ids": invalid_task_ids,
                        "task_order": task_order,
                        "calls_limit": calls_limit,
                    },
                )
            ]
        )
        self.region = settings.region
        self.account_id = settings.account_id
        self.time_machine = settings.time_machine
        self.clock = Clock(settings.start)
        self._settings = settings
        self._start = self.clock.now()
        self._service = self._new_service()
        # Through self, so that reset() can put a fresh service behind the same route.
        self._route = EcsRoute(self._dispatch)
        self._undo: list[Any] = []
        self._lock = threading.Lock()

    def _new_service(self) -> EcsService:
        settings = self._settings
        return EcsService(
            self.clock,
            _Records(),
            account_id=self.account_id,
            retention=settings.retention,
            long_arn_format=settings.long_arn_format,
            task_definitions=_moto_task_definition,
            cluster_mirror=MotoClusters(),
            eventual_consistency=settings.eventual_consistency,
            invalid_task_ids=settings.invalid_task_ids,
            task_order=settings.task_order,
            calls_limit=settings.calls_limit,
        )

    def _dispatch(self, region: str, operation: str, body: bytes) -> Any:
        return self._service.dispatch(region, operation, body)

    def reset(self) -> None:
        """Back to a fresh fake with the same settings: no clusters, tasks, faults,
        plans or calls, the clock back at its start, and moto's ECS state (task
        definitions, services, ...) of the fake's account cleared. The same
        ``FakeEcs`` and ``Clock`` objects stay in use, started or not."""
        with self._lock:
            self.clock._rewind(self._start)
            self._service = self._new_service()
            _reset_moto_ecs(self.account_id)

    @classmethod
    def from_settings(cls, settings: Settings) -> FakeEcs:
        """A fake configured by the plugin's or the command line's settings
        (reseeding the factories first when they name a seed)."""
        if settings.seed is not None:
            from ._factories import reseed

            reseed(settings.seed)
        return cls(
            settings.region,
            settings.account_id,
            start=settings.start,
            retention=settings.retention,
            long_arn_format=settings.long_arn_format,
            eventual_consistency=settings.eventual_consistency,
            time_machine=settings.time_machine,
            invalid_task_ids=settings.invalid_task_ids,
            task_order=settings.task_order,
            calls_limit=settings.calls_limit,
        )

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
                    self._undo += _travel_with(self.clock)
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

    def __enter__(self) -> FakeEcs:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> FakeEcs:
        """``async with FakeEcs() as fake:``, the same as ``with``: starting and
        stopping never wait, so an async test can use either."""
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- settings ---------------------------------------------------------------------

    @property
    def retention(self) -> timedelta:
        """How long a STOPPED task stays describable (default: 1 hour)."""
        return self._service.retention

    @retention.setter
    def retention(self, value: timedelta | float | str) -> None:
        self._service.retention = check("retention", value, _SETTER)

    @property
    def eventual_consistency(self) -> timedelta:
        """How long a task RunTask just started stays MISSING to DescribeTasks (default 0)."""
        return self._service.eventual_consistency

    @eventual_consistency.setter
    def eventual_consistency(self, value: timedelta | float | str) -> None:
        self._service.eventual_consistency = check("eventual_consistency", value, _SETTER)

    @property
    def calls(self) -> list[Call]:
        """The API calls the fake answered, in order: the most recent
        ``calls_limit`` of them (default 200)."""
        return list(self._service.calls)

    @property
    def calls_limit(self) -> int:
        """How many of the most recent calls :attr:`calls` keeps."""
        return self._service.calls_limit

    @property
    def service(self) -> EcsService:
        """The service behind the fake (its state, for reports and tools)."""
        return self._service

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
        self, name: str = "default", *, tags: TagsInput | None = None
    ) -> ClusterRecord:
        """Create a cluster (a new incarnation if the name was deleted); returns its record.
        ``tags``: a dict or the boto3 list of ``{"key", "value"}``."""
        params: dict[str, Any] = {"clusterName": _name("name", name)}
        tag_list = to_tag_list(tags)
        if tag_list:
            params["tags"] = tag_list
        return cast("ClusterRecord", self._call("CreateCluster", params)["cluster"])

    def delete_cluster(self, name: str) -> ClusterRecord:
        """Delete a cluster as DeleteCluster does (``ClusterContainsTasksException``, and the
        services and container instances moto holds for it, included)."""
        params = {"cluster": _name("name", name)}
        return cast("ClusterRecord", self._call("DeleteCluster", params)["cluster"])

    def run_task(
        self,
        cluster: str = "default",
        *,
        task_definition: str = "app:1",
        containers: Sequence[Mapping[str, Any]] | None = None,
        launch_type: str = "FARGATE",
        tags: TagsInput | None = None,
        started_by: str | None = None,
        group: str | None = None,
        runs_for: timedelta | float | str | None = None,
        exit_code: int | Mapping[str, int] = 0,
        fail_to_start: str | None = None,
        capacity_provider: str | None = None,
        **timings: timedelta | float | str,
    ) -> TaskRecord:
        """Start a task that walks its lifecycle as the clock moves; returns its record now.

        ``runs_for``: its essential containers exit that long after RUNNING
        (``None``: it runs until stopped). ``exit_code``: what they exit with (an
        int for the essential containers, or ``{name: code}``). ``fail_to_start``:
        the reason it stops with ``TaskFailedToStart`` instead. ``capacity_provider``:
        ``FARGATE_SPOT`` for a Spot task. ``tags``: a dict or the boto3 list of
        ``{"key", "value"}``. Durations (``runs_for``, ``**timings``) take a
        ``timedelta``, seconds or text like ``"5m"``. ``**timings`` override the
        lifecycle's steps (see ``lifecycle.Timings``).
        """
        _name("cluster", cluster)
        _name("task_definition", task_definition)
        if launch_type not in lifecycle.LAUNCH_TYPES:
            raise ValueError(
                f"launch_type={launch_type!r}; valid: {', '.join(lifecycle.LAUNCH_TYPES)}"
            )
        if containers is not None:
            _check_containers(containers)
        tag_list = to_tag_list(tags)
        for name, value in (
            ("started_by", started_by),
            ("group", group),
            ("capacity_provider", capacity_provider),
        ):
            if value is not None:
                _name(name, value)
        plan = _task_plan(runs_for, exit_code, fail_to_start, timings)
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
        runs_for: timedelta | float | str | None = None,
        exit_code: int | Mapping[str, int] = 0,
        fail_to_start: str | None = None,
        times: int | None = None,
        **timings: timedelta | float | str,
    ) -> None:
        """Say how the tasks the code under test starts with boto3's ``run_task``
        will end: the next ``times`` of them (``None``: every one from now on)
        follow this plan instead of running until stopped. The arguments mean
        what they mean for :meth:`run_task`."""
        plan = _task_plan(runs_for, exit_code, fail_to_start, timings)
        _times(times, "every task")
        self._service.plan_runs(plan, times)

    def stop_task(
        self,
        task: str | Mapping[str, Any],
        *,
        cluster: str = "default",
        reason: str | None = None,
        stop_code: str = "UserInitiated",
    ) -> TaskRecord:
        """Stop a task as StopTask does (its tags go); returns its record now."""
        if stop_code not in lifecycle.STOP_CODES:
            raise ValueError(f"stop_code={stop_code!r}; valid: {', '.join(lifecycle.STOP_CODES)}")
        if reason is not None:
            _name("reason", reason)
        _name("cluster", cluster)
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
        _name("cluster", cluster)
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
        from ._model import RecordError, validate_shape

        try:
            validate_shape("Task", task)
        except RecordError as exc:
            raise ValueError(f"add_task(): {exc}") from None
        try:
            self._service.add_record(self.region, cluster, task)
        except EcsError as error:
            raise ValueError(
                f"there is no active cluster {cluster!r} in {self.region}: create it first with "
                f"ecs_tasks.create_cluster({cluster!r})"
            ) from error
        return cast("TaskRecord", dict(task))

    def fail(
        self, operation: str, code: str, message: str | None = None, *, times: int | None = 1
    ) -> Fault:
        """The next ``times`` calls of ``operation`` answer with that ECS error
        (``times=None``: every call until the test ends)."""
        from ._service.ecs import SERVED_OPERATIONS

        if not isinstance(operation, str) or operation not in SERVED_OPERATIONS:
            raise ValueError(
                f"the fake does not serve {operation!r}; it can fail: {', '.join(sorted(SERVED_OPERATIONS))}"
            )
        valid = _fault_codes(operation)
        if not isinstance(code, str) or code not in valid:
            raise ValueError(
                f"{operation} never answers {code!r}; it can answer: {', '.join(valid)}"
            )
        if message is not None and not isinstance(message, str):
            raise TypeError(f"message={message!r}: give the error's message as a str, or None")
        _times(times, "every call")
        return self._service.fail(operation, code, message, times=times)

    def _entry(self, task: str | Mapping[str, Any], cluster: str) -> TaskEntry:
        ref = task.get("taskArn") if isinstance(task, Mapping) else task
        if not isinstance(ref, str):
            raise TypeError(f"expected a task id, ARN or record, got {task!r}")
        parsed = arns.parse_task_arn(ref)
        task_id = parsed.task_id if parsed else ref
        region = parsed.region if parsed else self.region
        entry = self._service.region(region).tasks.get(task_id)
        if entry is None:
            raise ValueError(
                f"no task {ref!r} in {region}: start one with ecs_tasks.run_task() (a task "
                f"that stopped more than retention={self.retention} ago is forgotten)"
            )
        if parsed is None and entry.cluster.name != cluster:
            raise ValueError(f"task {ref!r} is in cluster {entry.cluster.name!r}, not {cluster!r}")
        return entry


def _reset_moto_ecs(account_id: str) -> None:
    """Clear moto's ECS state of ``account_id`` in every region (if moto is loaded)."""
    import sys

    if "moto.ecs.models" not in sys.modules:
        return
    from moto.ecs.models import ecs_backends

    for backend in list(ecs_backends[account_id].values()):
        backend.reset()


def _check_containers(containers: object) -> None:
    """Container definitions as RegisterTaskDefinition takes them, each with a name."""
    if not isinstance(containers, Sequence) or isinstance(containers, (str, bytes)):
        raise TypeError(
            "containers must be a list of container definitions, like "
            '[{"name": "app", "image": "nginx", "essential": True}]'
        )
    from ._model import RecordError, validate_shape

    for i, container in enumerate(containers):
        if not isinstance(container, Mapping) or not container.get("name"):
            raise ValueError(
                f"containers[{i}] needs a name, like {{'name': 'app', 'image': 'nginx'}}"
            )
        try:
            validate_shape("ContainerDefinition", container)
        except RecordError as exc:
            raise ValueError(f"containers[{i}]: {exc}") from None


def _name(name: str, value: object) -> str:
    """A non-empty string argument, or an error naming it."""
    if not isinstance(value, str):
        raise TypeError(f"{name}={value!r}: give a str")
    if not value.strip():
        raise ValueError(f"{name}={value!r}: cannot be empty")
    return value


def _times(times: object, meaning_of_none: str) -> None:
    if times is None:
        return
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ValueError(f"times must be a positive int or None ({meaning_of_none}), got {times!r}")


#: The exit codes a container can report: a process's exit status.
_EXIT_CODES = range(256)


def _exit_code(name: str, code: object) -> int:
    if isinstance(code, bool) or not isinstance(code, int):
        raise TypeError(f"{name}={code!r}: give an int from 0 to 255")
    if code not in _EXIT_CODES:
        raise ValueError(f"{name}={code!r}: an exit code is from 0 to 255")
    return code


def _task_plan(
    runs_for: object,
    exit_code: object,
    fail_to_start: object,
    timings: Mapping[str, object],
) -> TaskPlan:
    """A checked plan of how a task ends."""
    run = None
    if runs_for is not None:
        try:
            run = to_duration(runs_for)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"runs_for={runs_for!r}: {exc}; or None to run until stopped") from None
    if isinstance(exit_code, Mapping):
        exits: int | Mapping[str, int] = {
            _name("exit_code's container name", name): _exit_code(f"exit_code[{name!r}]", code)
            for name, code in exit_code.items()
        }
    elif isinstance(exit_code, int) and not isinstance(exit_code, bool):
        exits = _exit_code("exit_code", exit_code)
    else:
        raise TypeError(
            f"exit_code={exit_code!r}: give an int from 0 to 255 for the essential containers, "
            "or a dict like {'app': 1}"
        )
    if fail_to_start is not None:
        _name("fail_to_start", fail_to_start)
        if run is not None:
            raise ValueError(
                "a task that fails to start never runs: pass runs_for or fail_to_start, not both"
            )
    steps: dict[str, timedelta] = {}
    for name, value in timings.items():
        try:
            steps[name] = to_duration(value)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{name}={value!r}: {exc}") from None
    lifecycle.Timings.from_kwargs(steps)  # unknown timings fail here, now
    return TaskPlan(
        runs_for=run,
        exit_code=exits,
        fail_to_start=cast("str | None", fail_to_start),
        timings=steps,
    )


def _travel_with(clock: Clock) -> list[Callable[[], None]]:
    """Freeze ``datetime.now()`` and ``time.time()`` at the clock's time and move
    them with it (time-machine); returns what undoes that, in start order."""
    try:
        import time_machine
    except ImportError:
        raise RuntimeError(
            "time_machine=True needs the time-machine package: pip install time-machine"
        ) from None
    travel = time_machine.travel(clock.now(), tick=False)
    traveller = travel.start()
    return [travel.stop, clock.on_move(traveller.move_to)]


def _fault_codes(operation: str) -> tuple[str, ...]:
    """The error codes ``operation`` can answer with: botocore's model's, and the
    two every operation meets whatever the model of the day declares (throttling,
    and a caller not allowed; older models leave AccessDeniedException out)."""
    from ._model import operation_model

    declared = [shape.name for shape in operation_model(operation).error_shapes]
    return tuple(sorted({*declared, "ThrottlingException", "AccessDeniedException"}))


def unused_faults_message(fake: FakeEcs) -> str | None:
    """What to tell the user about faults injected with ``fail()`` that answered no call."""
    unused = fake.service.faults.unused()
    if not unused:
        return None
    lines = ["These faults were injected with ecs_tasks.fail() but answered no call:"]
    lines += [f"  - {fault}" for fault in unused]
    lines.append(
        "Make the calls they were meant for, drop them, or mark the test with "
        "@pytest.mark.ecs_tasks(assert_all_faults_used=False)."
    )
    return "\n".join(lines)


_SETTER = Source("setting a FakeEcs attribute")
_CLIENT = Source("FakeEcs.client()")


def _client_error(error: EcsError, operation: str) -> ClientError:
    """The exception boto3 would raise for ``error``."""
    response: Any = {
        "Error": {"Code": error.code, "Message": error.message},
        "ResponseMetadata": {"HTTPStatusCode": error.status},
    }
    return ClientError(response, operation)


def state_report(fake: FakeEcs) -> str:
    """The fake's state as text: clock, clusters, each task's status and timeline, calls."""
    now = fake.clock.now()
    lines = [
        f"clock: {now.isoformat()}  region: {fake.region}  account: {fake.account_id}  retention: {fake.retention}"
    ]
    for reg in fake.service.regions():
        for name, incarnations in reg.clusters.items():
            for number, cluster in enumerate(incarnations, start=1):
                deleted = (
                    f", deleted {cluster.deleted_at.isoformat()}" if cluster.deleted_at else ""
                )
                lines.append(f"cluster {reg.region}/{name} #{number} {cluster.status}{deleted}")
                for task_id in cluster.task_ids:
                    entry = reg.tasks[task_id]
                    status = entry.last_status(now)
                    lines.append(f"  task {task_id} {status}")
                    if entry.timeline is not None:
                        stages = ", ".join(
                            f"{s} {at.time().isoformat('milliseconds')}"
                            for s, at in entry.timeline.stages
                        )
                        lines.append(f"    timeline: {stages}")
                        if entry.timeline.stop is not None:
                            stop = entry.timeline.stop
                            lines.append(
                                f"    stop: {stop.code} at {stop.requested_at.isoformat()}: {stop.reason}"
                            )
                    else:
                        lines.append("    added record, served as given")
    calls = fake.calls
    total = fake.service.calls_total
    kept = f" (the last {len(calls)} kept; calls_limit={fake.service.calls_limit})"
    lines.append(f"calls: {total}{kept if total > len(calls) else ''}")
    for call in calls[-50:]:
        outcome = f"-> {call.error.code}: {call.error.message}" if call.error else "-> ok"
        lines.append(
            f"  {call.at.time().isoformat('seconds')} {call.region} {call.operation} {_brief(call.params)} {outcome}"
        )
    if total > min(len(calls), 50):
        lines.append(f"  ... and {total - min(len(calls), 50)} earlier calls")
    return "\n".join(lines)


def _brief(params: Mapping[str, Any]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in params.items())
    return text if len(text) <= 160 else text[:157] + "..."
