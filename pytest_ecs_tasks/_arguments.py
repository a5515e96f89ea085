"""The Python API's arguments, checked where they are given: each error names the
argument, the value and what is valid. (The fake's settings are checked in
``_settings``; the service's own rules answer as the service does.)"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar, cast

from . import _lifecycle as lifecycle
from ._clock import to_duration
from ._containers import ContainerPlan
from ._logs import read_log_plan
from ._service.tasks import TaskPlan

__all__ = [
    "check_containers",
    "check_task_record",
    "count",
    "fault_codes",
    "task_plan",
    "text",
    "times_or_none",
]


def check_containers(containers: object) -> None:
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


def text(name: str, value: object) -> str:
    """A non-empty string argument, or an error naming it."""
    if not isinstance(value, str):
        raise TypeError(f"{name}={value!r}: give a str")
    if not value.strip():
        raise ValueError(f"{name}={value!r}: cannot be empty")
    return value


def count(name: str, value: object, *, most: int) -> int:
    """A whole number from 0 to ``most``, or an error naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}={value!r}: give a whole number from 0 to {most}")
    if not 0 <= value <= most:
        raise ValueError(f"{name}={value!r}: give a whole number from 0 to {most}")
    return value


def times_or_none(times: object, meaning_of_none: str) -> None:
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


def task_plan(
    runs_for: object,
    exit_code: object,
    fail_to_start: object,
    timings: Mapping[str, object],
    *,
    unhealthy_after: object = None,
    container_reason: object = None,
    placement_failure: object = None,
    logs: object = None,
    task_definition: object = None,
) -> TaskPlan:
    """A checked plan of how a task ends.

    ``runs_for`` as a dict (``{"app": "5m"}``), ``unhealthy_after`` and
    ``container_reason`` (each ``{container: ...}``) give those containers a
    timeline of their own (``_containers.ContainerPlan``); ``exit_code[name]`` is
    then that container's exit. ``logs``: the lines each container prints
    (``_logs.read_log_plan``)."""
    run = None
    own_runs: dict[str, timedelta] = {}
    if isinstance(runs_for, Mapping):
        own_runs = _per_container("runs_for", runs_for, _duration_of)
    elif runs_for is not None:
        try:
            run = to_duration(runs_for)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"runs_for={runs_for!r}: {exc}; or None to run until stopped") from None
    if isinstance(exit_code, Mapping):
        exits: int | Mapping[str, int] = {
            text("exit_code's container name", name): _exit_code(f"exit_code[{name!r}]", code)
            for name, code in exit_code.items()
        }
    elif isinstance(exit_code, int) and not isinstance(exit_code, bool):
        exits = _exit_code("exit_code", exit_code)
    else:
        raise TypeError(
            f"exit_code={exit_code!r}: give an int from 0 to 255 for the essential containers, "
            "or a dict like {'app': 1}"
        )
    unhealthy = _per_container("unhealthy_after", unhealthy_after or {}, _duration_of)
    reasons = _per_container("container_reason", container_reason or {}, text)
    if fail_to_start is not None:
        text("fail_to_start", fail_to_start)
        if run is not None or own_runs:
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
    if placement_failure is not None:
        text("placement_failure", placement_failure)
    lines = read_log_plan(logs) if logs is not None else {}
    if task_definition is not None:
        text("task_definition", task_definition)
    if lines and placement_failure is not None:
        raise ValueError(
            "a task RunTask cannot place never runs: pass logs or placement_failure, not both"
        )
    own = {**dict.fromkeys(own_runs), **dict.fromkeys(unhealthy), **dict.fromkeys(reasons)}
    containers = {
        name: ContainerPlan(
            runs_for=own_runs.get(name),
            exit_code=exits.get(name, 0) if isinstance(exits, Mapping) else 0,
            reason=reasons.get(name),
            unhealthy_after=unhealthy.get(name),
        )
        for name in own
    }
    try:
        return TaskPlan(
            runs_for=run,
            exit_code=exits,
            fail_to_start=cast("str | None", fail_to_start),
            timings=steps,
            placement_failure=cast("str | None", placement_failure),
            containers=containers,
            logs=lines,
            task_definition=cast("str | None", task_definition),
        )
    except ValueError as exc:  # the placement failure's reason
        raise ValueError(str(exc)) from None


_T = TypeVar("_T")


def _per_container(name: str, value: object, parse: Callable[[str, object], _T]) -> dict[str, _T]:
    """``{container name: value}``, each value parsed; errors name ``name[container]``."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name}={value!r}: give a dict by container name, like {{'app': ...}}")
    return {
        text(f"{name}'s container name", key): parse(f"{name}[{key!r}]", item)
        for key, item in value.items()
    }


def _duration_of(name: str, value: object) -> timedelta:
    try:
        return to_duration(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}={value!r}: {exc}") from None


def fault_codes(operation: str) -> tuple[str, ...]:
    """The error codes ``operation`` can answer with: botocore's model's, and the
    two every operation meets whatever the model of the day declares (throttling,
    and a caller not allowed; older models leave AccessDeniedException out)."""
    from ._model import operation_model

    declared = [shape.name for shape in operation_model(operation).error_shapes]
    return tuple(sorted({*declared, "ThrottlingException", "AccessDeniedException"}))


#: What every Task record DescribeTasks returns has, whatever its state: the
#: members the fake serves a stored record by (its id, cluster, status, age).
TASK_RECORD_MEMBERS = (
    "taskArn",
    "clusterArn",
    "taskDefinitionArn",
    "lastStatus",
    "desiredStatus",
    "createdAt",
    "containers",
    "version",
)


def check_task_record(task: Mapping[str, object]) -> None:
    """A whole Task record, as DescribeTasks returns one: valid against botocore's
    model, with every member the service always sets, aware timestamps, a known
    status, and a ``stoppedAt`` when STOPPED. Checked at ``add_task``, so nothing
    incomplete is stored to break a later call."""
    from ._model import RecordError, validate_shape

    try:
        validate_shape("Task", task)
    except RecordError as exc:
        raise ValueError(f"add_task(): {exc}") from None
    missing = [member for member in TASK_RECORD_MEMBERS if member not in task]
    if missing:
        raise ValueError(
            f"add_task(): the record has no {', '.join(missing)}; a Task record as "
            f"DescribeTasks returns it always has {', '.join(TASK_RECORD_MEMBERS)} "
            "(build one with TaskFactory(...), or paste one from a real response)"
        )
    for member in ("createdAt", "startedAt", "stoppingAt", "stoppedAt"):
        value = task.get(member)
        if isinstance(value, datetime) and value.utcoffset() is None:
            raise ValueError(
                f"add_task(): the record's {member} {value!r} has no time zone: give aware "
                "datetimes, as boto3 does (e.g. tzinfo=datetime.timezone.utc)"
            )
    status = task["lastStatus"]
    if status not in lifecycle.TASK_STATUSES:
        raise ValueError(
            f"add_task(): lastStatus={status!r}; valid: {', '.join(lifecycle.TASK_STATUSES)}"
        )
    if task["desiredStatus"] not in lifecycle.DESIRED_STATUSES:
        raise ValueError(
            f"add_task(): desiredStatus={task['desiredStatus']!r}; valid: "
            f"{', '.join(lifecycle.DESIRED_STATUSES)}"
        )
    if status == "STOPPED" and "stoppedAt" not in task:
        raise ValueError(
            "add_task(): a STOPPED record has a stoppedAt (the service sets it when the task "
            "stops; retention counts from it)"
        )
