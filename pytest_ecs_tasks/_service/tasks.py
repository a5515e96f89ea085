"""Task operations of the fake ECS service: DescribeTasks, StopTask, ListTasks, and
the Python API's ways to add and stop tasks. RunTask and starting tasks live in
``run_task.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .. import _arns as arns
from .. import _lifecycle as lifecycle
from . import paging
from .errors import EcsError
from .run_task import RunTaskOperations, TaskPlan
from .state import Cluster, RegionState, TaskEntry

__all__ = ["TaskOperations", "TaskPlan"]


_PLAUSIBLE_ID = re.compile(r"^[A-Za-z0-9-]{1,36}$")


class TaskOperations(RunTaskOperations):
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
        """As ``_task_ref``, but a malformed id is reported MISSING when the
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

    # -- the Python API's ready records, StopTask ------------------------------------

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
            # a stop may move stoppedAt (earlier than a planned end), and what comes next
            self._restated(entry)

    # -- ListTasks -------------------------------------------------------------------

    #: The ListTasks filters ``startedBy`` cannot be combined with.
    _NOT_WITH_STARTED_BY = ("containerInstance", "family", "launchType", "serviceName")

    def list_tasks(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(region_state, params.get("cluster"))
        desired = params.get("desiredStatus", "RUNNING")
        if desired not in ("RUNNING", "PENDING", "STOPPED"):
            raise EcsError(
                "InvalidParameterException",
                "desiredStatus should be one of [RUNNING, PENDING, STOPPED]",
            )
        launch_type = params.get("launchType")
        if launch_type is not None and launch_type not in lifecycle.LAUNCH_TYPES:
            # botocore does not check enum values: a boto3 client sends any launchType.
            # inferred: the wording RunTask uses for the same mistake.
            raise EcsError(
                "InvalidParameterException",
                f"launchType should be one of [{', '.join(lifecycle.LAUNCH_TYPES)}]",
            )
        limit, after = paging.read_page_request(params, "ListTasks")
        self._check_task_filters(region_state, cluster, params)
        if desired == "PENDING":
            # "Although you can filter results based on a desired status of PENDING,
            # this doesn't return any results" (the ListTasks API page): no task's
            # desiredStatus is ever PENDING.
            return {"taskArns": []}
        listed = self._listed_tasks(region_state, cluster, params, desired, after)
        page, token = paging.take_page(listed, limit, "ListTasks")
        response: dict[str, Any] = {"taskArns": page}
        if token:
            response["nextToken"] = token
        return response

    def _check_task_filters(
        self, region_state: RegionState, cluster: Cluster, params: dict[str, Any]
    ) -> None:
        """The service's rules on combining ListTasks filters, and its answer to a
        ``serviceName`` the cluster does not have."""
        if params.get("startedBy") and any(params.get(name) for name in self._NOT_WITH_STARTED_BY):
            # "When you specify startedBy as the filter, it must be the only filter that
            # you use" (the ListTasks API page; the message as aws-sdk-go-v2#1893 quotes
            # it). desiredStatus is not one of those filters: Airflow's ECS operator asks
            # for cluster, desiredStatus and startedBy together.
            raise EcsError(
                "InvalidParameterException", "cannot specify startedBy with other arguments"
            )
        service = params.get("serviceName")
        if service and params.get("family"):
            # family and serviceName cannot be asked together (fujiwara/ecsta splits
            # such a listing in two for that reason).
            # inferred: the message, worded as the startedBy one is.
            raise EcsError("InvalidParameterException", "cannot specify serviceName with family")
        # The fake's services, and any made in the other ECS (moto's). With neither
        # (no mirror, no service), the listing goes by the tasks' group alone. The
        # message as ListTasks answers it (turbot/steampipe-plugin-aws#1415).
        known = self.cluster_mirror is not None or bool(cluster.services)
        if service and known and service not in self._services_of(region_state, cluster):
            raise EcsError("ServiceNotFoundException", "Service not found.")

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
        dropped past retention have left ``cluster.task_ids``. A task ListTasks lists
        is one DescribeTasks on the same cluster finds (a deleted cluster: its tagged
        tasks only; none still invisible after RunTask, none expired)."""
        now = self.clock.now()
        family = params.get("family")
        started_by = params.get("startedBy")
        group = f"service:{params['serviceName']}" if params.get("serviceName") else None
        launch_type = params.get("launchType")
        instance = params.get("containerInstance")
        for task_id in cluster.task_ids:
            entry = region_state.tasks[task_id]
            if entry.order <= after or not self._visible(entry, cluster, now):
                continue
            if entry.desired_status(now) != desired:
                continue
            static = entry.static
            if (
                family
                and static.get("taskDefinitionArn", "").rpartition("/")[2].partition(":")[0]
                != family
            ):
                continue
            if started_by and static.get("startedBy") != started_by:
                continue
            if group and static.get("group") != group:
                continue
            if launch_type and static.get("launchType") != launch_type:
                continue
            if instance:
                arn = static.get("containerInstanceArn", "")
                if arn != instance and not arn.endswith("/" + instance):
                    continue
            yield entry.order, entry.arn
