"""The fake ECS task service: requests in, responses or ECS errors out.

Every operation takes the request as the service receives it (decoded JSON) and
answers in boto3's shape (``datetime`` timestamps) or raises :class:`EcsError`.
:meth:`EcsService.dispatch` puts the same behind raw bytes for a transport.
Nothing here imports pytest or moto.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from .. import arns, lifecycle, model
from ..arns import TaskIdentity
from ..clock import Clock
from .errors import EcsError
from .faults import Fault, Faults
from .state import Cluster, Region, TaskEntry

__all__ = ["SERVED_OPERATIONS", "Call", "EcsService", "RecordMaker", "TaskDefinitionLookup"]

#: The operations the fake answers itself; the rest fall through to moto.
SERVED_OPERATIONS = frozenset(
    {
        "DescribeTasks",
        "RunTask",
        "StopTask",
        "ListTasks",
        "CreateCluster",
        "DeleteCluster",
        "DescribeClusters",
        "ListClusters",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
    }
)
_TAG_OPERATIONS = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})
_PLAUSIBLE_ID = re.compile(r"^[A-Za-z0-9-]{1,36}$")
_CLUSTER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1"}


class RecordMaker(Protocol):
    """Where the service gets the static parts of the tasks it starts (the factories)."""

    def new_task_id(self, *, old_format: bool = False) -> str: ...

    def static_task(
        self,
        identity: TaskIdentity,
        *,
        launch_type: str,
        family: str | None,
        revision: int | None,
        task_definition_arn: str | None,
        containers: Sequence[Mapping[str, Any]] | None,
        cpu: str | None,
        memory: str | None,
        group: str | None,
        started_by: str | None,
        capacity_provider: str | None,
    ) -> dict[str, Any]: ...


#: ``lookup(region, account_id, reference)`` -> the registered TaskDefinition, or None.
TaskDefinitionLookup = Callable[[str, str, str], "Mapping[str, Any] | None"]


@dataclass
class Call:
    """One API call the fake answered."""

    operation: str
    region: str
    params: dict[str, Any]
    at: datetime
    response: dict[str, Any] | None = None
    error: EcsError | None = None

    def __repr__(self) -> str:
        outcome = f"error={self.error.code}" if self.error else "ok"
        return f"<Call {self.operation} {self.region} {outcome}>"


@dataclass
class TaskPlan:
    """What the Python API asks of a task beyond what RunTask can say."""

    runs_for: timedelta | None = None
    exit_code: int | Mapping[str, int] = 0
    fail_to_start: str | None = None
    timings: Mapping[str, object] = field(default_factory=dict)


class EcsService:
    """The fake ECS task service of one account, across regions."""

    def __init__(
        self,
        clock: Clock,
        records: RecordMaker,
        *,
        account_id: str = "123456789012",
        retention: timedelta = timedelta(hours=1),
        long_arn_format: bool = True,
        task_definitions: TaskDefinitionLookup | None = None,
        eventual_consistency: timedelta = timedelta(0),
        invalid_task_ids: str = "error",
        task_order: str = "request",
    ) -> None:
        self.clock = clock
        self.records = records
        self.account_id = account_id
        self.retention = retention
        self.long_arn_format = long_arn_format
        self.task_definitions = task_definitions
        self.eventual_consistency = eventual_consistency
        #: Inferred behaviours (no public source settles them), switchable:
        #: a malformed task id in DescribeTasks is an "error" or reported "missing";
        #: found tasks come back in "request" order or the order they were "created".
        self.invalid_task_ids = invalid_task_ids
        self.task_order = task_order
        self.faults = Faults()
        #: Plans for the tasks RunTask starts next: [plan, times left or None].
        self.run_plans: list[list[Any]] = []
        self.calls: list[Call] = []
        self._regions: dict[str, Region] = {}
        self._lock = threading.RLock()

    # -- the transport's entry -----------------------------------------------------

    def dispatch(
        self, region: str, operation: str, body: bytes
    ) -> tuple[int, dict[str, str], bytes] | None:
        """Answer a request as it came over the wire: ``(status, headers, body)``,
        or ``None`` for a request the fake leaves to moto."""
        if operation not in SERVED_OPERATIONS:
            return None
        try:
            params = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return self._error_reply(
                EcsError("SerializationException", "Request body is not valid JSON.")
            )
        if not isinstance(params, dict):
            return self._error_reply(
                EcsError("SerializationException", "Request body must be a JSON object.")
            )
        if operation in _TAG_OPERATIONS and not self._owns_resource(params.get("resourceArn")):
            return None
        try:
            response = self.handle(region, operation, params)
        except EcsError as error:
            return self._error_reply(error)
        except Exception as exc:  # a bug in the fake: answer as the service would, say what broke
            return self._error_reply(
                EcsError(
                    "ServerException",
                    f"pytest-ecs-tasks internal error: {type(exc).__name__}: {exc}",
                )
            )
        headers = {**_JSON_HEADERS, "x-amzn-RequestId": str(uuid.uuid4())}
        return 200, headers, model.dumps(response)

    @staticmethod
    def _error_reply(error: EcsError) -> tuple[int, dict[str, str], bytes]:
        headers = {**_JSON_HEADERS, "x-amzn-RequestId": str(uuid.uuid4())}
        return error.status, headers, model.dumps(error.body())

    @staticmethod
    def _owns_resource(resource: object) -> bool:
        if not isinstance(resource, str):
            return True  # let validation answer
        return resource.startswith("arn:") and (":cluster/" in resource or ":task/" in resource)

    def handle(
        self, region: str, operation: str, params: dict[str, Any], *, record: bool = True
    ) -> dict[str, Any]:
        """Answer one request (decoded JSON) in boto3's shape, or raise :class:`EcsError`."""
        handler = getattr(self, "_op_" + _snake(operation), None)
        if handler is None or operation not in SERVED_OPERATIONS:
            raise EcsError(
                "UnknownOperationException", f"The fake ECS service does not serve {operation}."
            )
        with self._lock:
            call = Call(operation, region, params, self.clock.now())
            try:
                fault = self.faults.take(operation) if record else None
                if fault is not None:
                    raise fault
                self._validate(operation, params)
                response: dict[str, Any] = handler(self._region(region), params)
            except EcsError as error:
                call.error = error
                if record:
                    self.calls.append(call)
                raise
            call.response = response
            if record:
                self.calls.append(call)
            return response

    def fail(
        self, operation: str, code: str, message: str | None = None, *, times: int | None = 1
    ) -> Fault:
        fault = Fault(operation, code, message, times)
        self.faults.add(fault)
        return fault

    # -- state ------------------------------------------------------------------------

    def _region(self, region: str) -> Region:
        reg = self._regions.get(region)
        if reg is None:
            reg = Region(region, self.account_id)
            self._regions[region] = reg
            self._new_cluster(reg, "default", tags=[])
        return reg

    def regions(self) -> list[Region]:
        with self._lock:
            return list(self._regions.values())

    def region(self, region: str) -> Region:
        with self._lock:
            return self._region(region)

    def _new_cluster(self, reg: Region, name: str, *, tags: list[dict[str, str]]) -> Cluster:
        cluster = Cluster(reg.region, reg.account_id, name, self.clock.now(), tags=tags)
        reg.clusters.setdefault(name, []).append(cluster)
        return cluster

    def _validate(self, operation: str, params: dict[str, Any]) -> None:
        problem = model.validate_input(operation, params)
        if problem is None:
            return
        lines = [
            line
            for line in problem.splitlines()
            if not line.startswith(("Unknown parameter", "Parameter validation failed"))
        ]
        if not lines:
            return
        first = lines[0]
        if first.startswith("Missing required parameter"):
            raise EcsError("InvalidParameterException", first)
        raise EcsError("SerializationException", first)

    def _cluster(self, reg: Region, ref: object, *, active: bool = False) -> Cluster:
        """The cluster a request names (name or ARN; absent: ``default``)."""
        if ref is None or ref == "":
            ref = "default"
        if not isinstance(ref, str):
            raise EcsError("InvalidParameterException", "cluster must be a string.")
        if ref.startswith("arn:"):
            parsed = arns.parse_cluster_arn(ref)
            if parsed is None:
                raise EcsError("InvalidParameterException", "Invalid cluster ARN: " + ref)
            region, account, name = parsed
            partition = ref.split(":", 2)[1]
            if (
                region != reg.region
                or account != reg.account_id
                or partition != arns.partition_for(reg.region)
            ):
                raise EcsError("ClusterNotFoundException", "Cluster not found.")
        else:
            name = ref
        cluster = reg.current(name)
        if cluster is None or (active and not cluster.active):
            raise EcsError("ClusterNotFoundException", "Cluster not found.")
        return cluster

    def _visible(self, entry: TaskEntry, cluster: Cluster, now: datetime) -> bool:
        """Whether DescribeTasks on ``cluster`` (its newest incarnation) shows ``entry``."""
        if entry.cluster is not cluster:
            return False  # another cluster, or an older incarnation of this name
        if not cluster.active and not entry.tags:
            return False  # a deleted cluster still shows its tagged tasks only
        if entry.expired(now, self.retention):
            return False
        return now >= entry.created_at + entry.invisible_for

    # -- DescribeTasks ----------------------------------------------------------------

    def _op_describe_tasks(self, reg: Region, params: dict[str, Any]) -> dict[str, Any]:
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
        wanted = [self._task_ref_or_missing(reg, ref) for ref in refs]
        cluster = self._cluster(reg, params.get("cluster"))
        now = self.clock.now()
        found: list[TaskEntry] = []
        failures: list[dict[str, Any]] = []
        for ref, task_id, arn_cluster in wanted:
            entry = reg.tasks.get(task_id) if task_id is not None else None
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
                        reg.region,
                        reg.account_id,
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

    def _task_ref_or_missing(self, reg: Region, ref: object) -> tuple[str, str | None, str | None]:
        """As :meth:`_task_ref`, but a malformed id is reported MISSING when the
        (inferred) ``invalid_task_ids`` behaviour says so."""
        try:
            return self._task_ref(reg, ref)
        except EcsError:
            if self.invalid_task_ids != "missing" or not isinstance(ref, str) or not ref:
                raise
            return ref, None, None

    def _task_ref(self, reg: Region, ref: object) -> tuple[str, str | None, str | None]:
        """``(ref, task id or None if it cannot be here, cluster named in the ARN)``."""
        if not isinstance(ref, str) or not ref:
            raise EcsError("InvalidParameterException", "Task identifier cannot be empty.")
        if ref.startswith("arn:"):
            parsed = arns.parse_task_arn(ref)
            if parsed is None or not _PLAUSIBLE_ID.match(parsed.task_id):
                raise EcsError("InvalidParameterException", f"Invalid identifier: {ref}")
            if (
                parsed.region != reg.region
                or parsed.account_id != reg.account_id
                or parsed.partition != arns.partition_for(reg.region)
            ):
                return ref, None, None
            return ref, parsed.task_id, parsed.cluster
        if len(ref) > 36:
            raise EcsError("InvalidParameterException", "taskId longer than 36.")
        if not _PLAUSIBLE_ID.match(ref):
            raise EcsError("InvalidParameterException", f"Invalid identifier: {ref}")
        return ref, ref, None

    # -- RunTask, StopTask ---------------------------------------------------------

    def _op_run_task(self, reg: Region, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(reg, params.get("cluster"), active=True)
        reference = params["taskDefinition"]
        definition = (
            self.task_definitions(reg.region, reg.account_id, reference)
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
        tags = self._checked_tags(params.get("tags") or [])
        tasks = []
        for _ in range(count):
            entry = self._start(
                reg,
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
        """The next ``times`` tasks RunTask starts (``None``: all of them) follow ``plan``."""
        with self._lock:
            self.run_plans.append([plan, times])

    def _next_plan(self) -> TaskPlan:
        for entry in self.run_plans:
            plan, times = entry
            if times is None:
                return plan  # type: ignore[no-any-return]
            if times > 0:
                entry[1] = times - 1
                return plan  # type: ignore[no-any-return]
        return TaskPlan()

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
            reg = self._region(region)
            found = self._cluster(reg, cluster, active=True)
            definition = None
            if self.task_definitions is not None:
                definition = self.task_definitions(reg.region, reg.account_id, task_definition)
            if definition is None:
                family, _, revision = task_definition.rpartition("/")[2].partition(":")
                definition = {
                    "family": family,
                    "revision": int(revision) if revision.isdigit() else 1,
                    "containerDefinitions": [{"name": family or "app", "essential": True}],
                }
            return self._start(
                reg,
                found,
                definition=definition,
                containers=containers,
                launch_type=launch_type,
                tags=self._checked_tags(list(tags)),
                started_by=started_by,
                group=group,
                overrides=None,
                capacity_provider=capacity_provider,
                plan=plan,
            )

    def _start(
        self,
        reg: Region,
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
        task_id = self.records.new_task_id(old_format=not self.long_arn_format)
        identity = TaskIdentity(
            reg.region, reg.account_id, cluster.name, task_id, self.long_arn_format
        )
        specs = (
            list(containers)
            if containers is not None
            else list(definition.get("containerDefinitions") or [])
        )
        if not specs:
            specs = [{"name": "app", "essential": True}]
        definition_arn = definition.get("taskDefinitionArn")
        static = self.records.static_task(
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
        reg.tasks[task_id] = entry
        cluster.task_ids[task_id] = None
        return entry

    def add_record(self, region: str, cluster: str, record: Mapping[str, Any]) -> TaskEntry:
        """Store a ready Task record, served as given."""
        with self._lock:
            reg = self._region(region)
            found = self._cluster(reg, cluster, active=True)
            parsed = arns.parse_task_arn(str(record.get("taskArn", "")))
            if parsed is None:
                raise ValueError(
                    f"the record's taskArn {record.get('taskArn')!r} is not a task ARN"
                )
            if parsed.region != reg.region or parsed.account_id != reg.account_id:
                raise ValueError(
                    f"the record's taskArn is in {parsed.region}/{parsed.account_id}, but the fake "
                    f"serves {reg.region}/{reg.account_id}; build it with "
                    f"TaskFactory(region={reg.region!r}, account_id={reg.account_id!r})"
                )
            if parsed.cluster is not None and parsed.cluster != found.name:
                raise ValueError(
                    f"the record's taskArn names cluster {parsed.cluster!r}, not {found.name!r}: "
                    f"pass cluster={parsed.cluster!r}"
                )
            if parsed.task_id in reg.tasks:
                raise ValueError(f"a task with id {parsed.task_id} is already stored")
            static = {k: v for k, v in record.items() if k != "tags"}
            entry = TaskEntry(
                task_id=parsed.task_id,
                arn=str(record["taskArn"]),
                cluster=found,
                static=static,
                tags=[dict(t) for t in record.get("tags") or []],
            )
            reg.tasks[parsed.task_id] = entry
            found.task_ids[parsed.task_id] = None
            return entry

    def _op_stop_task(self, reg: Region, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(reg, params.get("cluster"))
        _, task_id, arn_cluster = self._task_ref(reg, params["task"])
        now = self.clock.now()
        entry = reg.tasks.get(task_id) if task_id else None
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

    # -- ListTasks -------------------------------------------------------------------

    def _op_list_tasks(self, reg: Region, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(reg, params.get("cluster"))
        desired = params.get("desiredStatus", "RUNNING")
        if desired not in ("RUNNING", "PENDING", "STOPPED"):
            raise EcsError(
                "InvalidParameterException",
                "desiredStatus should be one of [RUNNING, PENDING, STOPPED]",
            )
        now = self.clock.now()
        family = params.get("family")
        service = params.get("serviceName")
        arns_out = []
        for task_id in cluster.task_ids:
            entry = reg.tasks[task_id]
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
            arns_out.append(entry.arn)
        page, token = _paginate(arns_out, params)
        response: dict[str, Any] = {"taskArns": page}
        if token:
            response["nextToken"] = token
        return response

    # -- clusters --------------------------------------------------------------------

    def _cluster_record(self, cluster: Cluster, *, include: Sequence[str] = ()) -> dict[str, Any]:
        reg = self._region(cluster.region)
        now = self.clock.now()
        running = pending = 0
        for task_id in cluster.task_ids:
            entry = reg.tasks[task_id]
            status = entry.last_status(now)
            if status == "RUNNING":
                running += 1
            elif status in ("PROVISIONING", "PENDING", "ACTIVATING"):
                pending += 1
        record: dict[str, Any] = {
            "clusterArn": cluster.arn,
            "clusterName": cluster.name,
            "status": cluster.status,
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": running if cluster.active else 0,
            "pendingTasksCount": pending if cluster.active else 0,
            "activeServicesCount": 0,
            "statistics": [],
            "tags": [dict(t) for t in cluster.tags] if "TAGS" in include else [],
            "settings": [dict(s) for s in cluster.settings]
            or [{"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": [],
            "defaultCapacityProviderStrategy": [],
        }
        return record

    def _op_create_cluster(self, reg: Region, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("clusterName") or "default"
        if not _CLUSTER_NAME.match(name):
            raise EcsError(
                "InvalidParameterException",
                "Cluster name can have up to 255 letters (uppercase and lowercase), numbers, "
                "hyphens, and underscores.",
            )
        tags = self._checked_tags(params.get("tags") or [])
        cluster = reg.current(name)
        if cluster is None or not cluster.active:
            cluster = self._new_cluster(reg, name, tags=tags)
        if params.get("settings"):
            cluster.settings = [dict(s) for s in params["settings"]]
        return {"cluster": self._cluster_record(cluster, include=("TAGS",))}

    def create_cluster(
        self, region: str, name: str, tags: Sequence[Mapping[str, str]]
    ) -> dict[str, Any]:
        with self._lock:
            params: dict[str, Any] = {"clusterName": name}
            if tags:
                params["tags"] = [dict(t) for t in tags]
            return self.handle(region, "CreateCluster", params, record=False)["cluster"]  # type: ignore[no-any-return]

    def _op_delete_cluster(self, reg: Region, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(reg, params["cluster"], active=True)
        now = self.clock.now()
        for task_id in cluster.task_ids:
            entry = reg.tasks[task_id]
            if not entry.expired(now, self.retention) and entry.last_status(now) != "STOPPED":
                raise EcsError(
                    "ClusterContainsTasksException",
                    "The Cluster cannot be deleted while Tasks are active.",
                )
        cluster.status = "INACTIVE"
        cluster.deleted_at = now
        return {"cluster": self._cluster_record(cluster)}

    def _op_describe_clusters(self, reg: Region, params: dict[str, Any]) -> dict[str, Any]:
        refs = params.get("clusters") or ["default"]
        if len(refs) > 100:
            raise EcsError("InvalidParameterException", "clusters can have at most 100 items.")
        include = params.get("include") or []
        valid = ("ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS")
        for value in include:
            if value not in valid:
                raise EcsError("InvalidParameterException", f"Invalid include value: {value}.")
        clusters, failures = [], []
        for ref in refs:
            try:
                cluster = self._cluster(reg, ref)
            except EcsError:
                arn = (
                    ref
                    if str(ref).startswith("arn:")
                    else arns.cluster_arn(reg.region, reg.account_id, str(ref))
                )
                failures.append({"arn": arn, "reason": "MISSING"})
                continue
            clusters.append(self._cluster_record(cluster, include=include))
        return {"clusters": clusters, "failures": failures}

    def _op_list_clusters(self, reg: Region, params: dict[str, Any]) -> dict[str, Any]:
        page, token = _paginate([c.arn for c in reg.active_clusters()], params)
        response: dict[str, Any] = {"clusterArns": page}
        if token:
            response["nextToken"] = token
        return response

    # -- tags -------------------------------------------------------------------------

    @staticmethod
    def _checked_tags(tags: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
        if len(tags) > 50:
            raise EcsError("InvalidParameterException", "A resource can have at most 50 tags.")
        checked = []
        for tag in tags:
            key, value = tag.get("key"), tag.get("value", "")
            if not key or len(key) > 128:
                raise EcsError(
                    "InvalidParameterException", "Tag keys must be 1 to 128 characters long."
                )
            if str(key).lower().startswith("aws:"):
                raise EcsError(
                    "InvalidParameterException", "Tag keys starting with 'aws:' are reserved."
                )
            if len(str(value)) > 256:
                raise EcsError(
                    "InvalidParameterException", "Tag values can be at most 256 characters long."
                )
            checked.append({"key": str(key), "value": str(value)})
        return checked

    def _tagged(self, reg: Region, resource: str) -> Cluster | TaskEntry:
        if ":cluster/" in resource:
            cluster = self._cluster(reg, resource)
            if not cluster.active:
                raise EcsError(
                    "InvalidParameterException",
                    "The specified cluster is inactive. Specify an active cluster and try again.",
                )
            return cluster
        parsed = arns.parse_task_arn(resource)
        entry = reg.tasks.get(parsed.task_id) if parsed else None
        if (
            parsed is None
            or entry is None
            or parsed.region != reg.region
            or parsed.account_id != reg.account_id
            or entry.arn != resource
            or entry.expired(self.clock.now(), self.retention)
        ):
            raise EcsError("InvalidParameterException", "The specified task is not found.")
        return entry

    def _op_tag_resource(self, reg: Region, params: dict[str, Any]) -> dict[str, Any]:
        target = self._tagged(reg, params["resourceArn"])
        new = self._checked_tags(params["tags"])
        keys = {t["key"] for t in new}
        merged = [t for t in target.tags if t["key"] not in keys] + new
        target.tags = self._checked_tags(merged)
        return {}

    def _op_untag_resource(self, reg: Region, params: dict[str, Any]) -> dict[str, Any]:
        target = self._tagged(reg, params["resourceArn"])
        drop = set(params["tagKeys"])
        target.tags = [t for t in target.tags if t["key"] not in drop]
        return {}

    def _op_list_tags_for_resource(self, reg: Region, params: dict[str, Any]) -> dict[str, Any]:
        target = self._tagged(reg, params["resourceArn"])
        return {"tags": [dict(t) for t in target.tags]}


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


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


def _paginate(items: list[str], params: Mapping[str, Any]) -> tuple[list[str], str | None]:
    limit = params.get("maxResults", 100)
    if not 1 <= limit <= 100:
        raise EcsError("InvalidParameterException", "maxResults must be between 1 and 100.")
    start = 0
    token = params.get("nextToken")
    if token:
        try:
            start = int(json.loads(base64.b64decode(token))["start"])
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
            raise EcsError("InvalidParameterException", "Invalid nextToken.") from None
        if not 0 <= start <= len(items):
            raise EcsError("InvalidParameterException", "Invalid nextToken.")
    page = items[start : start + limit]
    end = start + len(page)
    next_token = None
    if end < len(items):
        next_token = base64.b64encode(json.dumps({"start": end}).encode()).decode()
    return page, next_token
