"""Tag operations of the fake ECS service (TagResource, UntagResource,
ListTagsForResource) for its clusters and tasks, and the service's tag rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import _arns as arns
from .core import ServiceCore
from .errors import EcsError
from .state import Cluster, RegionState, TaskEntry

__all__ = ["TagOperations", "checked_tags", "owns_resource"]


def owns_resource(resource: object) -> bool:
    """Whether a tag request's ``resourceArn`` names something the fake holds (a
    cluster or a task); anything else (services, task definitions...) is moto's."""
    if not isinstance(resource, str):
        return True  # let validation answer
    return resource.startswith("arn:") and (":cluster/" in resource or ":task/" in resource)


def checked_tags(
    tags: Sequence[Mapping[str, Any]], *, onto: Sequence[Mapping[str, str]] = ()
) -> list[dict[str, str]]:
    """``tags`` as the service stores them, put onto the tags a resource already has
    (``onto``), or the service's error for the first rule they break (at most 50
    in a request and on a resource; keys 1 to 128 characters, not ``aws:``; values
    at most 256).

    Keys are unique per resource: a key given again, in the same request or
    already on the resource, keeps one value, the later one, in the place the key
    first had ("each tag key must be unique, and each tag key can have only one
    value", the Tag shape in botocore's model)."""
    if len(tags) > 50:
        raise EcsError("InvalidParameterException", "A resource can have at most 50 tags.")
    merged = {tag["key"]: tag["value"] for tag in onto}
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
        merged[str(key)] = str(value)
    if len(merged) > 50:
        raise EcsError("InvalidParameterException", "A resource can have at most 50 tags.")
    return [{"key": key, "value": value} for key, value in merged.items()]


class TagOperations(ServiceCore):
    """The tags of clusters and tasks."""

    def _tagged(self, region_state: RegionState, resource: str) -> Cluster | TaskEntry:
        if ":cluster/" in resource:
            cluster = self._cluster(region_state, resource)
            if not cluster.active:
                raise EcsError(
                    "InvalidParameterException",
                    "The specified cluster is inactive. Specify an active cluster and try again.",
                )
            return cluster
        parsed = arns.parse_task_arn(resource)
        entry = region_state.tasks.get(parsed.task_id) if parsed else None
        if (
            parsed is None
            or entry is None
            or parsed.region != region_state.region
            or parsed.account_id != region_state.account_id
            or entry.arn != resource
            or entry.expired(self.clock.now(), self.retention)
        ):
            raise EcsError("InvalidParameterException", "The specified task is not found.")
        return entry

    def tag_resource(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        target = self._tagged(region_state, params["resourceArn"])
        target.tags = checked_tags(params["tags"], onto=target.tags)
        if isinstance(target, Cluster):
            self._clusters_changed(region_state)
        return {}

    def untag_resource(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        target = self._tagged(region_state, params["resourceArn"])
        drop = set(params["tagKeys"])
        target.tags = [t for t in target.tags if t["key"] not in drop]
        if isinstance(target, Cluster):
            self._clusters_changed(region_state)
        return {}

    def list_tags_for_resource(
        self, region_state: RegionState, params: dict[str, Any]
    ) -> dict[str, Any]:
        target = self._tagged(region_state, params["resourceArn"])
        return {"tags": [dict(t) for t in target.tags]}
