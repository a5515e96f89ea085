"""What the fake ECS service knows: clusters (as incarnations of a name) and tasks.

A cluster name names a sequence of incarnations: deleting a cluster makes its
incarnation INACTIVE; creating the name again starts a new incarnation, and
tasks belong to exactly one incarnation. Tasks are kept in a dict by id, so a
lookup never scans.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .. import _arns as arns
from .. import _lifecycle as lifecycle
from .._logs import ContainerLog

if TYPE_CHECKING:
    from .service_state import Service

__all__ = ["Cluster", "RegionState", "TaskEntry"]

_order = itertools.count()
#: A dict that lost more entries than it holds (and at least this many) is copied
#: afresh: CPython never shrinks a dict on deletion, so iterating one that lost
#: most of its entries would still cost as much as when they were all there.
_COMPACT_AFTER = 64
_LONG_AGO = datetime.min.replace(tzinfo=timezone.utc)


@dataclass(eq=False)
class Cluster:
    """One incarnation of a cluster name."""

    region: str
    account_id: str
    name: str
    created_at: datetime
    tags: list[dict[str, str]] = field(default_factory=list)
    settings: list[dict[str, str]] = field(default_factory=list)
    status: str = "ACTIVE"
    deleted_at: datetime | None = None
    #: Task ids of this incarnation, in the order they were created (the order
    #: of ``TaskEntry.order``); a task dropped past retention leaves it.
    task_ids: dict[str, None] = field(default_factory=dict)
    #: Tasks dropped since ``task_ids`` was last copied afresh.
    dropped: int = field(default=0, repr=False)
    #: Its services by name (the newest of each name: a name whose service is
    #: INACTIVE can be created again).
    services: dict[str, Service] = field(default_factory=dict, repr=False)

    @property
    def arn(self) -> str:
        return arns.cluster_arn(self.region, self.account_id, self.name)

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"


@dataclass(eq=False)
class TaskEntry:
    """A task the service serves: either planned by a timeline (``run_task``) or
    a ready record served as given (``add_task``)."""

    task_id: str
    arn: str
    cluster: Cluster
    static: dict[str, Any]
    timeline: lifecycle.Timeline | None = None
    exits: dict[str, lifecycle.ContainerExit] = field(default_factory=dict)
    tags: list[dict[str, str]] = field(default_factory=list)
    #: Seconds after creation during which DescribeTasks reports it MISSING.
    invisible_for: timedelta = timedelta(0)
    #: Creation order: increases with every task created, never reused.
    order: int = field(default_factory=lambda: next(_order))
    #: The ``stoppedAt`` this task is filed under in the service's expiry order
    #: (``None``: not filed, it has no ``stoppedAt`` yet, or it was dropped).
    expiry_key: datetime | None = field(default=None, repr=False, compare=False)
    #: Where its containers' planned lines go, and when (``run_task(logs=...)``).
    logs: tuple[ContainerLog, ...] = field(default=(), repr=False, compare=False)
    #: The timeline feed's place in this task: every change up to this moment has
    #: been emitted (``None``: not followed, a ready record).
    feed_through: datetime | None = field(default=None, repr=False, compare=False)
    #: The moment this task is filed under in the feed (``None``: nothing more to come).
    feed_key: datetime | None = field(default=None, repr=False, compare=False)

    @property
    def created_at(self) -> datetime:
        if self.timeline is not None:
            return self.timeline.created_at
        created = self.static.get("createdAt")
        return created if isinstance(created, datetime) else _LONG_AGO

    def stopped_at(self) -> datetime | None:
        if self.timeline is not None:
            return self.timeline.stopped_at
        stopped = self.static.get("stoppedAt")
        return stopped if isinstance(stopped, datetime) else None

    def describe(self, now: datetime, *, with_tags: bool) -> dict[str, Any]:
        """The record DescribeTasks gives at ``now``."""
        if self.timeline is not None:
            task = lifecycle.render_task(self.static, self.timeline, now, self.exits)
        else:
            task = dict(self.static)
        task["tags"] = [dict(t) for t in self.tags] if with_tags else []
        return task

    def last_status(self, now: datetime) -> str:
        if self.timeline is not None:
            if "stoppedAt" in self.timeline.instants and self.timeline.instants["stoppedAt"] <= now:
                return "STOPPED"
            return self.timeline.at(now).last_status
        return str(self.static.get("lastStatus", "RUNNING"))

    def desired_status(self, now: datetime) -> str:
        if self.timeline is not None:
            stop = self.timeline.stop
            return "STOPPED" if stop is not None and stop.requested_at <= now else "RUNNING"
        return str(self.static.get("desiredStatus", "RUNNING"))

    def expired(self, now: datetime, retention: timedelta) -> bool:
        """Stopped longer ago than ``retention``: the service has forgotten it."""
        stopped = self.stopped_at()
        return stopped is not None and now - stopped > retention


@dataclass
class RegionState:
    """The clusters and tasks of one account in one region."""

    region: str
    account_id: str
    #: Cluster name -> its incarnations, oldest first.
    clusters: dict[str, list[Cluster]] = field(default_factory=dict)
    tasks: dict[str, TaskEntry] = field(default_factory=dict)
    #: Tasks dropped since ``tasks`` was last copied afresh.
    dropped: int = field(default=0, repr=False)
    #: Goes up whenever a cluster here is created, deleted or retagged (for the
    #: cluster mirror: what it has seen).
    revision: int = field(default=0, repr=False)

    def current(self, name: str) -> Cluster | None:
        """The newest incarnation of a cluster name (ACTIVE or INACTIVE)."""
        incarnations = self.clusters.get(name)
        return incarnations[-1] if incarnations else None

    def active_clusters(self) -> list[Cluster]:
        return [c[-1] for c in self.clusters.values() if c[-1].active]

    def drop(self, entry: TaskEntry) -> bool:
        """Forget ``entry`` (stopped past retention): it leaves the region and its
        cluster's ``task_ids``. False if it was not stored (already dropped)."""
        if self.tasks.get(entry.task_id) is not entry:
            return False
        del self.tasks[entry.task_id]
        cluster = entry.cluster
        cluster.task_ids.pop(entry.task_id, None)
        entry.expiry_key = None
        cluster.dropped += 1
        if cluster.dropped > max(len(cluster.task_ids), _COMPACT_AFTER):
            cluster.task_ids = dict(cluster.task_ids)
            cluster.dropped = 0
        self.dropped += 1
        if self.dropped > max(len(self.tasks), _COMPACT_AFTER):
            self.tasks = dict(self.tasks)
            self.dropped = 0
        return True
