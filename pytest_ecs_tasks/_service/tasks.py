"""Task operations of the fake ECS service: DescribeTasks, RunTask, StopTask,
ListTasks, and the Python API's ways to start, add and stop tasks."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .. import _arns as arns
from .. import _lifecycle as lifecycle
from .._arns import TaskIdentity
from . import paging
from .core import ServiceCore
from .errors import EcsError
from .state import Cluster, RegionState, TaskEntry
from .tags import checked_tags

__all__ = ["TaskOperations", "TaskPlan"]

_PLAUSIBLE_ID = re.compile(r"^[A-Za-z0-9-]{1,36}$")


@dataclass
class TaskPlan:
    """What the Python API asks of a task beyond what RunTask can say."""

    runs_for: timedelta | None = None
    exit_code: int | Mapping[str, int] = 0
    fail_to_start: str | None = None
    timings: Mapping[str, object] = field(default_factory=dict)


class TaskOperations(ServiceCore):
    """Tasks: described, started, added as ready records, stopped and listed."""

    # -- DescribeTasks ----------------------------------------------------------------

    def describe_tasks(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        refs = params.get("tasks")
        if not refs:
            raise EcsError("InvalidParameterException", "Tasks cannot be empty.")
        if len(refs) > 100:
            raise EcsError("InvalidParameterException", "taskIds can have at most 100 items.")
        include = params.get("include") or []
        for value in include:
            if value != "TAGS":
                raise EcsError(
                    "InvalidParameterException",
                    f"Invalid include value: {value}. Valid values are: TAGS.",
                )
        with_tags = "TAGS" in include
        wanted = [self._task_ref_or_missing(region_state, ref) for ref in refs]
        cluster = self._cluster(region_state, params.get("cluster"))
        now = self.clock.now()
        found: list[TaskEntry] = []
        failures: list[dict[str, Any]] = []
        for ref, task_id, arn_cluster in wanted:
            entry = region_state.tasks.get(task_id) if task_id is not None else None
            if (
                entry is not None
                and (arn_cluster is None or arn_cluster == cluster.name)
                and self._visible(entry, cluster, now)
            ):
                found.append(entry)
            else:
                arn = (
                    ref
                    if ref.startswith("arn:")
                    else arns.task_arn(
                        region_state.region,
                        region_state.account_id,
                        cluster.name,
                        ref,
                        long_format=self.long_arn_format,
                    )
                )
                failures.append({"arn": arn, "reason": "MISSING"})
        if self.task_order == "created":
            found.sort(key=lambda entry: entry.order)
        tasks = [entry.describe(now, with_tags=with_tags) for entry in found]
        return {"tasks": tasks, "failures": failures}

    def _task_ref_or_missing(
        self, region_state: RegionState, ref: object
    ) -> tuple[str, str | None, str | None]:
        """As :meth:`_task_ref`, but a malformed id is reported MISSING when the
        (inferred) ``invalid_task_ids`` behaviour says so."""
        try:
            return self._task_ref(region_state, ref)
        except EcsError:
            if self.invalid_task_ids != "missing" or not isinstance(ref, str) or not ref:
                raise
            return ref, None, None

    def _task_ref(
        self, region_state: RegionState, ref: object
    ) -> tuple[str, str | None, str | None]:
        """``(ref, task id or None if it cannot be here, cluster named in the ARN)``."""
        if not isinstance(ref, str) or not ref:
            raise EcsError("InvalidParameterException", "Task identifier cannot be empty.")
        if ref.startswith("arn:"):
            parsed = arns.parse_task_arn(ref)
            if parsed is None or not _PLAUSIBLE_ID.match(parsed.task_id):
                raise EcsError("InvalidParameterException", f"Invalid identifier: {ref}")
            if (
                parsed.region != region_state.region
                or parsed.account_id != region_state.account_id
                or parsed.partition != arns.partition_for(region_state.region)
            ):
                return ref, None, None
            return ref, parsed.task_id, parsed.cluster
        if len(ref) > 36:
            raise EcsError("InvalidParameterException", "taskId longer than 36.")
        if not _PLAUSIBLE_ID.match(ref):
            raise EcsError("InvalidParameterException", f"Invalid identifier: {ref}")
        return ref, ref, None

    # -- RunTask, StopTask ---------------------------------------------------------

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

    def add_record(self, region: str, cluster: str, record: Mapping[str, Any]) -> TaskEntry:
        """Store a ready Task record, served as given (checked whole by the caller)."""
        with self._lock:
            self._purge(self.clock.now())
            region_state = self._region_state(region)
            found = self._cluster(region_state, cluster, active=True)
            parsed = arns.parse_task_arn(str(record.get("taskArn", "")))
            if parsed is None:
                raise ValueError(
                    f"the record's taskArn {record.get('taskArn')!r} is not a task ARN"
                )
            if parsed.region != region_state.region or parsed.account_id != region_state.account_id:
                raise ValueError(
                    f"the record's taskArn is in {parsed.region}/{parsed.account_id}, but the fake "
                    f"serves {region_state.region}/{region_state.account_id}; build it with "
                    f"TaskFactory(region={region_state.region!r}, account_id={region_state.account_id!r})"
                )
            if parsed.cluster is not None and parsed.cluster != found.name:
                raise ValueError(
                    f"the record's taskArn names cluster {parsed.cluster!r}, not {found.name!r}: "
                    f"pass cluster={parsed.cluster!r}"
                )
            if parsed.task_id in region_state.tasks:
                raise ValueError(f"a task with id {parsed.task_id} is already stored")
            static = {k: v for k, v in record.items() if k != "tags"}
            entry = TaskEntry(
                task_id=parsed.task_id,
                arn=str(record["taskArn"]),
                cluster=found,
                static=static,
                tags=[dict(t) for t in record.get("tags") or []],
            )
            region_state.tasks[parsed.task_id] = entry
            found.task_ids[parsed.task_id] = None
            self._file(entry)  # a STOPPED record expires by retention from its stoppedAt
            return entry

    def stop_task(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(region_state, params.get("cluster"))
        _, task_id, arn_cluster = self._task_ref(region_state, params["task"])
        now = self.clock.now()
        entry = region_state.tasks.get(task_id) if task_id else None
        if (
            entry is None
            or entry.cluster is not cluster
            or (arn_cluster is not None and arn_cluster != cluster.name)
            or entry.expired(now, self.retention)
        ):
            raise EcsError("InvalidParameterException", "The referenced task was not found.")
        reason = params.get("reason") or lifecycle.STOPPED_REASONS["UserInitiated"]
        self.stop_entry(entry, code="UserInitiated", reason=reason)
        return {"task": entry.describe(now, with_tags=False)}

    def stop_entry(self, entry: TaskEntry, *, code: str, reason: str) -> None:
        """Stop a task as StopTask does: its tags go, the first stop wins."""
        with self._lock:
            now = self.clock.now()
            if entry.timeline is not None:
                entry.timeline = entry.timeline.stopped(now, code, reason)
            elif entry.static.get("lastStatus") != "STOPPED":
                entry.static = {
                    **entry.static,
                    "desiredStatus": "STOPPED",
                    "stopCode": code,
                    "stoppedReason": reason,
                    "stoppingAt": now,
                }
            entry.tags = []
            self._file(entry)  # a stop may move stoppedAt (earlier than a planned end)

    # -- ListTasks -------------------------------------------------------------------

    def list_tasks(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(region_state, params.get("cluster"))
        desired = params.get("desiredStatus", "RUNNING")
        if desired not in ("RUNNING", "PENDING", "STOPPED"):
            raise EcsError(
                "InvalidParameterException",
                "desiredStatus should be one of [RUNNING, PENDING, STOPPED]",
            )
        limit, after = paging.read_page_request(params, "ListTasks")
        listed = self._listed_tasks(region_state, cluster, params, desired, after)
        page, token = paging.take_page(listed, limit, "ListTasks")
        response: dict[str, Any] = {"taskArns": page}
        if token:
            response["nextToken"] = token
        return response

    def _listed_tasks(
        self,
        region_state: RegionState,
        cluster: Cluster,
        params: dict[str, Any],
        desired: str,
        after: int,
    ) -> Iterator[tuple[int, str]]:
        """``(creation order, ARN)`` of the tasks ListTasks lists, created after
        ``after``, oldest first. Only the cluster's stored tasks are read: those
        dropped past retention have left ``cluster.task_ids``."""
        now = self.clock.now()
        family = params.get("family")
        service = params.get("serviceName")
        for task_id in cluster.task_ids:
            entry = region_state.tasks[task_id]
            if entry.order <= after:
                continue
            if entry.expired(now, self.retention) or now < entry.created_at + entry.invisible_for:
                continue
            status = entry.desired_status(now)
            if desired == "PENDING":
                if status != "RUNNING" or entry.last_status(now) not in ("PROVISIONING", "PENDING"):
                    continue
            elif status != desired:
                continue
            static = entry.static
            if (
                family
                and static.get("taskDefinitionArn", "").rpartition("/")[2].partition(":")[0]
                != family
            ):
                continue
            if params.get("startedBy") and static.get("startedBy") != params["startedBy"]:
                continue
            if service and static.get("group") != f"service:{service}":
                continue
            if params.get("launchType") and static.get("launchType") != params["launchType"]:
                continue
            if params.get("containerInstance"):
                ref = params["containerInstance"]
                arn = static.get("containerInstanceArn", "")
                if arn != ref and not arn.endswith("/" + ref):
                    continue
            yield entry.order, entry.arn


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
