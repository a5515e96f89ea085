"""What the fake ECS service knows of services: each service of a cluster, its
deployments and its events. The scheduler that keeps them (``scheduler.py``) and
the operations that answer for them (``services.py``) read and change these.

Facts (sources in each place they are used): a deployment's id is ``ecs-svc/`` and
19 digits; a service keeps its 100 newest events; the deployment configuration
defaults to 100 % minimum healthy and 200 % maximum.
"""

from __future__ import annotations

import itertools
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .. import _arns as arns
from .state import Cluster, TaskEntry

__all__ = [
    "EVENTS_KEPT",
    "INACTIVE_KEPT",
    "Deployment",
    "Service",
    "ServiceEvent",
    "new_deployment_id",
    "service_arn",
]

#: "A maximum of 100 of the latest events are displayed" (the Service shape's doc).
EVENTS_KEPT = 100
#: inferred: how long DescribeServices still shows a service after it became
#: INACTIVE ("INACTIVE services may be cleaned up and purged", DeleteService's page;
#: the same hour as a stopped task), and then forgets it.
INACTIVE_KEPT = timedelta(hours=1)
_UUIDS = uuid.UUID("0b7e6f2c-3c55-4f8e-9a41-5c1f0e9d7a21")
_numbers = itertools.count(1)


@dataclass
class ServiceEvent:
    """One line of a service's ``events``."""

    id: str
    created_at: datetime
    message: str

    def record(self) -> dict[str, Any]:
        return {"id": self.id, "createdAt": self.created_at, "message": self.message}


@dataclass(eq=False)
class Deployment:
    """One deployment of a service: a task definition and how many tasks of it to run."""

    id: str
    task_definition: str
    desired_count: int
    created_at: datetime
    updated_at: datetime
    #: PRIMARY (the newest), ACTIVE (being replaced, tasks still running), INACTIVE.
    status: str = "PRIMARY"
    rollout_state: str = "IN_PROGRESS"
    rollout_reason: str = ""
    #: Tasks of this deployment that failed to reach RUNNING in a row (reset once one runs).
    failed_tasks: int = 0
    #: One of this deployment's tasks has reached RUNNING: the circuit breaker no
    #: longer counts failures to start.
    ran: bool = False
    #: The RunTask-like request its tasks start from (definition, launch type, network).
    request: Any = None

    def record(self, tasks: list[TaskEntry], now: datetime, service: Service) -> dict[str, Any]:
        running = pending = 0
        for entry in tasks:
            if entry.desired_status(now) != "RUNNING":
                continue
            status = entry.last_status(now)
            if status == "RUNNING":
                running += 1
            elif status in ("PROVISIONING", "PENDING", "ACTIVATING"):
                pending += 1
        record: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "taskDefinition": self.task_definition,
            "desiredCount": self.desired_count,
            "pendingCount": pending,
            "runningCount": running,
            "failedTasks": self.failed_tasks,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "rolloutState": self.rollout_state,
            "rolloutStateReason": self.rollout_reason,
        }
        record.update(service.launch_details())
        return record


@dataclass(eq=False)
class Service:
    """One service of one cluster incarnation."""

    name: str
    cluster: Cluster
    created_at: datetime
    desired_count: int
    task_definition: str
    launch_type: str | None
    minimum_healthy_percent: int = 100
    maximum_percent: int = 200
    circuit_breaker: bool = False
    rollback: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    tags: list[dict[str, str]] = field(default_factory=list)
    status: str = "ACTIVE"
    #: Newest first.
    deployments: list[Deployment] = field(default_factory=list)
    #: Newest last (the record shows them newest first).
    events: deque[ServiceEvent] = field(default_factory=lambda: deque(maxlen=EVENTS_KEPT))
    #: Task ids this service started (and the deployment of each), oldest first; a task
    #: leaves once it has stopped and been counted.
    task_ids: dict[str, Deployment] = field(default_factory=dict)
    #: Task ids the scheduler has counted (as run, or as failed to start).
    counted: set[str] = field(default_factory=set, repr=False)
    #: When the service became INACTIVE (after a delete drained it).
    inactive_at: datetime | None = None
    #: The scheduler's place: the moment it is filed under next (``None``: nothing to do).
    wake_key: datetime | None = field(default=None, repr=False)
    #: When the scheduler may start a task again after failures to start (back-off).
    retry_at: datetime | None = field(default=None, repr=False)
    #: The message last written, to suppress repeats as the service does.
    last_message: str = field(default="", repr=False)
    client_token: str | None = None

    @property
    def arn(self) -> str:
        return service_arn(self.cluster, self.name)

    @property
    def primary(self) -> Deployment:
        return self.deployments[0]

    def event(self, at: datetime, message: str) -> None:
        """Write ``(service name) message`` to the service's events (a repeat of the
        last one is not written again: the service suppresses duplicates)."""
        text = f"(service {self.name}) {message}"
        if text == self.last_message:
            return
        self.last_message = text
        number = next(_numbers)
        self.events.append(ServiceEvent(str(uuid.uuid5(_UUIDS, f"{self.arn}#{number}")), at, text))

    def launch_details(self) -> dict[str, Any]:
        """What a service and its deployments show of how their tasks launch."""
        found: dict[str, Any] = {}
        if self.launch_type is not None:
            found["launchType"] = self.launch_type
        for key in ("capacityProviderStrategy", "platformVersion", "networkConfiguration"):
            if self.params.get(key) is not None:
                found[key] = self.params[key]
        return found


def service_arn(cluster: Cluster, name: str) -> str:
    """The ARN of the service ``name`` of ``cluster`` (the long form, with the cluster)."""
    partition = arns.partition_for(cluster.region)
    return (
        f"arn:{partition}:ecs:{cluster.region}:{cluster.account_id}:service/{cluster.name}/{name}"
    )


def new_deployment_id(draw: int) -> str:
    """``ecs-svc/`` and 19 digits (the service's form), from a large random draw."""
    return f"ecs-svc/{10**18 + draw % (9 * 10**18)}"
