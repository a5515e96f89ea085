"""What RunTask reads beyond the service's own state, as the objects ``_fake.py``
passes in (the service never imports moto): ``PlacementLookup`` (moto's ECS: a
cluster's capacity providers and container instances, a definition's tags and task
role) and ``NetworkLookup`` (moto's EC2: subnets, security groups, ENIs); and
RunTask's ``ConflictException``, which carries the ARNs of the tasks in conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from .errors import EcsError

__all__ = ["ConflictError", "NetworkLookup", "PlacementLookup"]


class PlacementLookup(Protocol):
    """moto's ECS, for what RunTask reads besides a definition's record."""

    def cluster_capacity(self, region: str, account_id: str, cluster: str) -> dict[str, Any]:
        """``providers``, ``default_strategy`` and ``container_instances`` (ARNs)."""
        ...

    def definition_extras(self, region: str, account_id: str, arn: str) -> dict[str, Any]:
        """``tags`` and ``taskRoleArn`` (absent without one) of a definition."""
        ...


class NetworkLookup(Protocol):
    """moto's EC2, for the ENIs of awsvpc tasks."""

    def missing_subnet(self, region: str, account_id: str, subnets: Sequence[str]) -> str | None:
        """The first subnet EC2 does not know, or ``None``."""
        ...

    def missing_security_group(
        self, region: str, account_id: str, groups: Sequence[str]
    ) -> str | None:
        """The first security group EC2 does not know, or ``None``."""
        ...

    def create_interface(
        self,
        region: str,
        account_id: str,
        *,
        subnet_id: str,
        security_groups: Sequence[str],
        public_ip: bool,
        description: str,
    ) -> dict[str, str]:
        """A new ENI's ``subnetId``, ``networkInterfaceId``, ``macAddress``,
        ``privateIPv4Address`` and ``availabilityZone``."""
        ...


class ConflictError(EcsError):
    """RunTask's ``ConflictException``: the client token is in use by another request;
    ``resourceIds`` are the ARNs of the tasks that request started (botocore's model)."""

    def __init__(self, message: str, resource_ids: Sequence[str]) -> None:
        super().__init__("ConflictException", message)
        self.resource_ids = list(resource_ids)

    def body(self) -> dict[str, Any]:
        return {**super().body(), "resourceIds": self.resource_ids}
