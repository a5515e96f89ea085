"""Types of the records the project emits.

When ``mypy_boto3_ecs`` (``pip install "boto3-stubs[ecs]"``) is installed, the
records are its TypedDicts, so a type checker sees them exactly as it sees
boto3's own responses. At run time they are plain dicts, and the package does
not need ``mypy_boto3_ecs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["ClusterRecord", "ContainerRecord", "DescribeTasksRecord", "FailureRecord", "TaskRecord"]

if TYPE_CHECKING:
    from mypy_boto3_ecs.type_defs import (
        ClusterTypeDef as ClusterRecord,
    )
    from mypy_boto3_ecs.type_defs import (
        ContainerTypeDef as ContainerRecord,
    )
    from mypy_boto3_ecs.type_defs import (
        FailureTypeDef as FailureRecord,
    )
    from mypy_boto3_ecs.type_defs import (
        TaskTypeDef as TaskRecord,
    )

    DescribeTasksRecord = dict[str, Any]
else:
    ClusterRecord = ContainerRecord = FailureRecord = TaskRecord = DescribeTasksRecord = dict
