"""The Python API's service commands of ``FakeEcs``: create a
service (as CreateService does, with what a test rarely cares to spell out filled in)
and read its deployments. A mixin: ``_fake.py`` holds the rest of the fake."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import _arguments as arguments
from ._fake_tasks import TaskCommands, client_error
from ._lifecycle import LaunchType
from ._service.errors import EcsError
from ._tags import TagsInput, to_tag_list

__all__ = ["ServiceCommands"]


class ServiceCommands(TaskCommands):
    """``FakeEcs``'s commands for services."""

    if TYPE_CHECKING:

        @property
        def active(self) -> bool:
            """Whether the fake is started (``FakeEcs`` provides it)."""

    def create_service(
        self,
        name: str,
        task_definition: str,
        *,
        cluster: str = "default",
        desired_count: int = 1,
        launch_type: LaunchType = "FARGATE",
        subnets: Sequence[str] | None = None,
        minimum_healthy_percent: int = 100,
        maximum_percent: int = 200,
        circuit_breaker: bool = False,
        rollback: bool = False,
        tags: TagsInput | None = None,
    ) -> dict[str, Any]:
        """Create a service as CreateService does; returns its Service record. Its tasks
        start at once and walk their lifecycle as the clock moves; ``plan_runs`` (with
        ``task_definition=``) says how they end. Fargate tasks go in ``subnets``
        (default: the first subnet of moto's default VPC). ``circuit_breaker`` /
        ``rollback``: the deployment circuit breaker's ``enable`` / ``rollback``."""
        if not self.active:
            raise RuntimeError(
                "create_service() reads the task definition and subnets from moto: start the "
                "fake first (with FakeEcs(...) as fake: or fake.start())"
            )
        params: dict[str, Any] = {
            "cluster": arguments.text("cluster", cluster),
            "serviceName": arguments.text("name", name),
            "taskDefinition": arguments.text("task_definition", task_definition),
            "desiredCount": arguments.count("desired_count", desired_count, most=5000),
            "launchType": launch_type,
            "deploymentConfiguration": {
                "minimumHealthyPercent": arguments.count(
                    "minimum_healthy_percent", minimum_healthy_percent, most=100
                ),
                "maximumPercent": arguments.count("maximum_percent", maximum_percent, most=2000),
                "deploymentCircuitBreaker": {
                    "enable": _flag("circuit_breaker", circuit_breaker),
                    "rollback": _flag("rollback", rollback),
                },
            },
        }
        if launch_type == "FARGATE":
            if subnets is None:
                import boto3

                found = boto3.client("ec2", region_name=self.region).describe_subnets()["Subnets"]
                subnets = [found[0]["SubnetId"]] if found else []
            elif isinstance(subnets, str) or not all(isinstance(s, str) for s in subnets):
                raise TypeError(f"subnets={subnets!r}: give a list of subnet ids")
            params["networkConfiguration"] = {"awsvpcConfiguration": {"subnets": list(subnets)}}
        tag_list = to_tag_list(tags)
        if tag_list:
            params["tags"] = tag_list
        try:
            service: dict[str, Any] = self._service.handle(
                self.region, "CreateService", params, record=False
            )["service"]
        except EcsError as error:
            raise client_error(error, "CreateService") from None
        return service

    def deployments(self, service: str, *, cluster: str = "default") -> list[dict[str, Any]]:
        """The deployments of ``service`` as DescribeServices shows them now, newest
        (PRIMARY) first: ``status``, ``rolloutState``, ``rolloutStateReason``, counts."""
        params = {
            "cluster": arguments.text("cluster", cluster),
            "services": [arguments.text("service", service)],
        }
        try:
            answer = self._service.handle(self.region, "DescribeServices", params, record=False)
        except EcsError as error:
            raise client_error(error, "DescribeServices") from None
        if not answer["services"]:
            raise ValueError(
                f"there is no service {service!r} in cluster {cluster!r}: create it first with "
                f"ecs_tasks.create_service({service!r}, task_definition=...)"
            )
        found: list[dict[str, Any]] = answer["services"][0]["deployments"]
        return found


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name}={value!r}: give True or False")
    return value
