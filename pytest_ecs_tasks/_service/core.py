"""What every operation of the fake ECS service shares: its settings, its state
(regions, clusters as incarnations, tasks) and the lookups into that state.

:class:`ServiceCore` is the base of the operations (``tasks.py``, ``clusters.py``)
and of :class:`~pytest_ecs_tasks._service.ecs.EcsService`, which puts them behind
requests. Nothing here imports pytest or moto.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from .. import _arns as arns
from .._arns import TaskIdentity
from .._clock import Clock
from .._settings import DEFAULT_CALLS_LIMIT
from .errors import EcsError
from .faults import Faults
from .state import Cluster, Region, TaskEntry

__all__ = [
    "DEFAULT_CALLS_LIMIT",
    "Call",
    "ClusterMirror",
    "RecordMaker",
    "ServiceCore",
    "TaskDefinitionLookup",
]


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


class ClusterMirror(Protocol):
    """Another ECS that must know the clusters this service creates and deletes: moto's,
    which answers the operations the fake leaves to it (services, container instances,
    capacity providers). ``fake.py`` passes one in; the service never imports moto."""

    def sync(self, reg: Region) -> None:
        """Make the other ECS's clusters in ``reg``'s region agree with the newest
        incarnation of each of ``reg``'s cluster names (ACTIVE: there; deleted:
        gone). Called after every change to them (``reg.revision`` goes up) and
        before every request the service leaves to the other ECS."""
        ...

    def usage(self, reg: Region, name: str) -> tuple[int, int]:
        """What the other ECS runs on the cluster ``name`` of ``reg``: (active
        services, registered container instances)."""
        ...


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
        cluster_mirror: ClusterMirror | None = None,
        eventual_consistency: timedelta = timedelta(0),
        invalid_task_ids: str = "error",
        task_order: str = "request",
        calls_limit: int = DEFAULT_CALLS_LIMIT,
    ) -> None:
        if isinstance(calls_limit, bool) or not isinstance(calls_limit, int) or calls_limit < 1:
            raise ValueError(
                f"calls_limit must be a positive int (how many recent calls to keep), "
                f"got {calls_limit!r}"
            )
        self.clock = clock
        self.records = records
        self.account_id = account_id
        self._retention = _checked_retention(retention)
        self.long_arn_format = long_arn_format
        self.task_definitions = task_definitions
        self.cluster_mirror = cluster_mirror
        self.eventual_consistency = eventual_consistency
        #: Inferred behaviours (no public source settles them), switchable:
        #: a malformed task id in DescribeTasks is an "error" or reported "missing";
        #: found tasks come back in "request" order or the order they were "created".
        self.invalid_task_ids = invalid_task_ids
        self.task_order = task_order
        self.faults = Faults()
        #: Plans for the tasks RunTask starts next: [plan, times left or None].
        self.run_plans: list[list[Any]] = []
        #: The most recent ``calls_limit`` calls answered, oldest first.
        self.calls: deque[Call] = deque(maxlen=calls_limit)
        #: Every call answered since the service was made, kept or not.
        self.calls_total = 0
        self._regions: dict[str, Region] = {}
        #: Tasks that have a ``stoppedAt``, as a heap of (stoppedAt, tie-breaker, task):
        #: the next to expire on top. An item whose key is no longer its task's
        #: ``expiry_key`` was superseded (a stop moved ``stoppedAt``) and is skipped.
        self._expiry: list[tuple[datetime, int, TaskEntry]] = []
        self._filed = itertools.count()
        self._superseded = 0
        self._lock = threading.RLock()

    # -- settings ---------------------------------------------------------------------

    @property
    def calls_limit(self) -> int:
        """How many of the most recent calls ``calls`` keeps."""
        limit = self.calls.maxlen
        assert limit is not None
        return limit

    def _record_call(self, call: Call) -> None:
        self.calls.append(call)
        self.calls_total += 1

    @property
    def retention(self) -> timedelta:
        """How long a STOPPED task stays known after its ``stoppedAt``."""
        return self._retention

    @retention.setter
    def retention(self, value: timedelta) -> None:
        # The expiry order is by stoppedAt, not by the moment a task expires, so
        # it stays right whatever the retention: a shorter one drops more tasks at
        # the next call, a longer one keeps every task not dropped yet for longer.
        # A task already dropped stays dropped: the service has forgotten it, as
        # the real one has (a longer retention does not bring it back).
        value = _checked_retention(value)
        with self._lock:
            self._retention = value

    # -- expiry -----------------------------------------------------------------------

    def _file(self, entry: TaskEntry) -> None:
        """File ``entry`` in the expiry order under its current ``stoppedAt``. Call
        it whenever a task is stored or its ``stoppedAt`` may have moved (a stop)."""
        reg = self._regions.get(entry.cluster.region)
        if reg is None or reg.tasks.get(entry.task_id) is not entry:
            return  # not stored (already dropped): nothing to expire
        stopped = entry.stopped_at()
        if stopped == entry.expiry_key:
            return
        if entry.expiry_key is not None:
            self._superseded += 1  # its older item stays in the heap until popped
        entry.expiry_key = stopped
        if stopped is not None:
            heapq.heappush(self._expiry, (stopped, next(self._filed), entry))

    def _purge(self, now: datetime) -> None:
        """Drop every task whose ``stoppedAt + retention`` has passed: the cost is
        that of the tasks dropped (and superseded items met), never a scan."""
        heap, retention = self._expiry, self._retention
        while heap and now - heap[0][0] > retention:
            key, _, entry = heapq.heappop(heap)
            if entry.expiry_key != key:
                self._superseded -= 1
                continue
            if entry.stopped_at() != key:  # moved without being filed again: file it now
                entry.expiry_key = None
                self._file(entry)
                continue
            reg = self._regions.get(entry.cluster.region)
            if reg is None or not reg.drop(entry):
                entry.expiry_key = None
        if self._superseded > max(len(heap) // 2, 64):
            # Mostly superseded items (tasks stopped long before their planned end):
            # keep the live ones only, so the heap stays as small as the tasks filed.
            self._expiry = [item for item in heap if item[2].expiry_key == item[0]]
            heapq.heapify(self._expiry)
            self._superseded = 0

    # -- state ------------------------------------------------------------------------

    def _region(self, region: str) -> Region:
        reg = self._regions.get(region)
        if reg is None:
            reg = Region(region, self.account_id)
            self._regions[region] = reg
            self._new_cluster(reg, "default", tags=[])
        return reg

    def regions(self) -> list[Region]:
        """Every region the service has met, its expired tasks dropped."""
        with self._lock:
            self._purge(self.clock.now())
            return list(self._regions.values())

    def region(self, region: str) -> Region:
        """One region's state (made on first use), its expired tasks dropped."""
        with self._lock:
            self._purge(self.clock.now())
            return self._region(region)

    def _new_cluster(
        self,
        reg: Region,
        name: str,
        *,
        tags: list[dict[str, str]],
        settings: Sequence[Mapping[str, str]] = (),
    ) -> Cluster:
        cluster = Cluster(
            reg.region,
            reg.account_id,
            name,
            self.clock.now(),
            tags=tags,
            settings=[dict(s) for s in settings],
        )
        reg.clusters.setdefault(name, []).append(cluster)
        self._clusters_changed(reg)
        return cluster

    def _clusters_changed(self, reg: Region) -> None:
        """A cluster of ``reg`` was created, deleted or retagged: tell the mirror."""
        reg.revision += 1
        if self.cluster_mirror is not None:
            self.cluster_mirror.sync(reg)

    def _before_other_ecs(self, region: str) -> None:
        """A request the service leaves to the other ECS (moto's) is about to go
        there: make sure it knows this region's clusters (the ``default`` one too)."""
        if self.cluster_mirror is None:
            return
        with self._lock:
            self.cluster_mirror.sync(self._region(region))

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


def _checked_retention(value: object) -> timedelta:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ValueError(f"retention must be a non-negative timedelta, got {value!r}")
    return value
