"""What RunTask reads of moto's ECS besides a task definition's record: a cluster's
capacity providers (PutClusterCapacityProviders goes to moto), its default
capacity provider strategy and its registered container instances, and a task
definition's tags and task role (which ``moto_ecs.task_definition`` leaves out).

``MotoPlacement`` is the service's ``placement`` lookup (``_fake.py`` passes it
in; the service never imports moto). The service syncs its clusters into moto (its
cluster mirror) before asking, so moto holds a record for each of them.

These reads belong with ``moto_ecs`` (the module that reads moto's ECS state); they
live here until that module takes them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .moto_ecs import MOTO_LOCK, moto_backends

__all__ = ["MotoPlacement"]


class MotoPlacement:
    """A cluster's capacity and a task definition's extras, from moto's ECS."""

    def cluster_capacity(self, region: str, account_id: str, cluster: str) -> dict[str, Any]:
        """``providers`` (names associated with the cluster), ``default_strategy`` (its
        default capacity provider strategy) and ``container_instances`` (the ARNs of
        its ACTIVE registered container instances), over the accounts moto files
        requests under."""
        providers: dict[str, None] = {}
        strategy: list[Mapping[str, Any]] = []
        instances: list[str] = []
        with MOTO_LOCK:
            for backend in _backends(region, account_id):
                held = backend.clusters.get(cluster)
                if held is None:
                    continue
                providers.update(dict.fromkeys(getattr(held, "capacity_providers", None) or []))
                if not strategy:
                    strategy = list(getattr(held, "default_capacity_provider_strategy", None) or [])
                for instance in (backend.container_instances.get(cluster) or {}).values():
                    if getattr(instance, "status", "ACTIVE") == "ACTIVE":
                        instances.append(str(instance.container_instance_arn))
        return {
            "providers": list(providers),
            "default_strategy": [dict(item) for item in strategy],
            "container_instances": instances,
        }

    def definition_extras(self, region: str, account_id: str, arn: str) -> dict[str, Any]:
        """A registered task definition's ``tags`` (the boto3 list) and
        ``taskRoleArn`` (absent when it has none)."""
        family, _, revision = arn.rpartition("/")[2].partition(":")
        with MOTO_LOCK:
            for backend in _backends(region, account_id):
                definition = (backend.task_definitions.get(family) or {}).get(
                    int(revision) if revision.isdigit() else -1
                )
                if definition is None:
                    continue
                extras: dict[str, Any] = {
                    "tags": [
                        {"key": str(tag["key"]), "value": str(tag.get("value", ""))}
                        for tag in getattr(definition, "tags", None) or []
                    ]
                }
                role = getattr(definition, "task_role_arn", None)
                if role:
                    extras["taskRoleArn"] = str(role)
                return extras
        return {"tags": []}


def _backends(region: str, account_id: str) -> Iterator[Any]:
    """moto's ECS backends of ``region``: moto's request account first, then the fake's
    (as ``moto_ecs`` mirrors the clusters into both)."""
    return moto_backends("ecs", region, account_id)
