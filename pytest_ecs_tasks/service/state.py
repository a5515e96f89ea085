"""What the fake ECS service knows: clusters (as incarnations of a name) and tasks.

A cluster name names a sequence of incarnations: deleting a cluster makes its
incarnation INACTIVE; creating the name again starts a new incarnation, and
tasks belong to exactly one incarnation. Tasks are kept in a dict by id, so a
lookup never scans.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .. import arns, lifecycle

__all__ = ["Cluster", "Region", "TaskEntry"]

_order = itertools.count()


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
    #: Task ids of this incarnation, in the order they were created.
    task_ids: dict[str, None] = field(default_factory=dict)

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
    order: int = field(default_factory=lambda: next(_order))

    @property
    def created_at(self) -> datetime:
        if self.timeline is not None:
            return self.timeline.created_at
        created = self.static.get("createdAt")
        return created if isinstance(created, datetime) else datetime.min.replace(tzinfo=None)

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
class Region:
    """The clusters and tasks of one account in one region."""

    region: str
    account_id: str
    #: Cluster name -> its incarnations, oldest first.
    clusters: dict[str, list[Cluster]] = field(default_factory=dict)
    tasks: dict[str, TaskEntry] = field(default_factory=dict)

    def current(self, name: str) -> Cluster | None:
        """The newest incarnation of a cluster name (ACTIVE or INACTIVE)."""
        incarnations = self.clusters.get(name)
        return incarnations[-1] if incarnations else None

    def active_clusters(self) -> list[Cluster]:
        return [c[-1] for c in self.clusters.values() if c[-1].active]
