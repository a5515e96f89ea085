"""Containers on their own timelines: what the service can ask of each container
(``ContainerPlan``), what its definition says (``ContainerSpec``), and a
task's ``Timeline`` planned with both
(``plan_timeline``).

What the service does (sources: botocore's ECS model, ``ContainerDependency``,
``ContainerDefinition.essential`` / ``startTimeout``; the ECS agent's
``dependencygraph`` and ``task_manager``, amazon-ecs-agent#3218):

- A container starts once each ``dependsOn`` condition holds: ``START`` (the
  dependency started), ``COMPLETE`` (it exited, any code), ``SUCCESS`` (it exited 0),
  ``HEALTHY`` (its health check passed). ``COMPLETE`` and ``SUCCESS`` cannot name an
  essential container; ``HEALTHY`` needs a dependency with a health check.
- A condition that can never hold (``SUCCESS`` on a non-zero exit; a dependency that
  will never start; a dependency still short of its condition ``startTimeout``
  seconds after it started) stops the waiting container without starting it: exit
  code 143 and a ``CannotStartContainerError: dependency graph: ...`` reason. If it
  is essential, the task stops.
- A non-essential container exits on its own and the task runs on; an essential
  one's exit stops the task (``EssentialContainerExited``).
- The task is RUNNING once every container has started or stopped (the agent's task
  status is its containers' earliest); until then it stays PENDING (ACTIVATING on
  Fargate) while the first containers run.

Inferred here (no public source says it): a task stopped because an essential
container's dependency failed has ``stopCode: EssentialContainerExited`` and the
usual "Essential container in task exited"; a condition that can never hold and has
no ``startTimeout`` keeps its container (and the task) waiting for ever, as the agent
does; containers start at once when their conditions hold; a container still running
when an essential container's exit ends the task exits with its plan's
``exit_code`` (default 0, as before this module) if it had no end of its own, and
with 143 (SIGTERM) otherwise and whenever any other stop ends it.

Floor 1: imports only the other floor-1 modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ._container_timeline import ContainerRun, DependencyFailure, FailureKind, Schedule
from ._health import HealthCheck, plan_health
from ._lifecycle_constants import (
    DEFAULT_STOP_EXIT_CODE,
    DEPENDENCY_CONDITIONS,
    OUT_OF_MEMORY_EXIT_CODE,
    OUT_OF_MEMORY_REASON,
    STOPPED_REASONS,
)
from ._timeline import EC2_TIMINGS, Stop, Timeline, Timings

__all__ = ["ContainerPlan", "ContainerSpec", "container_specs", "plan_timeline"]


def _duration(name: str, value: object) -> timedelta | None:
    if value is None or isinstance(value, timedelta):
        step = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        step = timedelta(seconds=value)
    else:
        raise TypeError(f"{name} must be a timedelta or seconds, got {value!r}")
    if step is not None and step < timedelta(0):
        raise ValueError(f"{name} cannot be negative, got {step}")
    return step


@dataclass(frozen=True, init=False)
class ContainerPlan:
    """What one container does on its own, beyond its definition.

    ``runs_for``: it exits that long after it started (``None``: it runs until the
    task stops; an essential container without one takes ``plan_timeline``'s
    ``runs_for``). ``exit_code`` and ``reason``: how it exits then; a container
    without a ``runs_for`` also exits so when an essential container's exit ends the
    task (cut short, one with a ``runs_for`` exits 143). ``unhealthy_after``: its
    health check fails from that long after it started (it needs a ``healthCheck``).
    Durations: ``timedelta`` or seconds.
    """

    runs_for: timedelta | None
    exit_code: int
    reason: str | None
    unhealthy_after: timedelta | None

    def __init__(
        self,
        runs_for: timedelta | float | None = None,
        exit_code: int = 0,
        reason: str | None = None,
        unhealthy_after: timedelta | float | None = None,
    ) -> None:
        if isinstance(exit_code, bool) or not isinstance(exit_code, int):
            raise TypeError(f"exit_code must be an int, got {exit_code!r}")
        if reason is not None and (not isinstance(reason, str) or not reason):
            raise TypeError(f"reason must be a non-empty str or None, got {reason!r}")
        if reason is not None and len(reason) > 1024:
            raise ValueError(f"reason is {len(reason)} characters long; at most 1024")
        object.__setattr__(self, "runs_for", _duration("runs_for", runs_for))
        object.__setattr__(self, "exit_code", exit_code)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "unhealthy_after", _duration("unhealthy_after", unhealthy_after))

    @classmethod
    def out_of_memory(cls, after: timedelta | float) -> ContainerPlan:
        """Killed for its memory ``after`` its start: exit code 137 and the reason
        the service gives (``OutOfMemoryError: Container killed due to memory usage``)."""
        return cls(
            runs_for=after,
            exit_code=OUT_OF_MEMORY_EXIT_CODE,
            reason=OUT_OF_MEMORY_REASON,
        )


@dataclass(frozen=True)
class ContainerSpec:
    """What a container definition says about the container's own timeline."""

    name: str
    essential: bool = True
    #: ``dependsOn``: (container name, condition), in order.
    depends_on: tuple[tuple[str, str], ...] = ()
    health_check: HealthCheck | None = None
    #: ``startTimeout``: how long the containers depending on this one wait for it.
    start_timeout: timedelta | None = None

    @classmethod
    def from_definition(cls, definition: Mapping[str, Any], index: int = 0) -> ContainerSpec:
        """One container definition (RegisterTaskDefinition's shape), checked alone."""
        if not isinstance(definition, Mapping):
            raise ValueError(f"containers[{index}]={definition!r} must be a dict")
        name = definition.get("name")
        if name is None:
            name = f"#{index}"  # unnamed: nothing can depend on it
        elif not isinstance(name, str) or not name:
            raise ValueError(f"containers[{index}].name={name!r} must be a non-empty str")
        essential = definition.get("essential", True)
        if not isinstance(essential, bool):
            raise ValueError(f"containers[{name!r}].essential={essential!r} must be a bool")
        depends_on = []
        for dependency in definition.get("dependsOn") or ():
            if not isinstance(dependency, Mapping):
                raise ValueError(f"containers[{name!r}].dependsOn: {dependency!r} is not a dict")
            other, condition = dependency.get("containerName"), dependency.get("condition")
            if not isinstance(other, str) or not other:
                raise ValueError(
                    f"containers[{name!r}].dependsOn: containerName={other!r} must be a name"
                )
            if condition not in DEPENDENCY_CONDITIONS:
                raise ValueError(
                    f"containers[{name!r}].dependsOn: condition={condition!r}; valid: "
                    + ", ".join(DEPENDENCY_CONDITIONS)
                )
            depends_on.append((other, str(condition)))
        timeout = definition.get("startTimeout")
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0
        ):
            raise ValueError(
                f"containers[{name!r}].startTimeout={timeout!r} must be whole seconds, >= 0"
            )
        return cls(
            name,
            essential,
            tuple(depends_on),
            HealthCheck.from_definition(definition.get("healthCheck"), container=name),
            None if not timeout else timedelta(seconds=timeout),
        )


def container_specs(definitions: Sequence[Mapping[str, Any]]) -> tuple[ContainerSpec, ...]:
    """The specs of a task's container definitions, checked together: unique names,
    dependencies on containers of the task that can meet them, no cycle. Raises
    ``ValueError`` naming the container and what is wrong (the service's own
    messages for these are not public)."""
    specs = tuple(ContainerSpec.from_definition(d, i) for i, d in enumerate(definitions))
    by_name: dict[str, ContainerSpec] = {}
    for spec in specs:
        if spec.name in by_name:
            raise ValueError(f"containers: the name {spec.name!r} is used twice")
        by_name[spec.name] = spec
    for spec in specs:
        for other, condition in spec.depends_on:
            dependency = by_name.get(other)
            where = f"containers[{spec.name!r}].dependsOn: {other!r}"
            if dependency is None or other == spec.name:
                raise ValueError(f"{where} is not another container of the task")
            if condition in ("COMPLETE", "SUCCESS") and dependency.essential:
                raise ValueError(f"{where} is essential: {condition} needs a non-essential one")
            if condition == "HEALTHY" and dependency.health_check is None:
                raise ValueError(f"{where} has no healthCheck: HEALTHY needs one")
    # No cycle: depth-first, each container visited once (1: on the path, 2: done).
    seen: dict[str, int] = {}
    for spec in specs:
        if spec.name in seen:
            continue
        seen[spec.name] = 1
        path = [spec.name]
        stack = [iter(spec.depends_on)]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                seen[path.pop()] = 2
            elif seen.get(step[0]) == 1:
                cycle = " -> ".join([*path[path.index(step[0]) :], step[0]])
                raise ValueError(f"containers: dependsOn makes a cycle: {cycle}")
            elif step[0] not in seen:
                seen[step[0]] = 1
                path.append(step[0])
                stack.append(iter(by_name[step[0]].depends_on))
    return specs


def _condition(
    run: ContainerRun, spec: ContainerSpec, condition: str
) -> tuple[datetime | None, datetime | None, FailureKind]:
    """When ``condition`` on ``run`` holds (``None``: never) and when it is known it
    never will (``None``: not known), with why."""
    if run.started_at is None:
        # It never starts: known when its own dependency failed; else it waits for ever.
        return None, run.ended_at, "never_starts"
    if condition == "START":
        return run.started_at, None, "never_starts"
    held: datetime | None = None
    if condition == "COMPLETE":
        held = run.ended_at
    elif condition == "SUCCESS" and run.ended_at is not None:
        if (run.exit_code or 0) != 0:
            return None, run.ended_at, "unsuccessful"
        held = run.ended_at
    elif condition == "HEALTHY" and run.health is not None:
        held = run.health.healthy_at
    if spec.start_timeout is not None:
        deadline = run.started_at + spec.start_timeout
        still_running = run.ended_at is None or run.ended_at > deadline
        if still_running and (held is None or held > deadline):
            return None, deadline, "timed_out"
    return held, None, "never_starts"


def _schedule(
    specs: Sequence[ContainerSpec],
    plans: Mapping[str, ContainerPlan],
    first_start: datetime,
    default_runs_for: timedelta | None,
) -> Schedule:
    """Each container's run, its dependencies resolved first (``specs`` hold no cycle)."""
    by_name = {spec.name: spec for spec in specs}
    runs: dict[str, ContainerRun] = {}

    def resolve(spec: ContainerSpec) -> ContainerRun:
        found = runs.get(spec.name)
        if found is not None:
            return found
        ready: datetime | None = first_start
        failed: tuple[datetime, DependencyFailure] | None = None
        for other, condition in spec.depends_on:
            dependency = resolve(by_name[other])
            held, never, kind = _condition(dependency, by_name[other], condition)
            if never is not None and (failed is None or never < failed[0]):
                code = dependency.exit_code if kind == "unsuccessful" else None
                failed = (never, DependencyFailure(other, kind, code))
            if held is None:
                ready = None
            elif ready is not None and held > ready:
                ready = held
        checked = spec.health_check is not None
        if failed is not None and (ready is None or failed[0] <= ready):
            at, failure = failed
            run = ContainerRun(
                spec.name, spec.essential, None, at, DEFAULT_STOP_EXIT_CODE, None, failure, checked
            )
        elif ready is None:
            run = ContainerRun(spec.name, spec.essential, None, None, checked=checked)
        else:
            plan = plans.get(spec.name)
            runs_for = plan.runs_for if plan is not None else None
            if runs_for is None and spec.essential:
                runs_for = default_runs_for
            ended = None if runs_for is None else ready + runs_for
            health = None
            if spec.health_check is not None:
                failing = plan.unhealthy_after if plan is not None else None
                health = plan_health(spec.health_check, ready, failing).until(ended)
            run = ContainerRun(
                spec.name,
                spec.essential,
                ready,
                ended,
                None if plan is None else plan.exit_code,
                None if plan is None else plan.reason,
                None,
                checked,
                health,
            )
        runs[spec.name] = run
        return run

    return Schedule(tuple(resolve(spec) for spec in specs), first_start)


def plan_timeline(
    created_at: datetime,
    *,
    awsvpc: bool = True,
    timings: Timings | None = None,
    runs_for: timedelta | None = None,
    start_failure: str | None = None,
    containers: Sequence[Mapping[str, Any]] = (),
    plans: Mapping[str, ContainerPlan] | None = None,
) -> Timeline:
    """``Timeline.plan <pytest_ecs_tasks._timeline.Timeline.plan>`` for a task whose
    containers (``containers``: their definitions) move on their own: by ``plans``
    (by container name), their ``dependsOn`` and their health checks. ``runs_for``:
    how long the essential containers without a ``runs_for`` of their own run.

    With no plan, no dependency and no health check (or a ``start_failure``) this is
    exactly ``Timeline.plan``: the containers move in lockstep with the task."""
    plans = dict(plans or {})
    specs = container_specs(containers)
    names = {spec.name for spec in specs}
    unknown = sorted(set(plans) - names)
    if unknown:
        raise ValueError(
            f"plans name {unknown[0]!r}, but the task's containers are: "
            + (", ".join(spec.name for spec in specs) or "none")
        )
    for spec in specs:
        plan = plans.get(spec.name)
        if plan is not None and not isinstance(plan, ContainerPlan):
            raise TypeError(f"plans[{spec.name!r}] must be a ContainerPlan, got {plan!r}")
        if plan is not None and plan.unhealthy_after is not None and spec.health_check is None:
            raise ValueError(
                f"plans[{spec.name!r}].unhealthy_after: the container has no healthCheck"
            )
    own = plans or any(spec.depends_on or spec.health_check is not None for spec in specs)
    if start_failure is not None or not own:
        return Timeline.plan(
            created_at,
            awsvpc=awsvpc,
            timings=timings,
            runs_for=runs_for,
            start_failure=start_failure,
        )
    if created_at.tzinfo is None:
        raise ValueError("a timeline needs aware datetimes")
    if runs_for is not None and runs_for < timedelta(0):
        raise ValueError(f"runs_for cannot be negative, got {runs_for}")
    t = timings or (Timings() if awsvpc else EC2_TIMINGS)
    # As Timeline._compute adds them up: the containers that wait for none start then.
    first_start = created_at + t.provisioning + t.pending + t.pull + t.activating
    schedule = _schedule(specs, plans, first_start, runs_for)
    end = schedule.essential_end()
    stop = None
    if end is not None:
        reason = STOPPED_REASONS["EssentialContainerExited"]
        stop = Stop(end[0], "EssentialContainerExited", reason)
    return Timeline(created_at, awsvpc, t, None, stop, schedule)
