"""The containers of one task on their own timelines (``Schedule``), and the
container records they show at any time.

A ``Schedule`` is computed once, when the task is planned
(``pytest_ecs_tasks._containers.plan_timeline``), and travels in its
``Timeline`` (``timeline.containers``);
``pytest_ecs_tasks._lifecycle.render_task`` asks it for the container
records at a moment. A stop that comes later (StopTask) is read off the timeline
then: what would have happened after it does not.

Floor 1: imports only the other floor-1 modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from ._health import HealthPlan, task_health
from ._lifecycle import STARTED_CONTAINER_MEMBERS
from ._lifecycle_constants import CANNOT_START_CONTAINER, DEFAULT_STOP_EXIT_CODE
from ._timeline import ContainerExit, Exits, RenderedContainers, StaticContainers, Timeline

__all__ = ["ContainerRun", "DependencyFailure", "Schedule"]

#: Why a container never starts for a dependency (the ECS agent's terminal errors).
FailureKind = Literal["unsuccessful", "never_starts", "timed_out"]

#: The longest container ``reason`` (botocore's model: "A short (1024 max characters)").
_REASON_MAX = 1024


@dataclass(frozen=True)
class DependencyFailure:
    """A ``dependsOn`` condition that can never be met: the container it holds back
    is stopped (exit code 143) without starting."""

    dependency: str
    kind: FailureKind
    #: The dependency's exit code (for ``unsuccessful``).
    exit_code: int | None = None

    def reason(self, target: str, images: Mapping[str, str]) -> str:
        """The container's ``reason``: the ECS agent's text (its ``dependencygraph``
        errors, amazon-ecs-agent#3218), prefixed as the agent reports a container
        it could not start."""
        dependency = f"{self.dependency}({images.get(self.dependency, '')})"
        held = f"{target}({images.get(target, '')}) (NONE->RUNNING)"
        if self.kind == "unsuccessful":
            text = (
                f"failed to resolve container ordering dependency [{dependency} "
                f"(STOPPED->RUNNING) - Exit: {self.exit_code}] for target [{held}] "
                "as dependency did not exit successfully."
            )
        elif self.kind == "never_starts":
            text = (
                f"failed to resolve container ordering dependency [{dependency} "
                f"(NONE->STOPPED) - Exit: {DEFAULT_STOP_EXIT_CODE}] for target [{held}] "
                "because dependency will never start"
            )
        else:
            text = (
                f"container ordering dependency [{dependency} (RUNNING->RUNNING)] "
                f"for target [{held}] has timed out."
            )
        return f"{CANNOT_START_CONTAINER}: dependency graph: {text}"[:_REASON_MAX]


@dataclass(frozen=True)
class ContainerRun:
    """One container's own timeline, as planned (before any later stop)."""

    name: str
    essential: bool
    #: When it starts (``None``: never: it waits for ever, or a dependency failed).
    started_at: datetime | None
    #: When it stops on its own: its own exit, or a dependency failure (``None``: it
    #: runs until the task stops).
    ended_at: datetime | None
    #: The code it exits with, on its own or when an essential container's exit ends
    #: the task (``None``: no plan of its own: the ``exits`` given when rendering, or 0).
    exit_code: int | None = None
    reason: str | None = None
    failure: DependencyFailure | None = None
    #: It has a health check (it reports UNKNOWN until ``health`` says otherwise).
    checked: bool = False
    #: When its health changes (``None``: no check, or it never starts).
    health: HealthPlan | None = None

    def shifted(self, delta: timedelta) -> ContainerRun:
        return ContainerRun(
            self.name,
            self.essential,
            None if self.started_at is None else self.started_at + delta,
            None if self.ended_at is None else self.ended_at + delta,
            self.exit_code,
            self.reason,
            self.failure,
            self.checked,
            None if self.health is None else self.health.shifted(delta),
        )

    def changes(self) -> list[datetime]:
        """The instants this container changes at: start, stop, health."""
        found = [t for t in (self.started_at, self.ended_at) if t is not None]
        if self.health is not None:
            found += self.health.changes()
        return found


@dataclass(frozen=True)
class Schedule:
    """A task's containers on their own timelines (implements
    ``ContainerSchedule``)."""

    #: One run per container, in the task's order.
    runs: tuple[ContainerRun, ...]
    #: When the containers that wait for none start.
    first_start: datetime
    ready_at: datetime | None = field(init=False)
    events: tuple[datetime, ...] = field(init=False)
    _by_name: dict[str, ContainerRun] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ready: datetime | None = self.first_start
        for run in self.runs:
            at = run.started_at if run.started_at is not None else run.ended_at
            if at is None:
                ready = None
                break
            if ready is not None and at > ready:
                ready = at
        object.__setattr__(self, "ready_at", ready)
        events = {at for run in self.runs for at in run.changes()}
        object.__setattr__(self, "events", tuple(sorted(events)))
        object.__setattr__(self, "_by_name", {run.name: run for run in self.runs})

    @property
    def health_checked(self) -> bool:
        return any(run.checked and run.essential for run in self.runs)

    def shifted(self, delta: timedelta) -> Schedule:
        return Schedule(tuple(run.shifted(delta) for run in self.runs), self.first_start + delta)

    def run(self, name: str) -> ContainerRun:
        """The run of the container named ``name`` (``KeyError`` if none)."""
        return self._by_name[name]

    def window(self, name: str, timeline: Timeline) -> tuple[datetime, datetime | None] | None:
        """When the container ``name`` runs under ``timeline``: read as ``render``
        reads it (a stop before its start: it never starts; a stop before its own
        end: it ends when the task's containers exit)."""
        run = self._by_name[name]
        stop = timeline.stop
        cut = None if stop is None else stop.requested_at
        started = run.started_at
        if started is None or (cut is not None and started > cut):
            return None
        own_end = run.ended_at
        if own_end is not None and (cut is None or own_end <= cut):
            return started, own_end
        instants = timeline.instants
        return started, instants.get("executionStoppedAt") or instants.get("stoppedAt")

    def essential_end(self) -> tuple[datetime, ContainerRun] | None:
        """The first essential container to stop on its own, and when: the task
        stops then (``EssentialContainerExited``)."""
        found: tuple[datetime, ContainerRun] | None = None
        for run in self.runs:
            ended = run.ended_at
            if run.essential and ended is not None and (found is None or ended < found[0]):
                found = (ended, run)
        return found

    def render(
        self, containers: StaticContainers, timeline: Timeline, now: datetime, exits: Exits
    ) -> RenderedContainers:
        """The container records at ``now`` (``containers``: their static parts, in
        the order of ``runs``) and the task's ``healthStatus``."""
        stop = timeline.stop
        cut = None if stop is None else stop.requested_at
        ended_by_essential = stop is not None and stop.code == "EssentialContainerExited"
        instants = timeline.instants
        # When the stop ends the containers still running (or still waiting).
        all_end = instants.get("executionStoppedAt") or instants.get("stoppedAt")
        runs: Sequence[ContainerRun]
        if len(containers) == len(self.runs):
            runs = self.runs
        else:
            runs = [self._by_name[c.get("name", "")] for c in containers]
        images = {str(c.get("name", "")): str(c.get("image", "")) for c in containers}
        records = []
        healths: list[tuple[bool, str | None]] = []
        for static, run in zip(containers, runs, strict=True):
            started = run.started_at
            if started is not None and cut is not None and started > cut:
                started = None  # the stop came first: it never starts
            own_end = run.ended_at
            if own_end is not None and cut is not None and own_end > cut:
                own_end = None  # the stop came first
            if started is None and run.failure is None:
                own_end = None  # it never started: no exit of its own
            given = exits.get(run.name)
            container = dict(static)
            container.pop("exitCode", None)
            container.pop("reason", None)
            code: int | None = None
            reason: str | None = None
            if own_end is not None and own_end <= now:
                status = "STOPPED"
                code = _exit_code(run, given)
                reason = run.reason
                if run.failure is not None:
                    reason = run.failure.reason(run.name, images)
                elif reason is None and given is not None:
                    reason = given.reason
            elif started is not None and started <= now:
                if all_end is not None and all_end <= now:
                    status = "STOPPED"
                    # Stopped with the task: as it ends when asked to (a container
                    # with no end of its own), else SIGTERM's code.
                    asked = ended_by_essential and run.ended_at is None
                    code = _exit_code(run, given) if asked else DEFAULT_STOP_EXIT_CODE
                    reason = run.reason or (given.reason if given is not None else None)
                else:
                    status = "RUNNING"
            else:
                status = "STOPPED" if all_end is not None and all_end <= now else "PENDING"
            container["lastStatus"] = status
            if code is not None:
                container["exitCode"] = code
            if reason is not None:
                container["reason"] = reason
            ran = started is not None and started <= now
            if not ran:
                for member in STARTED_CONTAINER_MEMBERS:
                    container.pop(member, None)
            elif "managedAgents" in container:
                container["managedAgents"] = [
                    {
                        **agent,
                        "lastStartedAt": started,
                        "lastStatus": "STOPPED" if status == "STOPPED" else "RUNNING",
                    }
                    for agent in container["managedAgents"]
                ]
            health: str | None = None
            if run.checked:
                health = "UNKNOWN"
                if ran and run.health is not None:
                    health = run.health.until(cut).status_at(now)
                container["healthStatus"] = health
            healths.append((run.essential, health))
            records.append(container)
        return records, task_health(healths)


def _exit_code(run: ContainerRun, given: ContainerExit | None) -> int:
    """The code ``run`` exits with: its plan's, else the one given, else 0."""
    if run.exit_code is not None:
        return run.exit_code
    if given is not None and given.exit_code is not None:
        return given.exit_code
    return 0
