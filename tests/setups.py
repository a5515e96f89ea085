"""Realistic set-ups for tests that start tasks through boto3's RunTask, as the real
service needs them: a Fargate definition declares FARGATE (with awsvpc and task-level
cpu and memory) and runs in subnets that exist (moto's default VPC); the EC2 launch
type needs a container instance in the cluster."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_ecs.type_defs import NetworkConfigurationTypeDef

    from pytest_ecs_tasks import FakeEcs


def default_subnets(region: str = "us-east-1") -> list[str]:
    """The subnets of moto's default VPC in ``region`` (inside an active fake or mock)."""
    ec2 = boto3.client("ec2", region_name=region)
    return [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]]


def fargate_network(region: str = "us-east-1", **more: Any) -> NetworkConfigurationTypeDef:
    """An awsvpc network configuration in a subnet of moto's default VPC."""
    network: Any = {"awsvpcConfiguration": {"subnets": default_subnets(region)[:1], **more}}
    return network  # type: ignore[no-any-return]


def register_fargate(
    ecs: ECSClient, family: str, containers: list[dict[str, Any]], **more: Any
) -> None:
    """A task definition that runs on Fargate: FARGATE, awsvpc, task-level cpu and memory."""
    ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu=more.pop("cpu", "256"),
        memory=more.pop("memory", "512"),
        containerDefinitions=containers,  # type: ignore[arg-type]
        **more,
    )


def with_container_instance(fake: FakeEcs, cluster: str = "default") -> None:
    """Give ``cluster`` one container instance, so the EC2 launch type can place tasks."""
    fake.create_cluster(cluster, container_instances=1)


#: An AMI in moto's list of AMIs (any id does while moto does not validate them).
EXAMPLE_AMI = "ami-12c6146b"


def register_container_instance(ecs: ECSClient, region: str, cluster: str = "default") -> str:
    """One EC2 instance started in moto's EC2 of ``region`` and registered with ``cluster``
    through ``ecs`` (a boto3 ECS client of ``region``), as its ECS agent would: its
    container instance ARN. For a region other than the fake's own, which
    ``create_cluster(container_instances=N)`` does not reach."""
    ec2 = boto3.client("ec2", region_name=region)
    started = ec2.run_instances(ImageId=EXAMPLE_AMI, MinCount=1, MaxCount=1)["Instances"][0]
    document = {
        "instanceId": started["InstanceId"],
        "region": region,
        "availabilityZone": started["Placement"]["AvailabilityZone"],
    }
    answer = ecs.register_container_instance(
        cluster=cluster, instanceIdentityDocument=json.dumps(document)
    )
    return str(answer["containerInstance"]["containerInstanceArn"])


def create_service(ecs: ECSClient, **params: Any) -> dict[str, Any]:
    """CreateService through ``ecs`` with what the service needs that moto never asked
    for: a task definition (registered here, ``svc``: for the EC2 launch type, or
    Fargate with a subnet of moto's default VPC) and a ``desiredCount`` (0 unless
    given); ``params`` as boto3's ``create_service`` takes them."""
    fargate = params.get("launchType") == "FARGATE"
    registered = ecs.register_task_definition(
        family="svc",
        requiresCompatibilities=["FARGATE" if fargate else "EC2"],
        networkMode="awsvpc" if fargate else "bridge",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "app:1", "essential": True}],
    )
    params.setdefault("taskDefinition", registered["taskDefinition"]["taskDefinitionArn"])
    params.setdefault("desiredCount", 0)
    if fargate:
        params.setdefault("networkConfiguration", fargate_network(ecs.meta.region_name))
    answer: Any = ecs.create_service(**params)
    service: dict[str, Any] = answer["service"]
    return service


def awslogs_container(name: str = "app", group: str = "/ecs/job", **more: Any) -> dict[str, Any]:
    """A container definition (EC2: 128 MiB) whose awslogs driver writes to ``group``,
    streams prefixed ``ecs``: ``ecs/<name>/<task id>``."""
    return {
        "name": name,
        "image": "busybox",
        "memory": 128,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": group, "awslogs-stream-prefix": "ecs"},
        },
        **more,
    }
