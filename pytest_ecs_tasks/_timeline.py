"""When a task does what: the lifecycle's steps (``Timings``) and the plan of one
task (``Timeline``), read at any time as a ``Snapshot``. Nothing here ticks:
a timeline is a plan, and ``pytest_ecs_tasks._lifecycle`` (which re-exports these
names) renders a task record from it.

A timeline's containers move in lockstep with the task unless it carries their own
timelines (``ContainerSchedule``, made by ``pytest_ecs_tasks._containers``):
then the task reaches RUNNING once every container has started (or stopped), and
the containers' own changes count in its ``version``.

Floor 1: imports only the other floor-1 parts of the lifecycle.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Protocol

from ._lifecycle_constants import STOPPED_REASONS

__all__ = [
    "EC2_TIMINGS",
    "ContainerExit",
    "ContainerSchedule",
    "Exits",
    "RenderedContainers",
    "Snapshot",
    "StaticContainers",
    "Stop",
    "Timeline",
    "Timings",
]


def _s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


_MILLISECOND = timedelta(milliseconds=1)


def _ceil_second(when: datetime) -> datetime:
    fraction = when.microsecond
    return when + timedelta(0, 0, 1_000_000 - fraction) if fraction else when


@dataclass(frozen=True)
class Timings:
    """How long each step of a task's lifecycle takes: ``run_task(**timings)`` and
    ``plan_runs(**timings)`` take these names. The defaults are Fargate-like,
    read off real tasks (the docs' lifecycle page says where each comes from);
    EC2 tasks start faster."""

    provisioning: timedelta = timedelta(seconds=3.662)
    """RunTask answered -> the Fargate agent connected and the task is PENDING."""
    pending: timedelta = timedelta(seconds=11.864)
    """PENDING -> the image pull starts."""
    pull: timedelta = timedelta(seconds=7.141)
    """How long the image pull takes."""
    activating: timedelta = timedelta(seconds=0.11)
    """Pull done -> RUNNING (the ACTIVATING step)."""
    stop_lag: timedelta = timedelta(seconds=0.5)
    """Stop requested -> ``lastStatus`` moves on from where it was."""
    stopping: timedelta = timedelta(seconds=0.167)
    """Stop requested -> the containers have exited."""
    deprovisioning: timedelta = timedelta(seconds=23.3)
    """Containers exited (``executionStoppedAt``) -> STOPPED; for a task that never ran,
    its last stopping stage plus ``stop_lag`` -> STOPPED."""

    @classmethod
    def from_kwargs(cls, values: Mapping[str, object], *, base: Timings | None = None) -> Timings:
        """Timings from keyword arguments (``timedelta`` or seconds), checked."""
        base = base or cls()
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise TypeError(
                f"unknown timing {', '.join(map(repr, unknown))}; the timings are: "
                + ", ".join(sorted(known))
            )
        changes: dict[str, timedelta] = {}
        for name, value in values.items():
            if isinstance(value, timedelta):
                step = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                step = _s(value)
            else:
                raise TypeError(f"timing {name!r} must be a timedelta or seconds, got {value!r}")
            if step < timedelta(0):
                raise ValueError(f"timing {name!r} cannot be negative, got {step}")
            changes[name] = step
        return replace(base, **changes)


EC2_TIMINGS = Timings(provisioning=_s(0), pending=_s(1.2), pull=_s(2.4), activating=_s(0.05))


@dataclass(frozen=True)
class Stop:
    """A stop: requested at ``requested_at`` (``stoppingAt``) with a code and reason."""

    requested_at: datetime
    code: str
    reason: str


@dataclass(frozen=True)
class ContainerExit:
    """How one container ends: its ``exitCode`` (``None``: none reported) and ``reason``."""

    exit_code: int | None = None
    reason: str | None = None


#: The containers' static parts, as a task record holds them.
StaticContainers = Sequence[Mapping[str, Any]]
#: How each container ends, by name.
Exits = Mapping[str, "ContainerExit"]
#: The container records at a moment, and the task's ``healthStatus``.
RenderedContainers = tuple[list[dict[str, Any]], str]


class ContainerSchedule(Protocol):
    """The containers' own timelines, as a ``Timeline`` uses them (the one
    implementation: ``pytest_ecs_tasks._container_timeline.Schedule``)."""

    @property
    def ready_at(self) -> datetime | None:
        """When every container has started or stopped: the task is RUNNING
        (``None``: some container waits for ever)."""

    def window(self, name: str, timeline: Timeline) -> tuple[datetime, datetime | None] | None:
        """When the container ``name`` runs under ``timeline`` (its stop included):
        ``(started, ended or None while it runs on)``, or ``None`` if it never starts."""

    @property
    def events(self) -> tuple[datetime, ...]:
        """The instants a container changes at (starts, stops, health), sorted."""

    @property
    def health_checked(self) -> bool:
        """Some essential container has a health check (the task's health follows them)."""

    def shifted(self, delta: timedelta) -> ContainerSchedule:
        """The same schedule, every instant moved by ``delta``."""

    def render(
        self, containers: StaticContainers, timeline: Timeline, now: datetime, exits: Exits
    ) -> RenderedContainers:
        """The container records at ``now`` and the task's ``healthStatus``."""


@dataclass(frozen=True)
class Snapshot:
    """What a timeline shows at one moment."""

    last_status: str
    desired_status: str
    version: int
    #: API member name -> datetime, only those already set at this moment.
    instants: dict[str, datetime]
    stop: Stop | None
    container_status: str
    #: The containers have been started (they carry runtime ids).
    containers_started: bool
    attachment_status: str


#: A ``Snapshot``'s fields, in order.
_Reading = tuple[str, str, int, dict[str, datetime], Stop | None, str, bool, str]


@dataclass(frozen=True)
class Timeline:
    """When a task does what. Build one with ``plan``, end it with ``stopped``."""

    created_at: datetime
    #: awsvpc networking (Fargate): PROVISIONING, ACTIVATING, DEACTIVATING and
    #: DEPROVISIONING steps and an ENI attachment.
    awsvpc: bool = True
    timings: Timings = field(default_factory=Timings)
    #: Set when the task fails to start: the pull or start fails with this reason.
    start_failure: str | None = None
    stop: Stop | None = None
    #: The containers' own timelines (``None``: they move in lockstep with the task).
    containers: ContainerSchedule | None = None
    stages: tuple[tuple[str, datetime], ...] = field(init=False, repr=False, compare=False)
    instants: dict[str, datetime] = field(init=False, repr=False, compare=False)
    #: The containers' changes that are no stage of the task and come before its stop.
    container_events: tuple[datetime, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise ValueError("a timeline needs aware datetimes")
        stages, instants = self._compute()
        object.__setattr__(self, "stages", stages)
        object.__setattr__(self, "instants", instants)
        events: tuple[datetime, ...] = ()
        if self.containers is not None:
            staged = {at for _, at in stages}
            stop = self.stop
            events = tuple(
                at
                for at in self.containers.events
                if at not in staged and (stop is None or at < stop.requested_at)
            )
        object.__setattr__(self, "container_events", events)

    # -- building -------------------------------------------------------------------

    @classmethod
    def plan(
        cls,
        created_at: datetime,
        *,
        awsvpc: bool = True,
        timings: Timings | None = None,
        runs_for: timedelta | None = None,
        start_failure: str | None = None,
    ) -> Timeline:
        """A task created at ``created_at``. ``runs_for``: its essential container
        exits that long after RUNNING (``None``: it runs until stopped).
        ``start_failure``: it never starts and stops with ``TaskFailedToStart``.
        Containers on their own timelines (plans, ``dependsOn``, health checks):
        ``pytest_ecs_tasks._containers.plan_timeline``."""
        timings = timings or (Timings() if awsvpc else EC2_TIMINGS)
        base = cls(created_at, awsvpc=awsvpc, timings=timings, start_failure=start_failure)
        if start_failure is not None:
            at = base.instants["pullStartedAt"] + timings.pull
            return base._with(Stop(at, "TaskFailedToStart", start_failure))
        if runs_for is not None:
            if runs_for < timedelta(0):
                raise ValueError(f"runs_for cannot be negative, got {runs_for}")
            at = base.instants["startedAt"] + runs_for
            return base._with(
                Stop(at, "EssentialContainerExited", STOPPED_REASONS["EssentialContainerExited"])
            )
        return base

    def stopped(self, at: datetime, code: str, reason: str) -> Timeline:
        """This timeline with a stop requested at ``at``. A stop already requested
        by then stays as it was (the service keeps the first stop)."""
        if self.stop is not None and self.stop.requested_at <= at:
            return self
        return self._with(Stop(at, code, reason))

    def shifted(self, delta: timedelta) -> Timeline:
        """The same timeline, every instant moved by ``delta``."""
        stop = self.stop
        if stop is not None:
            stop = Stop(stop.requested_at + delta, stop.code, stop.reason)
        containers = self.containers
        if containers is not None:
            containers = containers.shifted(delta)
        return self._with(stop, self.created_at + delta, containers)

    def _with(
        self,
        stop: Stop | None,
        created_at: datetime | None = None,
        containers: ContainerSchedule | None = None,
    ) -> Timeline:
        """This timeline with another stop (and creation time, containers):
        ``dataclasses.replace`` without its per-call introspection, as records are
        built by the thousand."""
        return Timeline(
            self.created_at if created_at is None else created_at,
            self.awsvpc,
            self.timings,
            self.start_failure,
            stop,
            self.containers if containers is None else containers,
        )

    # -- reading --------------------------------------------------------------------

    @property
    def started(self) -> bool:
        """The containers started (the task reached RUNNING) at some point of this plan."""
        return "startedAt" in self.instants

    @property
    def stopped_at(self) -> datetime | None:
        return self.instants.get("stoppedAt")

    @cached_property
    def changes(self) -> tuple[datetime, ...]:
        """The instants the task's ``version`` goes up at, sorted: its stages, the stop
        request and its containers' own changes. Several changes at one instant
        count once here (the version reads them all at that instant)."""
        found = {at for _, at in self.stages}
        if self.stop is not None:
            found.add(self.stop.requested_at)
        found.update(self.container_events)
        return tuple(sorted(found))

    def container_window(self, name: str) -> tuple[datetime, datetime | None] | None:
        """When the container ``name`` runs: ``(started, ended)`` (``ended`` is
        ``None`` while it runs until a stop), or ``None`` if it never starts. In
        lockstep with the task, every container starts as the task's first do and
        ends as the essential ones exit on their own (``runs_for``), or else when the
        task's containers exit after a stop (``executionStoppedAt``)."""
        if self.containers is not None:
            return self.containers.window(name, self)
        started = self.instants.get("startedAt")
        if started is None:
            return None
        stop = self.stop
        if stop is not None and stop.code == "EssentialContainerExited":
            return started, stop.requested_at
        return started, self.instants.get("executionStoppedAt")

    def status_at(self, now: datetime) -> str:
        """The ``lastStatus`` at ``now``: ``at(now).last_status``, without the rest."""
        last_status = self.stages[0][0]
        for name, at in self.stages:
            if at > now:
                break
            last_status = name
        return last_status

    def at(self, now: datetime) -> Snapshot:
        """What the task shows at ``now`` (which must be at or after ``created_at``)."""
        return Snapshot(*self._read(now))

    def _read(self, now: datetime) -> _Reading:
        """``at``'s ``Snapshot``, as a tuple of its fields in their order
        (building the frozen dataclass costs more than reading the plan)."""
        last_status = self.stages[0][0]
        version = 0
        for name, at in self.stages:
            if at <= now:
                last_status = name
                version += 1
            else:
                break
        stop = self.stop if self.stop is not None and self.stop.requested_at <= now else None
        if stop is not None:
            version += 1
        if self.container_events:
            version += bisect_right(self.container_events, now)
        every = self.instants
        if max(every.values()) <= now:  # the usual case: all set by now
            instants = dict(every)
        else:
            instants = {k: v for k, v in every.items() if v <= now}
        started = "startedAt" in instants
        if "executionStoppedAt" in instants or last_status == "STOPPED":
            container_status = "STOPPED"
        elif started:
            container_status = "RUNNING"
        else:
            container_status = "PENDING"
        if last_status == "PROVISIONING":
            attachment = "PRECREATED"
        elif last_status == "DEPROVISIONING":
            attachment = "DETACHED"
        elif last_status == "STOPPED":
            attachment = "DELETED"
        else:
            attachment = "ATTACHED"
        return (
            last_status,
            "STOPPED" if stop is not None else "RUNNING",
            version,
            instants,
            stop,
            container_status,
            started,
            attachment,
        )

    # -- the plan itself ------------------------------------------------------------

    def _compute(self) -> tuple[tuple[tuple[str, datetime], ...], dict[str, datetime]]:
        t = self.timings
        created = self.created_at
        connected = created + t.provisioning
        pull_started = connected + t.pending
        pull_stopped = pull_started + t.pull
        # The containers start (those that wait for none) ...
        first = pull_stopped + t.activating
        # ... and the task is RUNNING once they all have (or never: ``None``).
        started = first if self.containers is None else self.containers.ready_at
        stop = self.stop
        awsvpc = self.awsvpc
        # Whether an instant comes before the stop (if any) cuts the plan short.
        cutoff = stop.requested_at if stop is not None else None
        stages: list[tuple[str, datetime]] = []
        instants: dict[str, datetime] = {"createdAt": created}
        connects = cutoff is None or connected < cutoff or connected == created
        if awsvpc:
            stages.append(("PROVISIONING", created))
            if connects:
                stages.append(("PENDING", connected))
        else:
            stages.append(("PENDING", created))
        if connects:
            instants["connectivityAt"] = connected
        if cutoff is None or pull_started < cutoff:
            instants["pullStartedAt"] = pull_started
        failed = self.start_failure is not None
        if not failed and (cutoff is None or pull_stopped < cutoff):
            instants["pullStoppedAt"] = pull_stopped
            if awsvpc:
                stages.append(("ACTIVATING", pull_stopped))
        # The containers ran (some of them, at least), and the task reached RUNNING. On
        # their own timelines, containers that start as the stop comes have started:
        # one that exits at once (``runs_for=0``) is the very cause of the stop.
        executed = not failed and (
            cutoff is None or first < cutoff or (first == cutoff and self.containers is not None)
        )
        ran = executed and started is not None and (cutoff is None or started < cutoff)
        if ran:
            assert started is not None
            instants["startedAt"] = started
            stages.append(("RUNNING", started))
        if stop is not None:
            requested = stop.requested_at
            instants["stoppingAt"] = requested
            lag = t.stop_lag
            # Each stage after the stop comes at least a millisecond after the one
            # before: ``when if when > soonest else soonest`` is ``max(when, soonest)``.
            last = stages[-1][1]
            moved = requested + lag
            if executed:
                exited = _ceil_second(requested + t.stopping)
                instants["executionStoppedAt"] = exited
                if exited < moved:
                    moved = exited
                if awsvpc:
                    soonest = last + _MILLISECOND
                    last = moved if moved > soonest else soonest
                    stages.append(("DEACTIVATING", last))
                    when, soonest = moved + lag, last + _MILLISECOND
                    last = when if when > soonest else soonest
                    stages.append(("STOPPING", last))
                    when, soonest = last + lag, last + _MILLISECOND
                    when = when if when > soonest else soonest
                    last = exited if exited > when else when
                    stages.append(("DEPROVISIONING", last))
                else:
                    soonest = last + _MILLISECOND
                    last = moved if moved > soonest else soonest
                    stages.append(("STOPPING", last))
                gone = exited + t.deprovisioning
            else:
                soonest = last + _MILLISECOND
                last = moved if moved > soonest else soonest
                stages.append(("STOPPING", last))
                if awsvpc:
                    when, soonest = moved + lag, last + _MILLISECOND
                    last = when if when > soonest else soonest
                    stages.append(("DEPROVISIONING", last))
                gone = last + lag + t.deprovisioning
            soonest = last + _MILLISECOND
            last = gone if gone > soonest else soonest
            stages.append(("STOPPED", last))
            instants["stoppedAt"] = last
        return tuple(stages), instants
