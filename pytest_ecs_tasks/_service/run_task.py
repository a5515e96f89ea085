"""RunTask of the fake ECS service, and the Python API's way to start tasks: what a
task is made of when it starts (its definition, containers, network, timeline) and
the plans that say how the tasks RunTask starts will end, or that RunTask cannot
place them.

RunTask's rules (what it refuses, how a request resolves) are in
``run_task_checks.py``; its client tokens in ``run_task_tokens.py``; what it reads of
moto (through objects ``_fake.py`` passes in) in ``run_task_lookups.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .. import _arns as arns
from .. import _lifecycle as lifecycle
from .._arns import TaskIdentity
from .._containers import ContainerPlan, plan_timeline
from .._logs import LogLine, container_logs, log_destinations
from .core import ServiceCore
from .errors import EcsError
from .run_task_checks import (
    CAPACITY_UNAVAILABLE,
    PLACEMENT_FAILURES,
    RunRequest,
    check_client_token,
    read_request,
    resolve_definition,
    task_size,
)
from .run_task_lookups import NetworkLookup, PlacementLookup
from .run_task_tokens import ClientTokens
from .state import Cluster, RegionState, TaskEntry
from .tags import checked_tags

__all__ = ["CAPACITY_UNAVAILABLE", "PLACEMENT_FAILURES", "RunTaskOperations", "TaskPlan"]

#: ``TaskPlan(placement_failure="CAPACITY")``: Fargate's capacity shortage, by a short name.
_CAPACITY_ALIAS = "CAPACITY"


@dataclass
class TaskPlan:
    """What the Python API asks of a task beyond what RunTask can say.

    ``placement_failure``: RunTask places no task for this plan and answers a
    failure with this reason instead: one of ``PLACEMENT_FAILURES`` (``"CAPACITY"``
    for Fargate's capacity shortage)."""

    runs_for: timedelta | None = None
    exit_code: int | Mapping[str, int] = 0
    fail_to_start: str | None = None
    timings: Mapping[str, object] = field(default_factory=dict)
    placement_failure: str | None = None
    #: Containers that move on their own (by name): their own ``runs_for``, exit,
    #: ``reason`` and ``unhealthy_after`` (see ``_containers.ContainerPlan``).
    containers: Mapping[str, ContainerPlan] = field(default_factory=dict)
    #: The lines each container prints (by name), written to its awslogs stream.
    logs: Mapping[str, tuple[LogLine, ...]] = field(default_factory=dict)
    #: Only tasks of this task definition follow the plan (a family, ``family:revision``
    #: or an ARN; ``None``: any task).
    task_definition: str | None = None

    def matches(self, definition: Mapping[str, Any]) -> bool:
        """Whether a task of ``definition`` follows this plan."""
        wanted = self.task_definition
        if wanted is None:
            return True
        family, revision = definition.get("family"), definition.get("revision")
        return wanted in (definition.get("taskDefinitionArn"), family, f"{family}:{revision}")

    def __post_init__(self) -> None:
        if self.placement_failure == _CAPACITY_ALIAS:
            self.placement_failure = CAPACITY_UNAVAILABLE
        if self.placement_failure is not None and self.placement_failure not in PLACEMENT_FAILURES:
            raise ValueError(
                f"placement_failure={self.placement_failure!r}; valid: "
                + ", ".join(PLACEMENT_FAILURES[:-1])
                + f", or {_CAPACITY_ALIAS!r} (Fargate: {CAPACITY_UNAVAILABLE!r})"
            )


class RunTaskOperations(ServiceCore):
    """Starting tasks: RunTask, and the Python API's ``run_task`` and ``plan_runs``."""

    #: moto's ECS, for a cluster's capacity providers and container instances and a
    #: definition's tags and task role (``_fake.py`` sets it); ``None``: not read.
    placement: PlacementLookup | None = None
    #: moto's EC2, for the subnets and ENIs of awsvpc tasks; ``None``: ENIs are drawn.
    network: NetworkLookup | None = None

    def run_task(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(region_state, params.get("cluster"), active=True)
        now = self.clock.now()
        token = check_client_token(params)
        tokens = ClientTokens.of(self, cluster)
        if token is not None:
            replay = tokens.replay(token, params, region_state, now)
            if replay is not None:
                return replay
        request = self._read(region_state, cluster, params)
        self._check_hosts(region_state, cluster, request)
        self._check_plans(region_state, request)
        entries: list[TaskEntry] = []
        failures: list[dict[str, str]] = []
        for index in range(request.count):
            plan = self._next_plan(request.definition)
            if plan.placement_failure is not None:
                failures.append(self._failure(region_state, cluster, request, plan))
                continue
            entries.append(
                self._start(
                    region_state, cluster, request=request, containers=None, plan=plan, index=index
                )
            )
        if token is not None:
            tokens.remember(token, params, entries, failures, now)
        tasks = [entry.describe(now, with_tags=True) for entry in entries]
        return {"tasks": tasks, "failures": failures}

    def _read(
        self, region_state: RegionState, cluster: Cluster, params: dict[str, Any]
    ) -> RunRequest:
        """The request checked and resolved, with what the lookups say."""
        region, account = region_state.region, region_state.account_id
        lookup = self.task_definitions
        definition = resolve_definition(
            lambda ref: lookup(region, account, ref) if lookup is not None else None,
            params["taskDefinition"],
        )
        capacity = extras = None
        if self.placement is not None:
            if self.cluster_mirror is not None:
                self.cluster_mirror.sync(region_state)  # moto holds the cluster to read
            capacity = self.placement.cluster_capacity(region, account, cluster.name)
            arn = definition.get("taskDefinitionArn")
            extras = self.placement.definition_extras(region, account, arn) if arn else None
        request = read_request(params, definition, capacity=capacity, extras=extras)
        if self.network is not None and request.subnets:
            self._check_network(region, account, request)
        return request

    def _check_network(self, region: str, account: str, request: RunRequest) -> None:
        assert self.network is not None
        missing = self.network.missing_subnet(region, account, request.subnets)
        if missing is not None:
            # the text ECS answers (through CloudFormation, in aws-cdk users' reports)
            raise EcsError(
                "InvalidParameterException",
                f"Error retrieving subnet information for [{', '.join(request.subnets)}]: "
                f"The subnet ID '{missing}' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
            )
        group = self.network.missing_security_group(region, account, request.security_groups)
        if group is not None:
            # inferred, as the subnet's (moto's own ECS words it so)
            raise EcsError(
                "InvalidParameterException",
                f"Error retrieving security group information for "
                f"[{', '.join(request.security_groups)}]: The security group '{group}' does "
                "not exist (ErrorCode: InvalidGroup.NotFound)",
            )

    def _check_hosts(
        self, region_state: RegionState, cluster: Cluster, request: RunRequest
    ) -> None:
        """EC2 (and EXTERNAL) tasks need container instances in the cluster (counted by
        the cluster mirror: moto's, where they are registered)."""
        if request.launch_type not in ("EC2", "EXTERNAL") or self.cluster_mirror is None:
            return
        _, instances = self.cluster_mirror.usage(region_state, cluster.name)
        if not instances:
            # aws/amazon-ecs-cli#1122, linz/geostore#1687 (and code matching the text)
            raise EcsError(
                "InvalidParameterException", "No Container Instances were found in your cluster."
            )

    def _failure(
        self, region_state: RegionState, cluster: Cluster, request: RunRequest, plan: TaskPlan
    ) -> dict[str, str]:
        """A task RunTask could not place: the failure it answers. A placement reason
        names the container instance ("API failure reasons": RESOURCE:*, AGENT,
        ATTRIBUTE, LOCATION are each about one); Fargate's capacity shortage names
        none (gchq/sleeper#904: ``ARN null``). No ``detail`` (inferred)."""
        reason = str(plan.placement_failure)
        if reason == CAPACITY_UNAVAILABLE:
            return {"reason": reason}
        if request.launch_type == "FARGATE":
            arn = cluster.arn  # inferred: Fargate has no container instance to name
        elif request.container_instances:
            arn = request.container_instances[0]
        else:
            arn = arns.container_instance_arn(
                region_state.region,
                region_state.account_id,
                cluster.name,
                self.task_parts.new_task_id(),  # 32 hex digits, as an instance id has
            )
        return {"arn": arn, "reason": reason}

    def _check_plans(self, region_state: RegionState, request: RunRequest) -> None:
        """The plans the request's tasks will follow, checked against its definition's
        containers before any is used up or any task made: a plan that names a
        container the definition lacks, or logs from one that cannot, fails the call
        (a ``ServerException`` saying so, to the code under test; the plan stays)."""
        saved = [list(entry) for entry in self.run_plans]
        try:
            plans = [self._next_plan(request.definition) for _ in range(request.count)]
        finally:
            self.run_plans = saved
        specs = list(request.definition.get("containerDefinitions") or [])
        names = [str(spec.get("name")) for spec in specs]
        for plan in plans:
            if plan.placement_failure is not None:
                continue
            unknown = [name for name in plan.containers if name not in names]
            if unknown:
                raise ValueError(
                    f"the plan names {unknown[0]!r}, but the task's containers are: "
                    + ", ".join(names)
                )
            log_destinations(plan.logs, specs, region_state.region)

    def plan_runs(self, plan: TaskPlan, times: int | None) -> None:
        """The next ``times`` tasks RunTask (or a service) starts follow ``plan``;
        ``None``: every task no counted plan claims, from now on (replacing an earlier
        such plan for the same task definition)."""
        with self._lock:
            if times is None:
                self.run_plans = [
                    entry
                    for entry in self.run_plans
                    if entry[1] is not None or entry[0].task_definition != plan.task_definition
                ]
            self.run_plans.append([plan, times])

    def _next_plan(self, definition: Mapping[str, Any]) -> TaskPlan:
        """Counted plans first, in the order they were made (each dropped once used
        up); then the standing plan; else the default (runs until stopped). Only plans
        for ``definition`` (or for any task) are considered."""
        standing: TaskPlan | None = None
        for entry in self.run_plans:
            plan, times = entry
            if not plan.matches(definition):
                continue
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
        if plan.placement_failure is not None:
            raise ValueError(
                "placement_failure is what RunTask answers instead of a task: plan it with "
                "plan_runs() for the code under test's run_task calls"
            )
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
            specs = containers or definition.get("containerDefinitions") or [{"name": "app"}]
            if isinstance(plan.exit_code, Mapping):
                names = [str(spec.get("name")) for spec in specs]
                unknown = [name for name in plan.exit_code if name not in names]
                if unknown:
                    raise ValueError(
                        f"exit_code names {unknown[0]!r}, but the task's containers are: "
                        + ", ".join(names)
                    )
            network_mode = definition.get("networkMode") or (
                "bridge" if launch_type == "EC2" else "awsvpc"
            )
            cpu, memory, exact = task_size(definition, specs, launch_type, {})
            request = RunRequest(
                definition=definition,
                count=1,
                launch_type=launch_type,
                capacity_provider=capacity_provider,
                network_mode=network_mode if launch_type != "FARGATE" else "awsvpc",
                cpu=cpu,
                memory=memory,
                exact_size=exact,
                tags=checked_tags(list(tags)),
                started_by=started_by,
                group=group,
            )
            return self._start(
                region_state, found, request=request, containers=containers, plan=plan, index=0
            )

    def _start(
        self,
        region_state: RegionState,
        cluster: Cluster,
        *,
        request: RunRequest,
        containers: Sequence[Mapping[str, Any]] | None,
        plan: TaskPlan,
        index: int,
        at: datetime | None = None,
    ) -> TaskEntry:
        """Start the ``index``-th task of ``request`` (its subnet and container instance
        taken in turn from the request's), now or at the moment ``at`` (the service
        scheduler's, which may lie behind the clock while it catches up)."""
        now = self.clock.now() if at is None else at
        parts = self.task_parts
        task_id = parts.new_task_id(old_format=not self.long_arn_format)
        identity = TaskIdentity(
            region_state.region,
            region_state.account_id,
            cluster.name,
            task_id,
            self.long_arn_format,
        )
        definition = request.definition
        specs = (
            list(containers)
            if containers is not None
            else list(definition.get("containerDefinitions") or [])
        )
        if not specs:
            specs = [{"name": "app", "essential": True}]
        # before anything is made for the task (its ENI): a plan that cannot log fails here
        destinations = log_destinations(plan.logs, specs, region_state.region)
        details: dict[str, Any] = {}
        awsvpc = request.network_mode == "awsvpc"
        if request.launch_type != "FARGATE":
            details["network_mode"] = request.network_mode
        if awsvpc and request.subnets:
            subnet = request.subnets[index % len(request.subnets)]
            details["subnet_id"] = subnet
            if self.network is not None:
                details["interface"] = self._interface_maker(region_state, request, subnet)
        if request.container_instances and request.launch_type != "FARGATE":
            instances = request.container_instances
            details["container_instance_arn"] = instances[index % len(instances)]
        if request.overrides is not None:
            details["overrides"] = request.overrides
        static = parts.static_task(
            identity,
            launch_type=request.launch_type,
            family=definition.get("family"),
            revision=definition.get("revision"),
            task_definition_arn=definition.get("taskDefinitionArn"),
            containers=specs,
            cpu=request.cpu,
            memory=request.memory,
            group=request.group,
            started_by=request.started_by,
            capacity_provider=request.capacity_provider,
            exact_size=request.exact_size,
            cpu_architecture=request.cpu_architecture,
            platform_version=request.platform_version,
            platform_family=request.platform_family,
            ephemeral_storage=request.ephemeral_storage,
            enable_execute_command=request.enable_execute_command,
            **details,
        )
        timings = lifecycle.Timings.from_kwargs(
            plan.timings,
            base=lifecycle.Timings() if request.launch_type != "EC2" else lifecycle.EC2_TIMINGS,
        )
        # Containers with a plan of their own, a dependsOn or a healthCheck move on
        # their own timelines; otherwise in step with the task (as before).
        timeline = plan_timeline(
            now,
            awsvpc=awsvpc,
            timings=timings,
            runs_for=plan.runs_for,
            start_failure=plan.fail_to_start,
            containers=specs,
            plans=plan.containers,
        )
        tags = [dict(tag) for tag in request.tags]
        if request.managed_tags:
            # "Amazon ECS automatically tags all newly launched tasks with the cluster
            # name" (developer guide, tagging for billing); after the others (inferred)
            tags.append({"key": "aws:ecs:clusterName", "value": cluster.name})
        entry = TaskEntry(
            task_id=task_id,
            arn=identity.task_arn,
            cluster=cluster,
            static=static,
            timeline=timeline,
            exits=_exits(specs, static["containers"], plan.exit_code),
            tags=tags,
            invisible_for=self.eventual_consistency,
        )
        if plan.logs:
            entry.logs = container_logs(
                plan.logs, destinations, static["containers"], timeline, task_id
            )
        region_state.tasks[task_id] = entry
        cluster.task_ids[task_id] = None
        self._file(entry)  # a planned end (runs_for, fail_to_start) has its stoppedAt now
        self._follow(entry)  # its events and log lines, from its creation on
        return entry

    def _interface_maker(
        self, region_state: RegionState, request: RunRequest, subnet: str
    ) -> Callable[[str], Mapping[str, str]]:
        """What makes the task's ENI in the network lookup's EC2, given the id of the
        task's ENI attachment (its description names it, as ECS's ENIs do)."""
        network = self.network
        assert network is not None
        region, account = region_state.region, region_state.account_id
        partition = arns.partition_for(region)

        def make(attachment_id: str) -> Mapping[str, str]:
            return network.create_interface(
                region,
                account,
                subnet_id=subnet,
                security_groups=request.security_groups,
                public_ip=request.public_ip,
                description=f"arn:{partition}:ecs:{region}:{account}:attachment/{attachment_id}",
            )

        return make


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
