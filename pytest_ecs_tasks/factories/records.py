"""factory_boy factories for ECS records, shaped exactly like boto3's parsed responses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import factory

from .. import arns, lifecycle, model
from ..clock import current_time, to_utc
from . import _parts

if TYPE_CHECKING:
    from ..records import ContainerRecord, FailureRecord, TaskRecord

__all__ = [
    "ContainerFactory",
    "DescribeTasksResponseFactory",
    "FailureFactory",
    "TaskFactory",
    "build_task",
]

_TASK_MEMBERS = model.members("Task")
_CONTAINER_MEMBERS = model.members("Container")
#: Container definition members a ``containers`` entry may carry besides Container members.
_DEFINITION_ONLY = frozenset({"essential", "portMappings", "command", "environment", "entryPoint"})
_OPEN_STATUSES = ("PROVISIONING", "PENDING", "ACTIVATING", "RUNNING")
_ARN_MEMBERS = ("taskArn", "clusterArn", "containerInstanceArn", "taskDefinitionArn")
#: Exit codes an essential container that failed typically reports.
FAILURE_EXIT_CODES = (1, 1, 1, 2, 127, 137, 139, 255)


def _choices(field: str, value: object, valid: tuple[str, ...]) -> None:
    if value not in valid:
        raise ValueError(
            f"{field}={value!r} is not a value the service returns; valid: {', '.join(valid)}"
        )


def _seconds(low: float, high: float) -> timedelta:
    return timedelta(seconds=_parts.randgen().uniform(low, high))


def _identity(params: dict[str, Any]) -> arns.TaskIdentity:
    """Where the task lives: from ``taskArn`` if one was given, else from the params."""
    long_format = params.pop("long_arn_format")
    region = params.pop("region")
    account_id = params.pop("account_id")
    cluster = params.pop("cluster")
    given_arn = params.pop("taskArn", None)
    if given_arn is None:
        arns.check_region(region)
        arns.check_account(account_id)
        arns.check_cluster_name(cluster)
        return arns.TaskIdentity(
            region,
            account_id,
            cluster,
            _parts.new_task_id(old_format=not long_format),
            long_arn_format=long_format,
        )
    parsed = arns.parse_task_arn(given_arn) if isinstance(given_arn, str) else None
    if parsed is None or not arns.is_task_id(parsed.task_id):
        raise ValueError(
            f"taskArn={given_arn!r} is not a task ARN; write it like "
            "'arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef'"
        )
    return arns.TaskIdentity(
        parsed.region,
        parsed.account_id,
        parsed.cluster or cluster,
        parsed.task_id,
        long_arn_format=parsed.cluster is not None,
    )


def _place(timeline: lifecycle.Timeline, target: str, stop_code: str | None) -> datetime:
    """A moment at which ``timeline`` shows ``target`` as its ``lastStatus``."""
    names = [name for name, _ in timeline.stages]
    if target not in names:
        reason = f"with stopCode={stop_code!r}" if stop_code else "on this launch type"
        raise ValueError(
            f"lastStatus={target!r} never happens {reason}; it goes through " + " -> ".join(names)
        )
    index = names.index(target)
    start = timeline.stages[index][1]
    if index + 1 < len(timeline.stages):
        end = timeline.stages[index + 1][1]
        within: datetime = start + (end - start) * _parts.randgen().uniform(0.1, 0.9)
        return within
    if target == "STOPPED":
        return start + _seconds(60, 40 * 60)
    later: datetime = start + _seconds(30, 6 * 3600)
    return later


def build_task(params: dict[str, Any]) -> dict[str, Any]:
    """Assemble a Task record from a TaskFactory's resolved declarations."""
    params = dict(params)
    now = to_utc(params.pop("now") or current_time())
    identity = _identity(params)
    launch_type = params.pop("launchType")
    _choices("launchType", launch_type, lifecycle.LAUNCH_TYPES)
    target = params.pop("lastStatus")
    _choices("lastStatus", target, lifecycle.TASK_STATUSES)
    stop_code = params.pop("stopCode", None)
    if stop_code is None and target in ("DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"):
        stop_code = "EssentialContainerExited"
    if stop_code is not None:
        _choices("stopCode", stop_code, lifecycle.STOP_CODES)
    if "desiredStatus" in params:
        _choices("desiredStatus", params["desiredStatus"], lifecycle.DESIRED_STATUSES)
    reason = params.pop("stoppedReason", None) or (
        lifecycle.STOPPED_REASONS.get(stop_code, "") if stop_code else None
    )
    exit_code = params.pop("exit_code")
    container_specs: list[Mapping[str, Any]] | None = params.pop("containers", None)
    if container_specs is not None and (
        not isinstance(container_specs, (list, tuple))
        or not all(isinstance(c, Mapping) for c in container_specs)
    ):
        raise ValueError("containers must be a list of dicts (Container members or definitions)")

    for member in ("cpu", "memory"):
        if member in params and not isinstance(params[member], str):
            raise ValueError(
                f"{member}={params[member]!r}: the API sends a task's cpu and memory as strings, "
                f"like {member}='{'256' if member == 'cpu' else '512'}'"
            )
    static = _parts.static_task(
        identity,
        launch_type=launch_type,
        containers=container_specs,
        tags=params.pop("tags", None) or (),
        group=params.pop("group", None),
        started_by=params.pop("startedBy", None),
        capacity_provider=params.pop("capacityProviderName", None),
        cpu=params.pop("cpu", None),
        memory=params.pop("memory", None),
    )
    awsvpc = launch_type != "EC2"
    timings = lifecycle.Timings() if awsvpc else lifecycle.EC2_TIMINGS
    origin = now - timedelta(days=1)
    if stop_code == "TaskFailedToStart":
        planned = lifecycle.Timeline.plan(
            origin, awsvpc=awsvpc, timings=timings, start_failure=reason
        )
    else:
        planned = lifecycle.Timeline.plan(origin, awsvpc=awsvpc, timings=timings)
    # Place `now` inside the target stage. Whole-second instants (executionStoppedAt)
    # move a little when the plan is shifted, so check and draw again if needed.
    for _ in range(50):
        timeline = planned
        if stop_code == "TaskFailedToStart" and target in _OPEN_STATUSES:
            assert planned.stop is not None
            at = planned.stop.requested_at
            if planned.at(at).last_status != target:
                stages = " -> ".join(name for name, _ in planned.stages)
                raise ValueError(
                    f"lastStatus={target!r} never happens with stopCode={stop_code!r}; "
                    f"it goes through {stages} and the stop comes in "
                    f"{planned.at(at).last_status}"
                )
            moment = at + timeline.timings.stop_lag * _parts.randgen().uniform(0.1, 0.9)
        elif stop_code is not None and stop_code != "TaskFailedToStart":
            if target in _OPEN_STATUSES:
                # A stop was asked for a moment ago; lastStatus has not moved yet.
                at = _place(timeline, target, None)
                timeline = timeline.stopped(at, stop_code, reason or "")
                window = timeline.timings.stop_lag
                exited = timeline.instants.get("executionStoppedAt")
                if exited is not None:
                    window = min(window, exited - at)
                moment = at + window * _parts.randgen().uniform(0.1, 0.9)
            else:
                ran_for = _seconds(20, 3 * 3600)
                started = timeline.instants["startedAt"]
                timeline = timeline.stopped(started + ran_for, stop_code, reason or "")
                moment = _place(timeline, target, stop_code)
        else:
            moment = _place(timeline, target, stop_code)
        timeline = timeline.shifted(now - moment)
        if timeline.at(now).last_status == target:
            return _finish(static, timeline, now, params, exit_code, container_specs)
    raise AssertionError(f"could not place lastStatus={target!r}")  # pragma: no cover


def _finish(
    static: dict[str, Any],
    timeline: lifecycle.Timeline,
    now: datetime,
    overrides: dict[str, Any],
    exit_code: int | None,
    container_specs: list[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    containers = static["containers"]
    specs = list(container_specs or [{} for _ in containers])
    exits: dict[str, lifecycle.ContainerExit] = {}
    for i, (container, spec) in enumerate(zip(containers, specs, strict=True)):
        code = spec.get("exitCode", exit_code if i == 0 else None)
        if code is not None or spec.get("reason") is not None:
            exits[container["name"]] = lifecycle.ContainerExit(code, spec.get("reason"))
    task = lifecycle.render_task(static, timeline, now, exits)
    for container, spec in zip(task.get("containers", ()), specs, strict=True):
        unknown_members = sorted(set(spec) - _CONTAINER_MEMBERS - _DEFINITION_ONLY)
        if unknown_members:
            raise ValueError(
                f"unknown Container member {', '.join(map(repr, unknown_members))} in containers"
            )
        container.update(
            (k, v)
            for k, v in spec.items()
            if k in _CONTAINER_MEMBERS
            and k not in ("containerArn", "taskArn", "exitCode", "reason")
        )
        if "exitCode" in spec and task.get("stopCode") == "TaskFailedToStart":
            raise ValueError(
                f"containers: {container['name']!r} has exitCode={spec['exitCode']!r}, but the "
                "containers of a task that failed to start never ran and have no exit code"
            )
        if container.get("lastStatus") == "STOPPED" and "exitCode" in spec:
            container["exitCode"] = spec["exitCode"]
    unknown = sorted(set(overrides) - _TASK_MEMBERS)
    if unknown:
        raise ValueError(
            f"unknown Task member {', '.join(map(repr, unknown))}; use the API's member names "
            "(lastStatus, stopCode, containers, ...) or cluster=, region=, account_id=, now="
        )
    task.update(overrides)
    _check(task)
    return task


def _check(task: Mapping[str, Any]) -> None:
    for member in _ARN_MEMBERS:
        value = task.get(member)
        if value is not None and (not isinstance(value, str) or not value.startswith("arn:aws")):
            raise ValueError(f"{member}={value!r} is not an ARN")
    if "clusterArn" in task and arns.parse_cluster_arn(task["clusterArn"]) is None:
        raise ValueError(f"clusterArn={task['clusterArn']!r} is not a cluster ARN")
    for name in ("healthStatus", "connectivity"):
        if name in task:
            shape = {"healthStatus": "HealthStatus", "connectivity": "Connectivity"}[name]
            _choices(name, task[name], model.enum_values(shape))
    for i, container in enumerate(task.get("containers", ())):
        if "lastStatus" in container:
            _choices(
                f"containers[{i}].lastStatus", container["lastStatus"], lifecycle.CONTAINER_STATUSES
            )
    model.validate_shape("Task", task)


class _DictFactory(factory.Factory):  # type: ignore[misc]
    """A factory of plain dicts: ``create`` builds, as nothing is saved anywhere."""

    class Meta:
        model = dict
        abstract = True

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return cls._build(model_class, *args, **kwargs)  # type: ignore[no-any-return]


class TaskFactory(_DictFactory):
    """One element of ``describe_tasks()["tasks"]``, consistent and realistic.

    Override any Task member by its API name; ``cluster``, ``region``,
    ``account_id`` and ``now`` (the moment the record describes) place it.
    Traits: ``running`` (default), ``pending``, ``provisioning``, ``stopped``,
    ``failed_to_start``, ``essential_exited``, ``user_stopped``,
    ``spot_interrupted``, ``fargate`` (default), ``ec2``, ``tagged``,
    ``service``, ``old_arn_format``.
    """

    if TYPE_CHECKING:  # what a type checker sees: factory_boy itself is untyped

        def __new__(cls, *args: Any, **kwargs: Any) -> TaskRecord: ...  # type: ignore[misc]
        @classmethod
        def build(cls, **kwargs: Any) -> TaskRecord: ...
        @classmethod
        def create(cls, **kwargs: Any) -> TaskRecord: ...
        @classmethod
        def build_batch(cls, size: int, **kwargs: Any) -> list[TaskRecord]: ...
        @classmethod
        def create_batch(cls, size: int, **kwargs: Any) -> list[TaskRecord]: ...

    class Meta:
        model = dict

    class Params:
        running = factory.Trait(lastStatus="RUNNING")
        pending = factory.Trait(lastStatus="PENDING")
        provisioning = factory.Trait(lastStatus="PROVISIONING")
        stopped = factory.Trait(lastStatus="STOPPED", stopCode="EssentialContainerExited")
        failed_to_start = factory.Trait(lastStatus="STOPPED", stopCode="TaskFailedToStart")
        essential_exited = factory.Trait(
            lastStatus="STOPPED",
            stopCode="EssentialContainerExited",
            exit_code=factory.LazyFunction(lambda: _parts.randgen().choice(FAILURE_EXIT_CODES)),
        )
        user_stopped = factory.Trait(lastStatus="STOPPED", stopCode="UserInitiated")
        spot_interrupted = factory.Trait(
            lastStatus="STOPPED",
            stopCode="SpotInterruption",
            launchType="FARGATE",
            capacityProviderName="FARGATE_SPOT",
        )
        fargate = factory.Trait(launchType="FARGATE")
        ec2 = factory.Trait(launchType="EC2")
        tagged = factory.Trait(tags=factory.LazyFunction(_parts.new_tags))
        service = factory.Trait(
            group=factory.LazyFunction(lambda: f"service:{_parts.faker().word()}-svc"),
            startedBy=factory.LazyFunction(_parts.service_started_by),
        )
        old_arn_format = factory.Trait(long_arn_format=False)

    cluster = "default"
    region = "us-east-1"
    account_id = "123456789012"
    now = None
    long_arn_format = True
    lastStatus = "RUNNING"
    launchType = "FARGATE"
    exit_code = None

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args:
            raise TypeError("TaskFactory takes keyword arguments only")
        return build_task(kwargs)


def build_container(params: dict[str, Any]) -> dict[str, Any]:
    params = dict(params)
    task_arn = params.pop("task_arn")
    if task_arn is not None:
        parsed = arns.parse_task_arn(task_arn) if isinstance(task_arn, str) else None
        if parsed is None:
            raise ValueError(f"task_arn={task_arn!r} is not a task ARN")
        identity = arns.TaskIdentity(
            parsed.region,
            parsed.account_id,
            parsed.cluster or params["cluster"],
            parsed.task_id,
            long_arn_format=parsed.cluster is not None,
        )
        params.pop("region"), params.pop("account_id"), params.pop("cluster")
    else:
        identity = arns.TaskIdentity(
            arns.check_region(params.pop("region")),
            arns.check_account(params.pop("account_id")),
            arns.check_cluster_name(params.pop("cluster")),
            _parts.new_task_id(),
        )
    launch_type = params.pop("launch_type")
    _choices("launch_type", launch_type, lifecycle.LAUNCH_TYPES)
    status = params.pop("lastStatus")
    _choices("lastStatus", status, lifecycle.CONTAINER_STATUSES)
    net, _ = _parts.new_network(identity.region, launch_type)
    spec: dict[str, Any] = {
        k: params[k] for k in ("name", "image", "cpu", "memory", "memoryReservation") if k in params
    }
    container = _parts.static_container(identity, net, spec)
    container["lastStatus"] = status
    if status == "PENDING":
        for member in lifecycle.STARTED_CONTAINER_MEMBERS:
            container.pop(member, None)
    if status == "STOPPED" and "exitCode" not in params:
        container["exitCode"] = 0
    unknown = sorted(set(params) - _CONTAINER_MEMBERS)
    if unknown:
        raise ValueError(f"unknown Container member {', '.join(map(repr, unknown))}")
    container.update(params)
    if "healthStatus" in container:
        _choices("healthStatus", container["healthStatus"], model.enum_values("HealthStatus"))
    model.validate_shape("Container", container)
    return container


class ContainerFactory(_DictFactory):
    """One element of a task's ``containers``. ``task_arn=`` ties it to a task."""

    if TYPE_CHECKING:  # what a type checker sees: factory_boy itself is untyped

        def __new__(cls, *args: Any, **kwargs: Any) -> ContainerRecord: ...  # type: ignore[misc]
        @classmethod
        def build(cls, **kwargs: Any) -> ContainerRecord: ...
        @classmethod
        def create(cls, **kwargs: Any) -> ContainerRecord: ...
        @classmethod
        def build_batch(cls, size: int, **kwargs: Any) -> list[ContainerRecord]: ...
        @classmethod
        def create_batch(cls, size: int, **kwargs: Any) -> list[ContainerRecord]: ...

    class Meta:
        model = dict

    class Params:
        running = factory.Trait(lastStatus="RUNNING")
        pending = factory.Trait(lastStatus="PENDING")
        stopped = factory.Trait(lastStatus="STOPPED")
        ec2 = factory.Trait(launch_type="EC2")

    cluster = "default"
    region = "us-east-1"
    account_id = "123456789012"
    task_arn = None
    launch_type = "FARGATE"
    lastStatus = "RUNNING"

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return build_container(kwargs)


class FailureFactory(_DictFactory):
    """One element of ``describe_tasks()["failures"]``: a ``MISSING`` task, no ``detail``."""

    if TYPE_CHECKING:  # what a type checker sees: factory_boy itself is untyped

        def __new__(cls, *args: Any, **kwargs: Any) -> FailureRecord: ...  # type: ignore[misc]
        @classmethod
        def build(cls, **kwargs: Any) -> FailureRecord: ...
        @classmethod
        def create(cls, **kwargs: Any) -> FailureRecord: ...
        @classmethod
        def build_batch(cls, size: int, **kwargs: Any) -> list[FailureRecord]: ...
        @classmethod
        def create_batch(cls, size: int, **kwargs: Any) -> list[FailureRecord]: ...

    class Meta:
        model = dict

    class Params:
        cluster = "default"
        region = "us-east-1"
        account_id = "123456789012"

    arn = factory.LazyAttribute(
        lambda o: arns.task_arn(o.region, o.account_id, o.cluster, _parts.new_task_id())
    )
    reason = "MISSING"

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        failure = {k: v for k, v in kwargs.items() if v is not None}
        unknown = sorted(set(failure) - model.members("Failure"))
        if unknown:
            raise ValueError(
                f"unknown Failure member {', '.join(map(repr, unknown))}; use arn, reason, detail"
            )
        model.validate_shape("Failure", failure)
        return failure


class DescribeTasksResponseFactory(_DictFactory):
    """A whole ``describe_tasks()`` response: ``{"tasks": [...], "failures": [...]}``."""

    if TYPE_CHECKING:  # what a type checker sees: factory_boy itself is untyped

        def __new__(cls, *args: Any, **kwargs: Any) -> dict[str, Any]: ...  # type: ignore[misc]
        @classmethod
        def build(cls, **kwargs: Any) -> dict[str, Any]: ...
        @classmethod
        def create(cls, **kwargs: Any) -> dict[str, Any]: ...
        @classmethod
        def build_batch(cls, size: int, **kwargs: Any) -> list[dict[str, Any]]: ...
        @classmethod
        def create_batch(cls, size: int, **kwargs: Any) -> list[dict[str, Any]]: ...

    class Meta:
        model = dict

    tasks = factory.LazyFunction(lambda: [TaskFactory()])
    failures = factory.LazyFunction(list)

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        unknown = sorted(set(kwargs) - {"tasks", "failures"})
        if unknown:
            raise ValueError(f"unknown DescribeTasks member {', '.join(map(repr, unknown))}")
        response = {"tasks": list(kwargs["tasks"]), "failures": list(kwargs["failures"])}
        model.validate_output("DescribeTasks", response)
        return response
