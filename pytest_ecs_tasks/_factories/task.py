"""The Task factory: one element of ``describe_tasks()["tasks"]``, consistent and
realistic, placed at the moment it describes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

import factory

from .. import _arns as arns
from .. import _lifecycle as lifecycle
from .. import _model as model
from .._clock import current_time
from .._record_types import TaskRecord
from .._settings import Settings
from . import _checks
from ._declarations import Trait
from ._parts import static_task
from .base import DictFactory
from .draws import randgen
from .ids import new_task_id
from .moments import moment_in, planned, seconds, stopped_before
from .names import new_tags, service_started_by, word

__all__ = ["FAILURE_EXIT_CODES", "TaskFactory", "build_task"]

_TASK_MEMBERS = model.members("Task")
_CONTAINER_MEMBERS = model.members("Container")
_OPEN_STATUSES = ("PROVISIONING", "PENDING", "ACTIVATING", "RUNNING")
_STOPPING_STATUSES = ("DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED")
_ARN_MEMBERS = ("clusterArn", "containerInstanceArn", "taskDefinitionArn")
#: Container members a ``containers`` entry sets on the record as given.
_SPEC_MEMBERS = _CONTAINER_MEMBERS - {"containerArn", "taskArn", "exitCode", "reason"}
#: Task members ``static_task`` takes as arguments, by its argument names.
_STATIC_MEMBERS = {
    "group": "group",
    "startedBy": "started_by",
    "capacityProviderName": "capacity_provider",
    "cpu": "cpu",
    "memory": "memory",
}
#: Exit codes an essential container that failed typically reports.
FAILURE_EXIT_CODES = (1, 1, 1, 2, 127, 137, 139, 255)


_uniform = randgen().uniform


def _where(params: dict[str, Any], long_format: bool) -> arns.TaskIdentity:
    """Where the task lives: from ``taskArn`` if one was given, else from the params
    (then with no ``task_id``: each record draws its own)."""
    region, account_id, cluster = _checks.place(
        params.pop("region"), params.pop("account_id"), params.pop("cluster")
    )
    given_arn = params.pop("taskArn", None)
    if given_arn is None:
        return arns.TaskIdentity(region, account_id, cluster, "", long_format)
    return _checks.task_arn("taskArn", given_arn, cluster)


class _Prepared(NamedTuple):
    """A TaskFactory call's arguments, checked: what all its records share."""

    now: datetime | None  # None: the current time, read for each record
    place: arns.TaskIdentity  # no task_id: each record draws one
    exit_code: int | None
    launch_type: str
    target: str
    stop_code: str | None
    reason: str | None
    container_specs: list[Mapping[str, Any]] | None
    tags: list[dict[str, str]] | None
    static_args: dict[str, Any]
    overrides: dict[str, Any]


#: Checked arguments by the arguments (names and values, and the values' types:
#: ``True == 1``, but ``exit_code=True`` is refused): a batch, or a trait used
#: again, is checked once. Only calls whose values are all immutable are kept.
_PREPARED: dict[tuple[tuple[tuple[str, Any], ...], tuple[type, ...]], _Prepared] = {}
_IMMUTABLE = frozenset({str, int, bool, float, type(None), datetime})


def build_task(params: dict[str, Any]) -> dict[str, Any]:
    """Assemble a Task record from a TaskFactory's resolved declarations."""
    key = (tuple(params.items()), tuple(map(type, params.values())))
    try:
        prepared = _PREPARED.get(key)
    except TypeError:  # an unhashable value (a list, a dict): not kept
        return _make(_prepare(dict(params)))
    if prepared is None:
        prepared = _prepare(dict(params))
        if _IMMUTABLE.issuperset(key[1]):
            if len(_PREPARED) >= 256:
                _PREPARED.clear()
            _PREPARED[key] = prepared
    return _make(prepared)


def _prepare(params: dict[str, Any]) -> _Prepared:
    """Check a TaskFactory call's arguments; what is left in ``params`` are Task
    members set on the record as given."""
    when = params.pop("now")
    now = _checks.moment(when) if when is not None else None
    long_format = _checks.flag("long_arn_format", params.pop("long_arn_format"))
    exit_code = _checks.exit_code(params.pop("exit_code"))
    place = _where(params, long_format)
    launch_type = _checks.choice("launchType", params.pop("launchType"), lifecycle.LAUNCH_TYPES)
    target = _checks.choice("lastStatus", params.pop("lastStatus"), lifecycle.TASK_STATUSES)
    stop_code = params.pop("stopCode", None)
    if stop_code is None and target in _STOPPING_STATUSES:
        stop_code = "EssentialContainerExited"
    if stop_code is not None:
        _checks.choice("stopCode", stop_code, lifecycle.STOP_CODES)
    given = params
    container_specs: list[Mapping[str, Any]] | None = None
    tags: list[dict[str, str]] | None = None
    reason: str | None = None
    static_args: dict[str, Any] = {}
    if given:
        container_specs, tags, reason = _check_given(given)
        static_args = {
            _STATIC_MEMBERS[m]: given.pop(m) for m in list(given) if m in _STATIC_MEMBERS
        }
    reason = reason or (lifecycle.STOPPED_REASONS.get(stop_code, "") if stop_code else None)
    return _Prepared(
        now=now,
        place=place,
        exit_code=exit_code,
        launch_type=launch_type,
        target=target,
        stop_code=stop_code,
        reason=reason,
        container_specs=container_specs,
        tags=tags,
        static_args=static_args,
        overrides=given,
    )


def _make(prepared: _Prepared) -> dict[str, Any]:
    """One record of a prepared TaskFactory call."""
    (
        now,
        place,
        exit_code,
        launch_type,
        target,
        stop_code,
        reason,
        container_specs,
        tags,
        static_args,
        given,
    ) = prepared
    if now is None:
        now = current_time()
    static = static_task(
        place,
        launch_type=launch_type,
        containers=container_specs,
        tags=tags or (),
        task_id=place.task_id or new_task_id(old_format=not place.long_arn_format),
        **static_args,
    )
    failed = stop_code == "TaskFailedToStart"
    plan = planned(launch_type != "EC2", reason if failed else None)
    # Place `now` inside the target stage. Whole-second instants (executionStoppedAt)
    # move a little when the plan is shifted, so check and draw again if needed.
    for _ in range(50):
        timeline = plan
        if failed and target in _OPEN_STATUSES:
            assert plan.stop is not None
            at = plan.stop.requested_at
            if plan.at(at).last_status != target:
                stages = " -> ".join(name for name, _ in plan.stages)
                raise ValueError(
                    f"lastStatus={target!r} never happens with stopCode={stop_code!r}; "
                    f"it goes through {stages} and the stop comes in "
                    f"{plan.at(at).last_status}"
                )
            moment = at + timeline.timings.stop_lag * _uniform(0.1, 0.9)
        elif stop_code is not None and not failed:
            if target in _OPEN_STATUSES:
                # A stop was asked for a moment ago; lastStatus has not moved yet.
                at = moment_in(timeline, target, None)
                timeline = timeline.stopped(at, stop_code, reason or "")
                window = timeline.timings.stop_lag
                exited = timeline.instants.get("executionStoppedAt")
                if exited is not None:
                    window = min(window, exited - at)
                moment = at + window * _uniform(0.1, 0.9)
            elif target == "STOPPED":
                timeline = stopped_before(plan, now, stop_code, reason or "")
                if timeline.status_at(now) == target:
                    return _finish(static, timeline, now, given, exit_code, container_specs)
                continue  # pragma: no cover - the stop lands minutes before now
            else:
                ran_for = seconds(20, 3 * 3600)
                started = timeline.instants["startedAt"]
                timeline = timeline.stopped(started + ran_for, stop_code, reason or "")
                moment = moment_in(timeline, target, stop_code)
        else:
            moment = moment_in(timeline, target, stop_code)
        timeline = timeline.shifted(now - moment)
        if timeline.status_at(now) == target:
            return _finish(static, timeline, now, given, exit_code, container_specs)
    raise AssertionError(f"could not place lastStatus={target!r}")  # pragma: no cover


def _check_given(
    given: dict[str, Any],
) -> tuple[list[Mapping[str, Any]] | None, list[dict[str, str]] | None, str | None]:
    """Check the Task members given; take out ``containers``, ``tags`` and
    ``stoppedReason`` (the specs, the tags as the record holds them, the reason)."""
    if "desiredStatus" in given:
        _checks.choice("desiredStatus", given["desiredStatus"], lifecycle.DESIRED_STATUSES)
    container_specs = _checks.container_specs(given.pop("containers", None))
    tags = given.pop("tags", None)
    tags = _checks.tag_list(tags) if tags is not None else None
    for member in ("cpu", "memory"):
        if member in given and not isinstance(given[member], str):
            raise _checks.ArgumentTypeError(
                f"{member}={given[member]!r}: the API sends a task's cpu and memory as strings, "
                f"like {member}='{'256' if member == 'cpu' else '512'}'"
            )
    if not _TASK_MEMBERS.issuperset(given):
        unknown = sorted(set(given) - _TASK_MEMBERS)
        raise ValueError(
            f"unknown Task member {', '.join(map(repr, unknown))}; use the API's member names "
            "(lastStatus, stopCode, containers, ...) or cluster=, region=, account_id=, now="
        )
    _check_members(given)
    reason = given.pop("stoppedReason", None)
    if given or container_specs or reason is not None:
        # Only what the caller gave needs botocore's word: the rest is built valid,
        # and tag_list has checked the tags more closely than botocore would.
        record = dict(given)
        if container_specs:
            record["containers"] = [
                {k: v for k, v in spec.items() if k in _CONTAINER_MEMBERS}
                for spec in container_specs
            ]
        if reason is not None:
            record["stoppedReason"] = reason
        _checks.validate_members("Task", record)
    return container_specs, tags, reason


def _check_members(given: Mapping[str, Any]) -> None:
    """What botocore's model does not check in the Task members given: ARNs and enums."""
    for member in _ARN_MEMBERS:
        value = given.get(member)
        if value is not None and (not isinstance(value, str) or not value.startswith("arn:aws")):
            raise ValueError(f"{member}={value!r} is not an ARN")
    if "clusterArn" in given and arns.parse_cluster_arn(given["clusterArn"]) is None:
        raise ValueError(f"clusterArn={given['clusterArn']!r} is not a cluster ARN")
    for name, shape in (("healthStatus", "HealthStatus"), ("connectivity", "Connectivity")):
        if name in given:
            _checks.choice(name, given[name], model.enum_values(shape))


def _finish(
    static: dict[str, Any],
    timeline: lifecycle.Timeline,
    now: datetime,
    overrides: dict[str, Any],
    exit_code: int | None,
    container_specs: list[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    containers = static["containers"]
    exits: dict[str, lifecycle.ContainerExit] = {}
    if container_specs is None:
        if exit_code is not None and containers:
            exits[containers[0]["name"]] = lifecycle.ContainerExit(exit_code)
    else:
        for i, (container, spec) in enumerate(zip(containers, container_specs, strict=True)):
            code = spec.get("exitCode", exit_code if i == 0 else None)
            if code is not None or spec.get("reason") is not None:
                exits[container["name"]] = lifecycle.ContainerExit(code, spec.get("reason"))
    task = lifecycle.render_task(static, timeline, now, exits)
    if container_specs is not None:
        for container, spec in zip(task.get("containers", ()), container_specs, strict=True):
            container.update((k, v) for k, v in spec.items() if k in _SPEC_MEMBERS)
            if "exitCode" in spec and task.get("stopCode") == "TaskFailedToStart":
                raise ValueError(
                    f"containers: {container['name']!r} has exitCode={spec['exitCode']!r}, but "
                    "the containers of a task that failed to start never ran and have no exit code"
                )
            if container.get("lastStatus") == "STOPPED" and "exitCode" in spec:
                container["exitCode"] = spec["exitCode"]
    if overrides:
        task.update(overrides)
    return task


class TaskFactory(DictFactory[TaskRecord]):
    """One element of ``describe_tasks()["tasks"]``, consistent and realistic:
    ``TaskFactory(stopped=True)``, ``TaskFactory.build_batch(3, ec2=True)``.

    Override any Task member by its API name (``lastStatus="PENDING"``,
    ``containers=[{"name": "app", "exitCode": 3}]``); lifecycle members reshape
    the whole record so it stays consistent. ``cluster``, ``region`` and
    ``account_id`` place it (every ARN agrees); ``now`` is the moment it
    describes (default: the active fake's clock, else the current time);
    ``exit_code`` is the essential container's exit code.

    Traits (``name=True``): ``running`` (default), ``pending``, ``provisioning``,
    ``stopped``, ``failed_to_start``, ``essential_exited``, ``user_stopped``,
    ``spot_interrupted``, ``fargate`` (default), ``ec2``, ``tagged``,
    ``service``, ``old_arn_format``. Bad input raises ``ValueError`` or
    ``TypeError`` naming the member and what is valid.
    """

    class Params:
        running = Trait(lastStatus="RUNNING")
        pending = Trait(lastStatus="PENDING")
        provisioning = Trait(lastStatus="PROVISIONING")
        stopped = Trait(lastStatus="STOPPED", stopCode="EssentialContainerExited")
        failed_to_start = Trait(lastStatus="STOPPED", stopCode="TaskFailedToStart")
        essential_exited = Trait(
            lastStatus="STOPPED",
            stopCode="EssentialContainerExited",
            exit_code=factory.LazyFunction(lambda: randgen().choice(FAILURE_EXIT_CODES)),
        )
        user_stopped = Trait(lastStatus="STOPPED", stopCode="UserInitiated")
        spot_interrupted = Trait(
            lastStatus="STOPPED",
            stopCode="SpotInterruption",
            launchType="FARGATE",
            capacityProviderName="FARGATE_SPOT",
        )
        fargate = Trait(launchType="FARGATE")
        ec2 = Trait(launchType="EC2")
        tagged = Trait(tags=factory.LazyFunction(new_tags))
        service = Trait(
            group=factory.LazyFunction(lambda: f"service:{word()}-svc"),
            startedBy=factory.LazyFunction(service_started_by),
        )
        old_arn_format = Trait(long_arn_format=False)

    cluster = "default"
    region = Settings.region
    account_id = Settings.account_id
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
