"""What the tasks' timelines show beyond DescribeTasks, written as the clock passes:
EventBridge's task state change events and the containers' log lines.

``TimelineFeed`` keeps, for every task that will still change, the next moment
it changes at, in one heap: a clock move pops only the tasks whose moment has
passed, so its cost is that of the tasks that change, never of all tasks stored.
At each moment a task's ``version`` goes up it emits an ``ECS Task State Change``
event whose ``detail`` is the task as DescribeTasks shows it then; at each moment
a container's planned line falls (before the container ends) it writes the line.

Where events and lines go is given by ``_fake.py`` (moto's EventBridge and
CloudWatch Logs): the service never imports moto.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from .._logs import ContainerLog
from .state import TaskEntry

__all__ = [
    "TASK_STATE_CHANGE",
    "DeliveryWarning",
    "EventSink",
    "LogSink",
    "TimelineFeed",
    "iso_time",
]

TASK_STATE_CHANGE = "ECS Task State Change"
_SOURCE = "aws.ecs"
_TICK = timedelta(microseconds=1)
_ZERO = timedelta(0)
#: A namespace for event ids: each event's id is a UUID made from its task and
#: version, so the same run of a test gives the same ids.
_EVENT_IDS = uuid.UUID("5f0e6c1e-8d0c-4c4b-9b7e-ec5e0e7a5c11")


class DeliveryWarning(UserWarning):
    """An event or log line the fake could not hand on (to a target moto cannot
    reach, say). As in EventBridge, a failed delivery never fails the ECS call that
    caused it: it is this warning instead (an error under ``-W error``; ignore it with
    ``filterwarnings = ignore::pytest_ecs_tasks.DeliveryWarning``)."""


class EventSink(Protocol):
    """Where events go besides ``TimelineFeed.events`` (moto's EventBridge)."""

    def wants(self, region: str, account_id: str) -> bool:
        """Whether an event of ``region`` may go anywhere (a rule exists to match it):
        without one, the event is not rendered until read."""

    def put_event(self, region: str, account_id: str, event: dict[str, Any]) -> None: ...


class LogSink(Protocol):
    """Where containers' lines go (moto's CloudWatch Logs)."""

    def make_stream(self, account_id: str, log: ContainerLog) -> None:
        """Create ``log``'s stream (and its group when ``log.create_group``, or when
        missing: inferred, see ``_transport.moto_logs``)."""

    def put_lines(
        self, account_id: str, log: ContainerLog, lines: Sequence[tuple[datetime, str]]
    ) -> None:
        """Write ``lines`` (``(moment, text)``, in order) to ``log``'s stream."""


def iso_time(at: datetime) -> str:
    """``at`` as events show times: ISO 8601 in UTC to the millisecond, ``Z``-suffixed."""
    if at.utcoffset() != _ZERO:
        at = at.astimezone(timezone.utc)
    return at.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _event_time(at: datetime) -> str:
    """The envelope's ``time``: ISO 8601 in UTC to the second."""
    if at.utcoffset() != _ZERO:
        at = at.astimezone(timezone.utc)
    return at.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


class TimelineFeed:
    """The events and log lines of the tasks' timelines, due as the clock passes them."""

    def __init__(self, limit: int) -> None:
        #: The most recent ``limit`` events, oldest first (rendered when first read).
        self._kept: deque[_Pending] = deque(maxlen=limit)
        #: Every event emitted, kept or not.
        self.events_total = 0
        self.event_sink: EventSink | None = None
        self.log_sink: LogSink | None = None
        #: (next moment, tie-breaker, task): the task to change next on top. An item
        #: whose moment is no longer its task's ``feed_key`` was superseded.
        self._heap: list[tuple[datetime, int, TaskEntry]] = []
        self._filed = itertools.count()
        self._superseded = 0

    # -- what is due -------------------------------------------------------------------

    def watch(self, entry: TaskEntry, since: datetime) -> None:
        """Follow ``entry`` from ``since`` on: every change at or after it is due."""
        entry.feed_through = since - _TICK
        self.refile(entry)

    def refile(self, entry: TaskEntry) -> None:
        """File ``entry`` under its next moment. Call it whenever its timeline may have
        changed (a stop), as its moments change with it."""
        if entry.feed_through is None:
            return  # not followed (a ready record: it never changes)
        moment = _next_moment(entry, entry.feed_through)
        if moment == entry.feed_key:
            return
        if entry.feed_key is not None:
            self._superseded += 1
        entry.feed_key = moment
        if moment is not None:
            heapq.heappush(self._heap, (moment, next(self._filed), entry))

    def due(self, now: datetime, render: Callable[[TaskEntry, datetime], dict[str, Any]]) -> None:
        """Emit every event and write every line whose moment has passed by ``now``, in
        moment order. ``render(entry, moment)``: the task as DescribeTasks shows it."""
        while True:
            moment = self.next_at()
            if moment is None or moment > now:
                return
            self.step(render)

    def next_at(self) -> datetime | None:
        """The moment of the next change filed (``None``: nothing to come)."""
        heap = self._heap
        while heap and heap[0][2].feed_key != heap[0][0]:
            heapq.heappop(heap)  # superseded: its task was filed again under another moment
            self._superseded -= 1
        return heap[0][0] if heap else None

    def step(self, render: Callable[[TaskEntry, datetime], dict[str, Any]]) -> None:
        """Emit what the next moment filed owes (call after ``next_at``)."""
        moment, _, entry = heapq.heappop(self._heap)
        entry.feed_key = None
        try:
            self._at(entry, moment, render)
        finally:
            # Delivered or not (a sink's warning raised under ``-W error``), this
            # moment is done: the task goes on to its next one, nothing is lost twice.
            entry.feed_through = moment
            self.refile(entry)
        heap = self._heap
        if self._superseded > max(len(heap) // 2, 64):
            self._heap = [item for item in heap if item[2].feed_key == item[0]]
            heapq.heapify(self._heap)
            self._superseded = 0

    @property
    def pending(self) -> int:
        """How many tasks will still change (each filed once)."""
        return len(self._heap) - self._superseded

    # -- one task at one moment ------------------------------------------------------

    def _at(
        self,
        entry: TaskEntry,
        moment: datetime,
        render: Callable[[TaskEntry, datetime], dict[str, Any]],
    ) -> None:
        timeline = entry.timeline
        assert timeline is not None and entry.feed_through is not None
        changes = timeline.changes
        index = bisect_right(changes, moment) - 1
        if index >= 0 and changes[index] == moment:
            self._emit(entry, moment, render)
        sink = self.log_sink
        if not entry.logs or sink is None:
            return
        account = entry.cluster.account_id
        through = entry.feed_through
        for log in entry.logs:
            window = timeline.container_window(log.container)
            if window is None:
                continue
            if through < log.starts_at <= moment:
                sink.make_stream(account, log)
            end = window[1]
            lines = [
                line
                for line in log.lines[_after(log.lines, through) :]
                if line[0] <= moment and (end is None or line[0] <= end)
            ]
            if lines:
                sink.put_lines(account, log, lines)

    def _emit(
        self,
        entry: TaskEntry,
        moment: datetime,
        render: Callable[[TaskEntry, datetime], dict[str, Any]],
    ) -> None:
        """Keep the event of ``entry`` at ``moment``, and deliver it where a rule may want
        it. It is rendered only then, or when ``events`` is read: a task's record at
        a past moment stays what it was (a later stop changes only what comes after)."""
        self.events_total += 1
        pending = _Pending(entry, moment, render)
        sink = self.event_sink
        cluster = entry.cluster
        if sink is not None and sink.wants(cluster.region, cluster.account_id):
            sink.put_event(cluster.region, cluster.account_id, pending.event())
        self._kept.append(pending)

    @property
    def events(self) -> list[dict[str, Any]]:
        """The most recent events kept, oldest first, rendered."""
        return [pending.event() for pending in self._kept]

    @property
    def limit(self) -> int:
        """How many of the most recent events are kept."""
        limit = self._kept.maxlen
        assert limit is not None
        return limit

    @property
    def kept(self) -> int:
        return len(self._kept)


class _Pending:
    """An event kept as its task and moment, rendered once when first asked for."""

    __slots__ = ("entry", "moment", "render", "rendered")

    def __init__(
        self,
        entry: TaskEntry,
        moment: datetime,
        render: Callable[[TaskEntry, datetime], dict[str, Any]],
    ) -> None:
        self.entry: TaskEntry | None = entry
        self.moment = moment
        self.render: Callable[[TaskEntry, datetime], dict[str, Any]] | None = render
        self.rendered: dict[str, Any] | None = None

    def event(self) -> dict[str, Any]:
        if self.rendered is None:
            assert self.entry is not None and self.render is not None
            self.rendered = _event(self.entry, self.moment, self.render(self.entry, self.moment))
            self.entry = self.render = None  # the task may go: the event stays
        return self.rendered


def _event(entry: TaskEntry, moment: datetime, task: dict[str, Any]) -> dict[str, Any]:
    """The ``ECS Task State Change`` event of ``entry`` at ``moment``, ``task`` its record then."""
    task.pop("tags", None)  # events carry no tags
    # "The health status of the task is not provided in the task state change
    # event" (developer guide, task state change events): DescribeTasks has it.
    task.pop("healthStatus", None)
    detail = _iso(task)
    detail["updatedAt"] = iso_time(moment)
    cluster = entry.cluster
    return {
        "version": "0",
        "id": str(uuid.uuid5(_EVENT_IDS, f"{entry.arn}#{detail.get('version')}")),
        "detail-type": TASK_STATE_CHANGE,
        "source": _SOURCE,
        "account": cluster.account_id,
        "time": _event_time(moment),
        "region": cluster.region,
        "resources": [entry.arn],
        "detail": detail,
    }


def _after(lines: Sequence[tuple[datetime, str]], through: datetime) -> int:
    """The index of the first line after ``through``."""
    return bisect_right(lines, through, key=lambda line: line[0])


def _next_moment(entry: TaskEntry, through: datetime) -> datetime | None:
    """The first moment after ``through`` at which ``entry`` changes or logs."""
    timeline = entry.timeline
    if timeline is None:
        return None
    changes = timeline.changes
    index = bisect_right(changes, through)
    found = changes[index] if index < len(changes) else None
    for log in entry.logs:
        window = timeline.container_window(log.container)
        if window is None:
            continue
        if log.starts_at > through and (found is None or log.starts_at < found):
            found = log.starts_at
        index = _after(log.lines, through)
        if index < len(log.lines):
            at = log.lines[index][0]
            end = window[1]
            if (end is None or at <= end) and (found is None or at < found):
                found = at
    return found
