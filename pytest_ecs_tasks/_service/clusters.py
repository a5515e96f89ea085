"""Cluster operations of the fake ECS service: CreateCluster, DeleteCluster,
DescribeClusters, ListClusters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from .. import _arns as arns
from . import paging
from .core import ServiceCore
from .errors import EcsError
from .state import Cluster, RegionState
from .tags import checked_tags

__all__ = ["CLUSTER_STATISTICS", "ClusterOperations"]

#: What ``include=["STATISTICS"]`` adds to a Cluster record, in the service's order:
#: (statistic name, what it counts, its state, launch type). The first twelve, and
#: their order, are those a live DescribeClusters answered (grucloud's ECS Cluster
#: docs list one); botocore's model names eight of them.
#: inferred: the four ManagedInstances counters (the MANAGED_INSTANCES launch type
#: came later than that answer; their names and places follow the others).
CLUSTER_STATISTICS: tuple[tuple[str, str, str, str], ...] = (
    ("runningEC2TasksCount", "tasks", "running", "EC2"),
    ("runningFargateTasksCount", "tasks", "running", "FARGATE"),
    ("pendingEC2TasksCount", "tasks", "pending", "EC2"),
    ("pendingFargateTasksCount", "tasks", "pending", "FARGATE"),
    ("runningExternalTasksCount", "tasks", "running", "EXTERNAL"),
    ("pendingExternalTasksCount", "tasks", "pending", "EXTERNAL"),
    ("runningManagedInstancesTasksCount", "tasks", "running", "MANAGED_INSTANCES"),
    ("pendingManagedInstancesTasksCount", "tasks", "pending", "MANAGED_INSTANCES"),
    ("activeEC2ServiceCount", "services", "ACTIVE", "EC2"),
    ("activeFargateServiceCount", "services", "ACTIVE", "FARGATE"),
    ("drainingEC2ServiceCount", "services", "DRAINING", "EC2"),
    ("drainingFargateServiceCount", "services", "DRAINING", "FARGATE"),
    ("activeExternalServiceCount", "services", "ACTIVE", "EXTERNAL"),
    ("drainingExternalServiceCount", "services", "DRAINING", "EXTERNAL"),
    ("activeManagedInstancesServiceCount", "services", "ACTIVE", "MANAGED_INSTANCES"),
    ("drainingManagedInstancesServiceCount", "services", "DRAINING", "MANAGED_INSTANCES"),
)
#: A cluster's settings when none were given: how DescribeClusters shows them with
#: ``include=["SETTINGS"]`` (Container Insights off, the account default).
DEFAULT_SETTINGS = ({"name": "containerInsights", "value": "disabled"},)
#: The lastStatus values a cluster's ``pendingTasksCount`` counts.
_PENDING = frozenset({"PROVISIONING", "PENDING", "ACTIVATING"})


class ClusterOperations(ServiceCore):
    """Clusters, as incarnations of a name."""

    # -- clusters --------------------------------------------------------------------

    def _cluster_record(self, cluster: Cluster, *, include: Sequence[str] = ()) -> dict[str, Any]:
        """The Cluster record, with what ``include`` asks for. Without it, ``tags``,
        ``settings`` and ``statistics`` come back empty, as the service sends them
        (the AWS CLI's describe-clusters example with ``--include ATTACHMENTS``:
        ``"statistics": [], "tags": [], "settings": []``)."""
        region_state = self._region_state(cluster.region)
        now = self.clock.now()
        # (state, launch type) -> tasks of this cluster in it: the cluster's own tasks only
        tasks: Counter[tuple[str, str]] = Counter()
        if cluster.active:
            for task_id in cluster.task_ids:
                entry = region_state.tasks[task_id]
                status = entry.last_status(now)
                if status == "RUNNING":
                    tasks["running", _launch_type(entry.static)] += 1
                elif status in _PENDING:
                    tasks["pending", _launch_type(entry.static)] += 1
        services = instances = 0
        if cluster.active:
            services, instances = self._usage(region_state, cluster)
        record: dict[str, Any] = {
            "clusterArn": cluster.arn,
            "clusterName": cluster.name,
            "status": cluster.status,
            "registeredContainerInstancesCount": instances,
            "runningTasksCount": sum(n for (state, _), n in tasks.items() if state == "running"),
            "pendingTasksCount": sum(n for (state, _), n in tasks.items() if state == "pending"),
            "activeServicesCount": services,
            "statistics": self._statistics(region_state, cluster, tasks)
            if "STATISTICS" in include
            else [],
            "tags": [dict(t) for t in cluster.tags] if "TAGS" in include else [],
            "settings": [dict(s) for s in cluster.settings or DEFAULT_SETTINGS]
            if "SETTINGS" in include
            else [],
            "capacityProviders": [],
            "defaultCapacityProviderStrategy": [],
        }
        if "ATTACHMENTS" in include:
            # inferred: the list of its capacity providers' attachments, empty as the
            # fake's clusters have none; absent unless asked for.
            record["attachments"] = []
        return record

    def _statistics(
        self, region_state: RegionState, cluster: Cluster, tasks: Counter[tuple[str, str]]
    ) -> list[dict[str, str]]:
        """``statistics`` of ``cluster``: its tasks' counts (``tasks``), and its services
        as the cluster mirror (moto) holds them; KeyValuePairs with string values."""
        services: Counter[tuple[str, str]] = Counter()
        if cluster.active:
            services.update(self._services_of(region_state, cluster).values())
        counts = {"tasks": tasks, "services": services}
        return [
            {"name": name, "value": str(counts[kind][state, launch_type])}
            for name, kind, state, launch_type in CLUSTER_STATISTICS
        ]

    def create_cluster(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("clusterName") or "default"
        if not arns.CLUSTER_NAME.match(name):
            raise EcsError(
                "InvalidParameterException",
                "Cluster name can have up to 255 letters (uppercase and lowercase), numbers, "
                "hyphens, and underscores.",
            )
        tags = checked_tags(params.get("tags") or [])
        settings = params.get("settings") or []
        cluster = region_state.current(name)
        if cluster is None or not cluster.active:
            cluster = self._new_cluster(region_state, name, tags=tags, settings=settings)
        elif settings:
            cluster.settings = [dict(s) for s in settings]
        # CreateCluster shows the cluster's tags and the settings it was given (the AWS
        # CLI's create-cluster examples), an empty ``settings`` when none were.
        record = self._cluster_record(cluster, include=("TAGS",))
        record["settings"] = [dict(s) for s in cluster.settings]
        return {"cluster": record}

    def delete_cluster(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(region_state, params["cluster"], active=True)
        # its services, and what moto runs on it (container instances), hold it
        services, instances = self._usage(region_state, cluster)
        if services:
            raise EcsError(
                "ClusterContainsServicesException",
                "The Cluster cannot be deleted while Services are active.",
            )
        if instances:
            raise EcsError(
                "ClusterContainsContainerInstancesException",
                "The Cluster cannot be deleted while Container Instances are active or draining.",
            )
        now = self.clock.now()
        for task_id in cluster.task_ids:
            entry = region_state.tasks[task_id]
            if not entry.expired(now, self.retention) and entry.last_status(now) != "STOPPED":
                raise EcsError(
                    "ClusterContainsTasksException",
                    "The Cluster cannot be deleted while Tasks are active.",
                )
        cluster.status = "INACTIVE"
        cluster.deleted_at = now
        self._clusters_changed(region_state)
        return {"cluster": self._cluster_record(cluster)}

    def describe_clusters(
        self, region_state: RegionState, params: dict[str, Any]
    ) -> dict[str, Any]:
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
                cluster = self._cluster(region_state, ref)
            except EcsError:
                arn = (
                    ref
                    if str(ref).startswith("arn:")
                    else arns.cluster_arn(region_state.region, region_state.account_id, str(ref))
                )
                failures.append({"arn": arn, "reason": "MISSING"})
                continue
            clusters.append(self._cluster_record(cluster, include=include))
        return {"clusters": clusters, "failures": failures}

    def list_clusters(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        # A cluster's place is its name's among the names ever created here (names
        # are never forgotten, and a recreated cluster keeps its name's place).
        limit, after = paging.read_page_request(params, "ListClusters")
        listed = (
            (place, incarnations[-1].arn)
            for place, incarnations in enumerate(region_state.clusters.values())
            if place > after and incarnations[-1].active
        )
        page, token = paging.take_page(listed, limit, "ListClusters")
        response: dict[str, Any] = {"clusterArns": page}
        if token:
            response["nextToken"] = token
        return response


def _launch_type(task: Mapping[str, Any]) -> str:
    """The launch type a task counts under in a cluster's statistics (a ready record
    without one: by its capacity provider, Fargate's or else EC2)."""
    launch_type = task.get("launchType")
    if isinstance(launch_type, str) and launch_type:
        return launch_type
    provider = task.get("capacityProviderName")
    return "FARGATE" if isinstance(provider, str) and provider.startswith("FARGATE") else "EC2"
