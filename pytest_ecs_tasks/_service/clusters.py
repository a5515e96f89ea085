"""Cluster operations of the fake ECS service: CreateCluster, DeleteCluster,
DescribeClusters, ListClusters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import _arns as arns
from . import paging
from .core import ServiceCore
from .errors import EcsError
from .state import Cluster, RegionState
from .tags import checked_tags

__all__ = ["ClusterOperations"]


class ClusterOperations(ServiceCore):
    """Clusters, as incarnations of a name."""

    # -- clusters --------------------------------------------------------------------

    def _cluster_record(self, cluster: Cluster, *, include: Sequence[str] = ()) -> dict[str, Any]:
        region_state = self._region_state(cluster.region)
        now = self.clock.now()
        running = pending = 0
        for task_id in cluster.task_ids:
            entry = region_state.tasks[task_id]
            status = entry.last_status(now)
            if status == "RUNNING":
                running += 1
            elif status in ("PROVISIONING", "PENDING", "ACTIVATING"):
                pending += 1
        services = instances = 0
        if cluster.active and self.cluster_mirror is not None:
            services, instances = self.cluster_mirror.usage(region_state, cluster.name)
        record: dict[str, Any] = {
            "clusterArn": cluster.arn,
            "clusterName": cluster.name,
            "status": cluster.status,
            "registeredContainerInstancesCount": instances,
            "runningTasksCount": running if cluster.active else 0,
            "pendingTasksCount": pending if cluster.active else 0,
            "activeServicesCount": services,
            "statistics": [],
            "tags": [dict(t) for t in cluster.tags] if "TAGS" in include else [],
            "settings": [dict(s) for s in cluster.settings]
            or [{"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": [],
            "defaultCapacityProviderStrategy": [],
        }
        return record

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
        return {"cluster": self._cluster_record(cluster, include=("TAGS",))}

    def delete_cluster(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(region_state, params["cluster"], active=True)
        if self.cluster_mirror is not None:
            # what moto runs on it (services, container instances) holds it too
            services, instances = self.cluster_mirror.usage(region_state, cluster.name)
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
