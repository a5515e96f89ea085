"""Container log lines: what a test plans a container to print, where the ``awslogs``
driver sends it, and when each line is written.

A plan is ``{container name: lines}``. Lines are text (spread over the container's
run) or ``(offset, text)`` pairs (at that offset from the container's start). They
are read here into ``LogLine`` tuples, checked where they are given; the
service turns them into ``ContainerLog`` destinations with timed lines when
the task starts, and writes each line once the clock passes it.

Floor 1: imports only the clock's duration parsing and the timeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ._clock import to_duration
from ._timeline import Timeline

__all__ = [
    "MAX_LINE_BYTES",
    "ContainerLog",
    "LogLine",
    "awslogs_destination",
    "container_logs",
    "log_destinations",
    "read_log_plan",
    "stream_name",
    "timed_lines",
    "whole_ms",
]

#: The longest message CloudWatch Logs takes: 256 KiB, less the 26 bytes it counts
#: for each event (the PutLogEvents API page).
MAX_LINE_BYTES = 262_144 - 26
#: Lines with no offset, for a container with no planned end: one a second from its start.
_UNTIMED_GAP = timedelta(seconds=1)

#: Where one container writes: ``(region, group, stream prefix or None, create group)``.
Destination = tuple[str, str, "str | None", bool]
#: A plan as the Python API and the control API take it.
LogPlanInput = Mapping[str, Sequence[Any]]


@dataclass(frozen=True)
class LogLine:
    """One line a container prints: at ``offset`` from its start, or (``None``)
    spread over its run with the other untimed lines."""

    text: str
    offset: timedelta | None = None


@dataclass(frozen=True)
class ContainerLog:
    """Where one container's lines go (its ``awslogs`` options) and when each is written."""

    container: str
    region: str
    group: str
    stream: str
    #: ``awslogs-create-group`` is ``"true"``: the group is made if missing.
    create_group: bool
    #: When the container starts (to the millisecond): its stream is made then.
    starts_at: datetime
    #: ``(moment, text)``, in moment order; a line past the container's end is never written.
    lines: tuple[tuple[datetime, str], ...]


def read_log_plan(logs: object, where: str = "logs") -> dict[str, tuple[LogLine, ...]]:
    """``logs`` checked: ``{container: [text, ...]}`` or ``{container: [(offset, text),
    ...]}`` (offsets: a timedelta, seconds or text like ``"90s"``). Raises
    ``TypeError`` / ``ValueError`` naming the part that is wrong."""
    if not isinstance(logs, Mapping):
        raise TypeError(
            f"{where}={logs!r}: give a dict of container name -> lines, like "
            "{'app': ['starting', 'done']}"
        )
    plan: dict[str, tuple[LogLine, ...]] = {}
    for name, lines in logs.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"{where}: the container name {name!r} must be a non-empty str")
        here = f"{where}[{name!r}]"
        if isinstance(lines, (str, bytes)) or not isinstance(lines, Sequence):
            raise TypeError(
                f"{here}={lines!r}: give a list of lines (text, or (offset, text) pairs)"
            )
        read = tuple(_line(f"{here}[{index}]", line) for index, line in enumerate(lines))
        timed = {line.offset is not None for line in read}
        if len(timed) > 1:
            raise ValueError(
                f"{here}: give every line as text (spread over the container's run) or every "
                "line as an (offset, text) pair, not both"
            )
        plan[name] = read
    return plan


def _line(where: str, line: object) -> LogLine:
    offset: timedelta | None = None
    if isinstance(line, (tuple, list)):
        if len(line) != 2:
            raise ValueError(f"{where}={line!r}: an (offset, text) pair has two items")
        given, line = line
        try:
            offset = to_duration(given)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{where}: the offset {given!r}: {exc}") from None
    if not isinstance(line, str):
        raise TypeError(f"{where}={line!r}: a line is a str (or an (offset, str) pair)")
    if not line:
        raise ValueError(f"{where}: a line cannot be empty (CloudWatch Logs takes no empty event)")
    if len(line.encode("utf-8")) > MAX_LINE_BYTES:
        raise ValueError(
            f"{where}: the line is {len(line.encode('utf-8')):,} bytes; CloudWatch Logs takes "
            f"at most {MAX_LINE_BYTES:,}"
        )
    return LogLine(line, offset)


def awslogs_destination(definition: Mapping[str, Any], region: str) -> Destination | None:
    """Where the ``awslogs`` driver of a container definition writes: ``(region, group,
    stream prefix or None, create group)``, or ``None`` for a container that logs
    elsewhere (another driver, or none)."""
    config = definition.get("logConfiguration")
    if not isinstance(config, Mapping) or config.get("logDriver") != "awslogs":
        return None
    options = config.get("options")
    if not isinstance(options, Mapping) or not options.get("awslogs-group"):
        return None  # the service refuses such a definition; nothing to write to
    prefix = options.get("awslogs-stream-prefix")
    return (
        str(options.get("awslogs-region") or region),
        str(options["awslogs-group"]),
        str(prefix) if prefix else None,
        str(options.get("awslogs-create-group", "")).lower() == "true",
    )


def stream_name(prefix: str | None, container: str, task_id: str, runtime_id: str) -> str:
    """The stream of one container: ``<prefix>/<container>/<task id>`` (the awslogs
    driver's convention with ``awslogs-stream-prefix``); without a prefix, the Docker
    driver names the stream by the container's id (its ``runtimeId``)."""
    if prefix:
        return f"{prefix}/{container}/{task_id}"
    return runtime_id


def timed_lines(
    lines: Sequence[LogLine], started: datetime, ended: datetime | None
) -> tuple[tuple[datetime, str], ...]:
    """``(moment, text)`` for each line of a container that runs from ``started`` to
    ``ended`` (``None``: until stopped), in moment order, each on the whole
    millisecond it falls in (CloudWatch Logs' resolution). Untimed lines are spread evenly over the run, the
    first at its start; with no planned end, one a second."""
    count = len(lines)
    timed: list[tuple[datetime, str]] = []
    for index, line in enumerate(lines):
        if line.offset is not None:
            at = started + line.offset
        elif ended is not None and ended > started:
            at = started + (ended - started) * index / count
        else:
            at = started + _UNTIMED_GAP * index
        timed.append((whole_ms(at), line.text))
    timed.sort(key=lambda pair: pair[0])
    return tuple(timed)


def whole_ms(at: datetime) -> datetime:
    """``at`` without its part of a millisecond: CloudWatch Logs' resolution, so that
    a line's timestamp is the moment it is written."""
    return at - timedelta(microseconds=at.microsecond % 1000)


def log_destinations(
    plan: Mapping[str, Sequence[LogLine]], definitions: Sequence[Mapping[str, Any]], region: str
) -> dict[str, Destination]:
    """Where each container of ``plan`` writes, from the task's container
    ``definitions`` (their ``logConfiguration``). Raises ``ValueError`` for a
    container the task lacks, or one with no ``awslogs`` configuration (it has no
    logs to write)."""
    by_name = {str(d.get("name")): d for d in definitions}
    found = {}
    for name in plan:
        if name not in by_name:
            raise ValueError(
                f"logs names {name!r}, but the task's containers are: {', '.join(by_name)}"
            )
        destination = awslogs_destination(by_name[name], region)
        if destination is None:
            raise ValueError(
                f"logs[{name!r}]: the container {name!r} has no awslogs logConfiguration in "
                "its definition, so it has no logs to write; give it one (logDriver 'awslogs', "
                "options awslogs-group, awslogs-region, awslogs-stream-prefix)"
            )
        found[name] = destination
    return found


def container_logs(
    plan: Mapping[str, Sequence[LogLine]],
    destinations: Mapping[str, Destination],
    containers: Sequence[Mapping[str, Any]],
    timeline: Timeline,
    task_id: str,
) -> tuple[ContainerLog, ...]:
    """Where the planned lines of a task's containers go and when, as the task starts
    (``destinations`` from ``log_destinations``; ``containers``: the task's
    container records, for their ``runtimeId``)."""
    runtime_ids = {str(c.get("name")): str(c.get("runtimeId") or task_id) for c in containers}
    logs = []
    for name, lines in plan.items():
        window = timeline.container_window(name)
        if window is None:
            continue  # it never starts: no stream, no lines
        started, ended = window
        log_region, group, prefix, create_group = destinations[name]
        logs.append(
            ContainerLog(
                container=name,
                region=log_region,
                group=group,
                stream=stream_name(prefix, name, task_id, runtime_ids.get(name, task_id)),
                create_group=create_group,
                starts_at=whole_ms(started),
                lines=timed_lines(lines, started, ended),
            )
        )
    return tuple(logs)
