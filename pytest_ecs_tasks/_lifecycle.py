"""A task's lifecycle as a pure function of its timeline and the time.

Both the factories and the fake service ask this module what a task looks like
at a moment: which ``lastStatus`` it has, its ``version``, which timestamps and
stop fields are present, what its containers and ENI attachment show. Nothing
here ticks: a ``Timeline`` is a plan, and ``render_task`` reads it at
a given time.

Its parts: the values (statuses, launch types, stop codes:
``._lifecycle_constants``), the steps and the plan (``Timings``,
``Timeline``: ``._timeline``), both re-exported here, and, in this
module, the task record a timeline shows.

Floor 1: imports only its own floor-1 parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

# Re-exported: the statuses, launch types, stop codes and reasons a lifecycle goes through.
from ._lifecycle_constants import (
    CANNOT_START_CONTAINER as CANNOT_START_CONTAINER,
)
from ._lifecycle_constants import (
    CONTAINER_STATUSES as CONTAINER_STATUSES,
)
from ._lifecycle_constants import (
    DEFAULT_STOP_EXIT_CODE as DEFAULT_STOP_EXIT_CODE,
)
from ._lifecycle_constants import (
    DEPENDENCY_CONDITIONS as DEPENDENCY_CONDITIONS,
)
from ._lifecycle_constants import DESIRED_STATUSES as DESIRED_STATUSES
from ._lifecycle_constants import (
    LAUNCH_TYPES as LAUNCH_TYPES,
)
from ._lifecycle_constants import (
    OUT_OF_MEMORY_EXIT_CODE as OUT_OF_MEMORY_EXIT_CODE,
)
from ._lifecycle_constants import (
    OUT_OF_MEMORY_REASON as OUT_OF_MEMORY_REASON,
)
from ._lifecycle_constants import (
    STOP_CODES as STOP_CODES,
)
from ._lifecycle_constants import (
    STOPPED_REASONS as STOPPED_REASONS,
)
from ._lifecycle_constants import (
    TASK_STATUSES as TASK_STATUSES,
)
from ._lifecycle_constants import (
    LaunchType as LaunchType,
)
from ._lifecycle_constants import (
    StopCode as StopCode,
)
from ._timeline import EC2_TIMINGS as EC2_TIMINGS
from ._timeline import ContainerExit as ContainerExit
from ._timeline import ContainerSchedule as ContainerSchedule
from ._timeline import Snapshot as Snapshot
from ._timeline import Stop as Stop
from ._timeline import Timeline as Timeline
from ._timeline import Timings as Timings

__all__ = ["render_task"]  # and, re-exported above, the constants and the timeline's names


# -- rendering a task record -----------------------------------------------------------

#: Task members whose presence and value come from the timeline.
TIMELINE_TASK_MEMBERS = frozenset(
    {
        "lastStatus",
        "desiredStatus",
        "version",
        "createdAt",
        "connectivity",
        "connectivityAt",
        "pullStartedAt",
        "pullStoppedAt",
        "startedAt",
        "stoppingAt",
        "executionStoppedAt",
        "stoppedAt",
        "stopCode",
        "stoppedReason",
    }
)
#: Container members that appear only once the container has started.
STARTED_CONTAINER_MEMBERS = (
    "runtimeId",
    "imageDigest",
    "networkInterfaces",
    "networkBindings",
    "managedAgents",
)


def render_task(
    static: Mapping[str, Any],
    timeline: Timeline,
    now: datetime,
    exits: Mapping[str, ContainerExit] | None = None,
) -> dict[str, Any]:
    """The task record ``static`` (every member that does not change with time)
    as the service describes it at ``now`` under ``timeline``.

    ``exits`` says how each container (by name) ends its own run (no entry: 0);
    when a stop ends the task instead, its containers exit with
    ``DEFAULT_STOP_EXIT_CODE``, as SIGTERM makes them.

    A timeline with the containers' own timelines (``timeline.containers``, see
    ``pytest_ecs_tasks._containers``) renders each container on its own and
    the task's ``healthStatus`` from theirs; ``exits`` then only says how the
    containers without a plan of their own end.
    """
    (
        last_status,
        desired_status,
        version,
        instants,
        stop,
        container_status,
        started,
        attachment_status,
    ) = timeline._read(now)
    if TIMELINE_TASK_MEMBERS.isdisjoint(static):
        task: dict[str, Any] = dict(static)
    else:
        task = {k: v for k, v in static.items() if k not in TIMELINE_TASK_MEMBERS}
    task["lastStatus"] = last_status
    task["desiredStatus"] = desired_status
    task["version"] = version
    task.update(instants)
    if "connectivityAt" in instants:
        task["connectivity"] = "CONNECTED"
    if stop is not None:
        task["stopCode"] = stop.code
        task["stoppedReason"] = stop.reason
    if "attachments" in static:
        attachments = []
        for attachment in static["attachments"]:
            attachment = dict(attachment)
            if attachment.get("type") == "ElasticNetworkInterface":
                attachment["status"] = attachment_status
            attachments.append(attachment)
        task["attachments"] = attachments
    if "containers" in static and timeline.containers is not None:
        task["containers"], task["healthStatus"] = timeline.containers.render(
            static["containers"], timeline, now, exits or {}
        )
    elif "containers" in static:
        exits = exits or {}
        started_at = instants.get("startedAt")
        task["containers"] = [
            _render_container(
                c, container_status, started, started_at, timeline, exits.get(c.get("name", ""))
            )
            for c in static["containers"]
        ]
    return task


def _render_container(
    static: Mapping[str, Any],
    status: str,
    started: bool,
    started_at: datetime | None,
    timeline: Timeline,
    exit: ContainerExit | None,
) -> dict[str, Any]:
    container = dict(static)
    container["lastStatus"] = status
    container.pop("exitCode", None)
    container.pop("reason", None)
    if not started:
        for member in STARTED_CONTAINER_MEMBERS:
            container.pop(member, None)
    elif "managedAgents" in container:
        container["managedAgents"] = [
            {**agent, "lastStartedAt": started_at, "lastStatus": "RUNNING"}
            for agent in container["managedAgents"]
        ]
    if status == "STOPPED":
        stop = timeline.stop
        if started:
            if stop is not None and stop.code != "EssentialContainerExited":
                container["exitCode"] = DEFAULT_STOP_EXIT_CODE
            elif exit is not None and exit.exit_code is not None:
                container["exitCode"] = exit.exit_code
            else:
                container["exitCode"] = 0
            if exit is not None and exit.reason is not None:
                container["reason"] = exit.reason
        elif stop is not None and stop.code == "TaskFailedToStart":
            container["reason"] = stop.reason
        if "managedAgents" in container:
            container["managedAgents"] = [
                {**agent, "lastStatus": "STOPPED"} for agent in container["managedAgents"]
            ]
    return container
