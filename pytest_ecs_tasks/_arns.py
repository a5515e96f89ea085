"""Amazon Resource Names and ids of ECS resources: building and parsing them.

Floor 1: imports nothing from the rest of the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "TaskArn",
    "TaskIdentity",
    "cluster_arn",
    "container_arn",
    "container_instance_arn",
    "is_task_id",
    "parse_task_arn",
    "partition_for",
    "task_arn",
    "task_definition_arn",
]

ACCOUNT = re.compile(r"^\d{12}$")
#: A region name, like ``us-east-1``.
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
#: A task id: 32 lowercase hex characters (new format) or a 36-character UUID (old).
TASK_ID = re.compile(
    r"^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
#: A cluster name: what CreateCluster accepts.
CLUSTER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):ecs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<resource>[a-z-]+)/(?P<rest>.+)$"
)


def partition_for(region: str) -> str:
    """The ARN partition a region belongs to (``aws``, ``aws-cn`` or ``aws-us-gov``)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def check_region(region: str) -> str:
    if not isinstance(region, str) or not REGION.match(region):
        raise ValueError(f"region must look like 'us-east-1', got {region!r}")
    return region


def check_account(account_id: str) -> str:
    if not isinstance(account_id, str) or not ACCOUNT.match(account_id):
        raise ValueError(f"account_id must be 12 digits, like '123456789012', got {account_id!r}")
    return account_id


def check_cluster_name(name: str) -> str:
    if not isinstance(name, str) or not CLUSTER_NAME.match(name):
        raise ValueError(
            f"a cluster name is 1 to 255 letters, digits, hyphens and underscores, got {name!r}"
        )
    return name


def _prefix(region: str, account_id: str) -> str:
    return f"arn:{partition_for(region)}:ecs:{region}:{account_id}"


def cluster_arn(region: str, account_id: str, name: str) -> str:
    return f"{_prefix(region, account_id)}:cluster/{name}"


def task_arn(
    region: str, account_id: str, cluster: str, task_id: str, *, long_format: bool = True
) -> str:
    if long_format:
        return f"{_prefix(region, account_id)}:task/{cluster}/{task_id}"
    return f"{_prefix(region, account_id)}:task/{task_id}"


def container_arn(
    region: str,
    account_id: str,
    cluster: str,
    task_id: str,
    container_uuid: str,
    *,
    long_format: bool = True,
) -> str:
    if long_format:
        return f"{_prefix(region, account_id)}:container/{cluster}/{task_id}/{container_uuid}"
    return f"{_prefix(region, account_id)}:container/{container_uuid}"


def container_instance_arn(region: str, account_id: str, cluster: str, instance_id: str) -> str:
    return f"{_prefix(region, account_id)}:container-instance/{cluster}/{instance_id}"


def task_definition_arn(region: str, account_id: str, family: str, revision: int) -> str:
    return f"{_prefix(region, account_id)}:task-definition/{family}:{revision}"


def is_task_id(value: str) -> bool:
    return bool(TASK_ID.match(value))


@dataclass(frozen=True)
class TaskArn:
    """The parts of a task ARN. ``cluster`` is ``None`` for the old format."""

    partition: str
    region: str
    account_id: str
    cluster: str | None
    task_id: str


def parse_task_arn(value: str) -> TaskArn | None:
    """Parse a task ARN of either format; ``None`` if ``value`` is not one."""
    m = _ARN.match(value)
    if not m or m["resource"] != "task":
        return None
    parts = m["rest"].split("/")
    if len(parts) == 1:
        cluster, task_id = None, parts[0]
    elif len(parts) == 2:
        cluster, task_id = parts
    else:
        return None
    if not task_id:
        return None
    return TaskArn(m["partition"], m["region"], m["account"], cluster, task_id)


def parse_cluster_arn(value: str) -> tuple[str, str, str] | None:
    """``(region, account_id, name)`` of a cluster ARN, else ``None``."""
    m = _ARN.match(value)
    if not m or m["resource"] != "cluster" or "/" in m["rest"]:
        return None
    return m["region"], m["account"], m["rest"]


@dataclass(frozen=True)
class TaskIdentity:
    """Where a task lives and what it is called: the parts every ARN of the task shares."""

    region: str
    account_id: str
    cluster: str
    task_id: str
    long_arn_format: bool = True

    @property
    def task_arn(self) -> str:
        return task_arn(
            self.region,
            self.account_id,
            self.cluster,
            self.task_id,
            long_format=self.long_arn_format,
        )

    @property
    def cluster_arn(self) -> str:
        return cluster_arn(self.region, self.account_id, self.cluster)

    def container_arn(self, container_uuid: str) -> str:
        return container_arn(
            self.region,
            self.account_id,
            self.cluster,
            self.task_id,
            container_uuid,
            long_format=self.long_arn_format,
        )
