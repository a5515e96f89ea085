"""The values a task's lifecycle goes through: its statuses, launch types, stop codes
and the reasons they carry (re-exported by ``pytest_ecs_tasks._lifecycle``).

Floor 1: imports nothing from the rest of the package.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "CANNOT_START_CONTAINER",
    "CONTAINER_STATUSES",
    "DEFAULT_STOP_EXIT_CODE",
    "DEPENDENCY_CONDITIONS",
    "DESIRED_STATUSES",
    "LAUNCH_TYPES",
    "OUT_OF_MEMORY_EXIT_CODE",
    "OUT_OF_MEMORY_REASON",
    "STOPPED_REASONS",
    "STOP_CODES",
    "TASK_STATUSES",
    "DependencyCondition",
    "LaunchType",
    "StopCode",
]

#: Every ``lastStatus`` a task passes through, in order.
TASK_STATUSES: tuple[str, ...] = (
    "PROVISIONING",
    "PENDING",
    "ACTIVATING",
    "RUNNING",
    "DEACTIVATING",
    "STOPPING",
    "DEPROVISIONING",
    "STOPPED",
)
CONTAINER_STATUSES: tuple[str, ...] = ("PENDING", "RUNNING", "STOPPED")
DESIRED_STATUSES: tuple[str, ...] = ("RUNNING", "STOPPED")
LaunchType = Literal["FARGATE", "EC2", "EXTERNAL", "MANAGED_INSTANCES"]
LAUNCH_TYPES: tuple[str, ...] = get_args(LaunchType)

#: Every ``stopCode`` the service sets.
StopCode = Literal[
    "TaskFailedToStart",
    "EssentialContainerExited",
    "UserInitiated",
    "ServiceSchedulerInitiated",
    "SpotInterruption",
    "TerminationNotice",
    "InfrastructureHealth",
]
STOP_CODES: tuple[str, ...] = get_args(StopCode)
#: The ``stoppedReason`` each stop code typically carries.
STOPPED_REASONS: dict[str, str] = {
    "TaskFailedToStart": "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
    "EssentialContainerExited": "Essential container in task exited",
    "UserInitiated": "Task stopped by user",
    "ServiceSchedulerInitiated": "Scaling activity initiated by (deployment ecs-svc/0000000000000000000)",
    "SpotInterruption": "Your Spot Task was interrupted.",
    "TerminationNotice": "Your Spot Task was interrupted.",
    "InfrastructureHealth": "Task stopped due to an infrastructure health issue.",
}
assert tuple(STOPPED_REASONS) == STOP_CODES, "a reason for every stop code"

#: The exit code a container gets when a stop (not its own exit) ends it: SIGTERM.
DEFAULT_STOP_EXIT_CODE = 143

#: A container's ``dependsOn`` conditions (``ContainerCondition`` in botocore's model).
DependencyCondition = Literal["START", "COMPLETE", "SUCCESS", "HEALTHY"]
DEPENDENCY_CONDITIONS: tuple[str, ...] = get_args(DependencyCondition)

#: The ``reason`` of a container the kernel killed for its memory, and its exit code
#: (SIGKILL: 128 + 9). Source: AWS re:Post, "How do I troubleshoot OutOfMemory errors
#: in Amazon ECS?".
OUT_OF_MEMORY_REASON = "OutOfMemoryError: Container killed due to memory usage"
OUT_OF_MEMORY_EXIT_CODE = 137

#: The prefix of a container's ``reason`` when it could not be started (the ECS
#: developer guide, "Stopped tasks error codes"), e.g. for a dependency never met.
CANNOT_START_CONTAINER = "CannotStartContainerError"
