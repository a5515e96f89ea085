"""What every operation of the fake ECS service shares: its settings, its state
(regions, clusters as incarnations, tasks) and the lookups into that state.

:class:`ServiceCore` is the base of the operations (``tasks.py``, ``clusters.py``)
and of :class:`~pytest_ecs_tasks.service.ecs.EcsService`, which puts them behind
requests. Nothing here imports pytest or moto.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from .. import arns
from ..arns import TaskIdentity
from ..clock import Clock
from .errors import EcsError
from .faults import Faults
from .state import Cluster, Region, TaskEntry

__all__ = ["Call", "RecordMaker", "ServiceCore", "TaskDefinitionLookup"]


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


class ServiceCore:
    """The settings and state of the fake ECS task service of one account, across regions."""

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
