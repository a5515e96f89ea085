"""What every operation of the fake ECS service shares: its settings, its state
(regions, clusters as incarnations, tasks) and the lookups into that state.

``ServiceCore`` is the base of the operations (``tasks.py``, ``clusters.py``, ``tags.py``)
and of ``EcsService``, which puts them behind
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
from .._settings import DEFAULTS, Settings
from .errors import EcsError
from .faults import Faults
from .service_state import INACTIVE_KEPT
from .state import Cluster, RegionState, TaskEntry
from .timeline_feed import TimelineFeed

__all__ = [
    "Call",
    "ClusterMirror",
    "ServiceCore",
    "TaskDefinitionLookup",
    "TaskParts",
]


class TaskParts(Protocol):
    """Where the service gets the static parts of the tasks it starts (the factories)."""

    def new_task_id(self, *, old_format: bool = False) -> str: ...

    def static_task(self, identity: TaskIdentity, **details: Any) -> dict[str, Any]:
        """The task's static parts: its launch type, definition, containers, sizes,
        network and what else a started task shows (see ``_factories._parts.static_task``
        for the keywords)."""
        ...


#: ``lookup(region, account_id, reference)`` -> the registered TaskDefinition, or None.
TaskDefinitionLookup = Callable[[str, str, str], "Mapping[str, Any] | None"]


class ClusterMirror(Protocol):
    """Another ECS that must know the clusters this service creates and deletes: moto's,
    which answers the operations the fake leaves to it (services, container instances,
    capacity providers). ``fake.py`` passes one in; the service never imports moto."""

    def sync(self, region_state: RegionState) -> None:
        """Make the other ECS's clusters in ``region_state``'s region agree with the newest
        incarnation of each of ``region_state``'s cluster names (ACTIVE: there; deleted:
        gone). Called after every change to them (``region_state.revision`` goes up) and
        before every request the service leaves to the other ECS."""
        ...

    def usage(self, region_state: RegionState, name: str) -> tuple[int, int]:
        """What the other ECS runs on the cluster ``name`` of ``region_state``: (active
        services, registered container instances)."""
        ...

    def services(self, region_state: RegionState, name: str) -> Mapping[str, tuple[str, str]]:
        """The services the other ECS holds on the cluster ``name`` of ``region_state``,
        deleted ones it still keeps included: service name -> (status, launch type),
        e.g. ``{"web": ("ACTIVE", "FARGATE")}``."""
        ...


@dataclass
class Call:
    """One API call the fake answered, as ``FakeEcs.calls`` lists them."""

    operation: str
    """The ECS operation, like ``"DescribeTasks"``."""
    region: str
    """The region the client called."""
    params: dict[str, Any]
    """The request's parameters, as the client sent them (boto3's names)."""
    at: datetime
    """The fake clock's time when the call was answered."""
    response: dict[str, Any] | None = None
    """What the call returned, in boto3's shape (``None`` if it failed)."""
    error: EcsError | None = None
    """The error the call was answered with (``None`` if it succeeded)."""

    def __repr__(self) -> str:
        outcome = f"error={self.error.code}" if self.error else "ok"
        return f"<Call {self.operation} {self.region} {outcome}>"


class ServiceCore:
    """The settings and state of the fake ECS task service of one account, across regions."""

    def __init__(
        self,
        clock: Clock,
        task_parts: TaskParts,
        settings: Settings = DEFAULTS,
        *,
        task_definitions: TaskDefinitionLookup | None = None,
        cluster_mirror: ClusterMirror | None = None,
    ) -> None:
        """``settings`` come checked (``_settings`` is where each is defined and
        checked); the service only reads them."""
        self.clock = clock
        self.task_parts = task_parts
        self.account_id = settings.account_id
        self._retention = settings.retention
        self.long_arn_format = settings.long_arn_format
        self.task_definitions = task_definitions
        self.cluster_mirror = cluster_mirror
        self.eventual_consistency = settings.eventual_consistency
        #: Inferred behaviours (no public source settles them), switchable:
        #: a malformed task id in DescribeTasks is an "error" or reported "missing";
        #: found tasks come back in "request" order or the order they were "created".
        self.invalid_task_ids = settings.invalid_task_ids
        self.task_order = settings.task_order
        self.faults = Faults()
        #: Plans for the tasks RunTask starts next: [plan, times left or None].
        self.run_plans: list[list[Any]] = []
        #: The most recent ``calls_limit`` calls answered, oldest first.
        self.calls: deque[Call] = deque(maxlen=settings.calls_limit)
        #: Every call answered since the service was made, kept or not.
        self.calls_total = 0
        #: The tasks' events and container log lines, written as the clock passes them.
        self.feed = TimelineFeed(settings.events_limit)
        #: Services to wake, as a heap of (moment, tie-breaker, service); an item whose
        #: moment is no longer its service's ``wake_key`` was superseded.
        self._wakes: list[tuple[datetime, int, Any]] = []
        self._wakes_limit = 64
        #: Services that became INACTIVE, oldest first: forgotten by ``_purge`` an hour
        #: (``service_state.INACTIVE_KEPT``) later.
        self._inactive: deque[Any] = deque()
        self._publishing = False
        self._regions: dict[str, RegionState] = {}
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
        with self._lock:
            self._retention = value

    # -- the timeline feed ---------------------------------------------------------------

    def publish(self) -> None:
        """Catch up with the clock: emit the events and write the log lines whose moment
        has passed, and let the service scheduler act at each moment it wakes at, all
        in moment order (at one moment, the tasks' changes first: the scheduler reacts
        to them). Re-entered from within (a task the scheduler starts), it does nothing:
        the loop already running goes on in order."""
        with self._lock:
            if self._publishing or not (self.feed._heap or self._wakes):
                return  # the usual case: nothing filed, nothing to do
            self._publishing = True
            try:
                now = self.clock.now()
                feed = self.feed
                while True:
                    change = feed.next_at()
                    wake = self._next_wake()
                    if change is not None and change <= now and (wake is None or change <= wake):
                        feed.step(_render)
                    elif wake is not None and wake <= now:
                        self._wake(wake)
                    else:
                        return
            finally:
                self._publishing = False

    # -- the service scheduler's wake-ups (``scheduler.py`` acts on them) ----------------

    def _next_wake(self) -> datetime | None:
        """The moment a service is filed under next (``None``: none)."""
        wakes = self._wakes
        while wakes and wakes[0][2].wake_key != wakes[0][0]:
            heapq.heappop(wakes)  # superseded
        return wakes[0][0] if wakes else None

    def _wake(self, moment: datetime) -> None:
        """Let the scheduler act on the service filed under ``moment`` (overridden)."""
        self._pop_wake()

    def _pop_wake(self) -> Any:
        """Take the service filed next (after ``_next_wake``) off the heap."""
        service = heapq.heappop(self._wakes)[2]
        service.wake_key = None
        return service

    def _file_wake(self, service: Any, moment: datetime | None) -> None:
        """File ``service`` to wake at ``moment`` (``None``: nothing to do until told)."""
        if moment == service.wake_key:
            return
        service.wake_key = moment
        if moment is not None:
            heapq.heappush(self._wakes, (moment, next(self._filed), service))
        if len(self._wakes) > self._wakes_limit:
            # superseded items pile up as services are filed again and again: keep the
            # live ones (amortized: the limit doubles with what stays)
            self._wakes = [w for w in self._wakes if w[2].wake_key == w[0]]
            heapq.heapify(self._wakes)
            self._wakes_limit = max(64, 2 * len(self._wakes))

    def _follow(self, entry: TaskEntry) -> None:
        """Follow a task RunTask (or the Python API) just started: its events from now on."""
        self.feed.watch(entry, entry.created_at)
        self.publish()

    def _restated(self, entry: TaskEntry) -> None:
        """``entry``'s timeline changed (a stop): refile it in the feed and the expiry order."""
        self._file(entry)
        self.feed.refile(entry)
        self.publish()

    # -- expiry -----------------------------------------------------------------------

    def _file(self, entry: TaskEntry) -> None:
        """File ``entry`` in the expiry order under its current ``stoppedAt``. Call
        it whenever a task is stored or its ``stoppedAt`` may have moved (a stop)."""
        region_state = self._regions.get(entry.cluster.region)
        if region_state is None or region_state.tasks.get(entry.task_id) is not entry:
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
            region_state = self._regions.get(entry.cluster.region)
            if region_state is None or not region_state.drop(entry):
                entry.expiry_key = None
        inactive = self._inactive
        while inactive and now - inactive[0].inactive_at > INACTIVE_KEPT:
            service = inactive.popleft()
            if service.cluster.services.get(service.name) is service:
                del service.cluster.services[service.name]
        if self._superseded > max(len(heap) // 2, 64):
            # Mostly superseded items (tasks stopped long before their planned end):
            # keep the live ones only, so the heap stays as small as the tasks filed.
            self._expiry = [item for item in heap if item[2].expiry_key == item[0]]
            heapq.heapify(self._expiry)
            self._superseded = 0

    # -- state ------------------------------------------------------------------------

    def _region_state(self, region: str) -> RegionState:
        region_state = self._regions.get(region)
        if region_state is None:
            region_state = RegionState(region, self.account_id)
            self._regions[region] = region_state
            self._new_cluster(region_state, "default", tags=[])
        return region_state

    def region_states(self) -> list[RegionState]:
        """Every region the service has met, its expired tasks dropped."""
        with self._lock:
            self._purge(self.clock.now())
            return list(self._regions.values())

    def region_state(self, region: str) -> RegionState:
        """One region's state (made on first use), its expired tasks dropped."""
        with self._lock:
            self._purge(self.clock.now())
            return self._region_state(region)

    def _new_cluster(
        self,
        region_state: RegionState,
        name: str,
        *,
        tags: list[dict[str, str]],
        settings: Sequence[Mapping[str, str]] = (),
    ) -> Cluster:
        cluster = Cluster(
            region_state.region,
            region_state.account_id,
            name,
            self.clock.now(),
            tags=tags,
            settings=[dict(s) for s in settings],
        )
        region_state.clusters.setdefault(name, []).append(cluster)
        self._clusters_changed(region_state)
        return cluster

    def _clusters_changed(self, region_state: RegionState) -> None:
        """A cluster of ``region_state`` was created, deleted or retagged: tell the mirror."""
        region_state.revision += 1
        if self.cluster_mirror is not None:
            self.cluster_mirror.sync(region_state)

    def _before_other_ecs(self, region: str) -> None:
        """A request the service leaves to the other ECS (moto's) is about to go
        there: make sure it knows this region's clusters (the ``default`` one too)."""
        if self.cluster_mirror is None:
            return
        with self._lock:
            self.cluster_mirror.sync(self._region_state(region))

    def _cluster(self, region_state: RegionState, ref: object, *, active: bool = False) -> Cluster:
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
                region != region_state.region
                or account != region_state.account_id
                or partition != arns.partition_for(region_state.region)
            ):
                raise EcsError("ClusterNotFoundException", "Cluster not found.")
        else:
            name = ref
        cluster = region_state.current(name)
        if cluster is None or (active and not cluster.active):
            raise EcsError("ClusterNotFoundException", "Cluster not found.")
        return cluster

    def _services_of(
        self, region_state: RegionState, cluster: Cluster
    ) -> dict[str, tuple[str, str]]:
        """Every service the cluster holds, its own and the other ECS's (moto's, made
        there directly): service name -> (status, launch type)."""
        found: dict[str, tuple[str, str]] = {}
        if self.cluster_mirror is not None:
            found.update(self.cluster_mirror.services(region_state, cluster.name))
        for name, service in cluster.services.items():
            found[name] = (service.status, service.launch_type or "FARGATE")
        return found

    def _usage(self, region_state: RegionState, cluster: Cluster) -> tuple[int, int]:
        """(services ACTIVE or DRAINING, registered container instances) on ``cluster``."""
        services = instances = 0
        if self.cluster_mirror is not None:
            services, instances = self.cluster_mirror.usage(region_state, cluster.name)
        services += sum(1 for s in cluster.services.values() if s.status != "INACTIVE")
        return services, instances

    def _visible(self, entry: TaskEntry, cluster: Cluster, now: datetime) -> bool:
        """Whether DescribeTasks on ``cluster`` (its newest incarnation) shows ``entry``."""
        if entry.cluster is not cluster:
            return False  # another cluster, or an older incarnation of this name
        if not cluster.active and not entry.tags:
            return False  # a deleted cluster still shows its tagged tasks only
        if entry.expired(now, self.retention):
            return False
        return now >= entry.created_at + entry.invisible_for


def _render(entry: TaskEntry, moment: datetime) -> dict[str, Any]:
    """The task as DescribeTasks shows it at ``moment`` (its tags aside)."""
    return entry.describe(moment, with_tags=False)
