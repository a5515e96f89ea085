"""RunTask of the fake ECS service, and the Python API's way to start tasks: what a
task is made of when it starts (its definition, containers, timeline) and the
plans that say how the tasks RunTask starts will end."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .. import _lifecycle as lifecycle
from .._arns import TaskIdentity
from .core import ServiceCore
from .errors import EcsError
from .state import Cluster, RegionState, TaskEntry
from .tags import checked_tags

__all__ = ["RunTaskOperations", "TaskPlan"]


@dataclass
class TaskPlan:
    """What the Python API asks of a task beyond what RunTask can say."""

    runs_for: timedelta | None = None
    exit_code: int | Mapping[str, int] = 0
    fail_to_start: str | None = None
    timings: Mapping[str, object] = field(default_factory=dict)


class RunTaskOperations(ServiceCore):
    """Starting tasks: RunTask, and the Python API's ``run_task`` and ``plan_runs``."""

    def run_task(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(region_state, params.get("cluster"), active=True)
        reference = params["taskDefinition"]
        definition = (
            self.task_definitions(region_state.region, region_state.account_id, reference)
            if self.task_definitions
            else None
        )
        if definition is None:
            raise EcsError("ClientException", "TaskDefinition not found.")
        count = params.get("count", 1)
        if not 1 <= count <= 10:
            raise EcsError("InvalidParameterException", "count must be between 1 and 10.")
        launch_type = params.get("launchType")
        capacity_provider = None
        strategy = params.get("capacityProviderStrategy") or []
        if launch_type and strategy:
            raise EcsError(
                "InvalidParameterException",
                "Specifying both a launch type and capacity provider strategy is not supported. "
                "Remove one and try again.",
            )
        if strategy:
            capacity_provider = strategy[0].get("capacityProvider")
            launch_type = "FARGATE" if capacity_provider in ("FARGATE", "FARGATE_SPOT") else "EC2"
        if launch_type is None:
            compatible = definition.get("requiresCompatibilities") or []
            launch_type = "FARGATE" if "FARGATE" in compatible else "EC2"
        if launch_type not in lifecycle.LAUNCH_TYPES:
            raise EcsError(
                "InvalidParameterException",
                f"launchType should be one of [{', '.join(lifecycle.LAUNCH_TYPES)}]",
            )
        network_mode = definition.get("networkMode") or (
            "awsvpc" if launch_type == "FARGATE" else "bridge"
        )
        if launch_type == "FARGATE" and network_mode != "awsvpc":
            raise EcsError(
                "ClientException",
                "Tasks using the Fargate launch type must use the 'awsvpc' network mode.",
            )
        if network_mode == "awsvpc" and not (params.get("networkConfiguration") or {}).get(
            "awsvpcConfiguration"
        ):
            raise EcsError(
                "InvalidParameterException",
                "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
            )
        tags = checked_tags(params.get("tags") or [])
        tasks = []
        for _ in range(count):
            entry = self._start(
                region_state,
                cluster,
                definition=definition,
                containers=None,
                launch_type=launch_type,
                tags=tags,
                started_by=params.get("startedBy"),
                group=params.get("group"),
                overrides=params.get("overrides"),
                capacity_provider=capacity_provider,
                plan=self._next_plan(),
            )
            tasks.append(entry.describe(self.clock.now(), with_tags=True))
        return {"tasks": tasks, "failures": []}

    def plan_runs(self, plan: TaskPlan, times: int | None) -> None:
        """The next ``times`` tasks RunTask starts follow ``plan``; ``None``: every task
        no counted plan claims, from now on (replacing an earlier such plan)."""
        with self._lock:
            if times is None:
                self.run_plans = [entry for entry in self.run_plans if entry[1] is not None]
            self.run_plans.append([plan, times])

    def _next_plan(self) -> TaskPlan:
        """Counted plans first, in the order they were made (each dropped once used
        up); then the standing plan; else the default (runs until stopped)."""
        standing: TaskPlan | None = None
        for entry in self.run_plans:
            plan, times = entry
            if times is None:
                standing = plan
                continue
            entry[1] = times - 1
            if entry[1] <= 0:
                self.run_plans.remove(entry)
            return plan  # type: ignore[no-any-return]
        return standing if standing is not None else TaskPlan()

    def start_task(
        self,
        region: str,
        cluster: str,
        *,
        task_definition: str,
        containers: Sequence[Mapping[str, Any]] | None,
        launch_type: str,
        tags: Sequence[Mapping[str, str]],
        started_by: str | None,
        group: str | None,
        plan: TaskPlan,
        capacity_provider: str | None = None,
    ) -> TaskEntry:
        """The Python API's ``run_task``: a task that walks its lifecycle by ``plan``."""
        with self._lock:
            self._purge(self.clock.now())
            region_state = self._region_state(region)
            found = self._cluster(region_state, cluster, active=True)
            definition = None
            if self.task_definitions is not None:
                definition = self.task_definitions(
                    region_state.region, region_state.account_id, task_definition
                )
            if definition is None:
                family, _, revision = task_definition.rpartition("/")[2].partition(":")
                definition = {
                    "family": family,
                    "revision": int(revision) if revision.isdigit() else 1,
                    "containerDefinitions": [{"name": family or "app", "essential": True}],
                }
            if isinstance(plan.exit_code, Mapping):
                specs = containers or definition.get("containerDefinitions") or [{"name": "app"}]
                names = [str(spec.get("name")) for spec in specs]
                unknown = [name for name in plan.exit_code if name not in names]
                if unknown:
                    raise ValueError(
                        f"exit_code names {unknown[0]!r}, but the task's containers are: "
                        + ", ".join(names)
                    )
            return self._start(
                region_state,
                found,
                definition=definition,
                containers=containers,
                launch_type=launch_type,
                tags=checked_tags(list(tags)),
                started_by=started_by,
                group=group,
                overrides=None,
                capacity_provider=capacity_provider,
                plan=plan,
            )

    def _start(
        self,
        region_state: RegionState,
        cluster: Cluster,
        *,
        definition: Mapping[str, Any],
        containers: Sequence[Mapping[str, Any]] | None,
        launch_type: str,
        tags: list[dict[str, str]],
        started_by: str | None,
        group: str | None,
        overrides: Mapping[str, Any] | None,
        capacity_provider: str | None,
        plan: TaskPlan,
    ) -> TaskEntry:
        now = self.clock.now()
        task_id = self.task_parts.new_task_id(old_format=not self.long_arn_format)
        identity = TaskIdentity(
            region_state.region,
            region_state.account_id,
            cluster.name,
            task_id,
            self.long_arn_format,
        )
        specs = (
            list(containers)
            if containers is not None
            else list(definition.get("containerDefinitions") or [])
        )
        if not specs:
            specs = [{"name": "app", "essential": True}]
        definition_arn = definition.get("taskDefinitionArn")
        static = self.task_parts.static_task(
            identity,
            launch_type=launch_type,
            family=definition.get("family"),
            revision=definition.get("revision"),
            task_definition_arn=definition_arn,
            containers=specs,
            cpu=_as_str(definition.get("cpu")),
            memory=_as_str(definition.get("memory")),
            group=group,
            started_by=started_by,
            capacity_provider=capacity_provider,
        )
        if overrides:
            given = {o.get("name"): o for o in overrides.get("containerOverrides") or []}
            static["overrides"] = {
                **{k: v for k, v in overrides.items() if k != "containerOverrides"},
                "containerOverrides": [
                    given.get(c["name"], {"name": c["name"]}) for c in static["containers"]
                ],
                "inferenceAcceleratorOverrides": overrides.get("inferenceAcceleratorOverrides", []),
            }
        timings = lifecycle.Timings.from_kwargs(
            plan.timings,
            base=lifecycle.Timings() if launch_type != "EC2" else lifecycle.EC2_TIMINGS,
        )
        timeline = lifecycle.Timeline.plan(
            now,
            awsvpc=launch_type != "EC2",
            timings=timings,
            runs_for=plan.runs_for,
            start_failure=plan.fail_to_start,
        )
        exits = _exits(specs, static["containers"], plan.exit_code)
        entry = TaskEntry(
            task_id=task_id,
            arn=identity.task_arn,
            cluster=cluster,
            static=static,
            timeline=timeline,
            exits=exits,
            tags=tags,
            invisible_for=self.eventual_consistency,
        )
        region_state.tasks[task_id] = entry
        cluster.task_ids[task_id] = None
        self._file(entry)  # a planned end (runs_for, fail_to_start) has its stoppedAt now
        return entry


def _as_str(value: object) -> str | None:
    return None if value is None else str(value)


def _exits(
    specs: Sequence[Mapping[str, Any]],
    containers: Sequence[Mapping[str, Any]],
    exit_code: int | Mapping[str, int],
) -> dict[str, lifecycle.ContainerExit]:
    """How each container ends after its run: by name from a dict (others 0), or
    an int for the essential containers (the others 0)."""
    exits = {}
    for spec, container in zip(specs, containers, strict=True):
        name = container["name"]
        if isinstance(exit_code, Mapping):
            code = int(exit_code.get(name, 0))
        else:
            code = int(exit_code) if spec.get("essential", True) else 0
        exits[name] = lifecycle.ContainerExit(code)
    return exits
