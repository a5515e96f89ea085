"""EC2 clusters with container instances: ``create_cluster(name, container_instances=N)``
registers N through moto, as an ECS agent would, and boto3 sees them."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_ecs_tasks import EcsServer, FakeEcs

from .test_server import http


def test_container_instances_are_registered_and_real_in_moto(ecs_tasks: FakeEcs) -> None:
    record = ecs_tasks.create_cluster("ec2", container_instances=2)
    ecs = ecs_tasks.client()

    arns = ecs.list_container_instances(cluster="ec2")["containerInstanceArns"]
    described = ecs.describe_container_instances(cluster="ec2", containerInstances=arns)

    assert record["registeredContainerInstancesCount"] == 2
    assert len(arns) == 2
    instances = described["containerInstances"]
    assert {i["status"] for i in instances} == {"ACTIVE"}
    ec2_ids = [i["ec2InstanceId"] for i in instances]
    reservations = boto3.client("ec2", region_name="us-east-1").describe_instances(
        InstanceIds=ec2_ids
    )["Reservations"]
    assert sorted(i["InstanceId"] for r in reservations for i in r["Instances"]) == sorted(ec2_ids)
    assert (
        ecs.describe_clusters(clusters=["ec2"])["clusters"][0]["registeredContainerInstancesCount"]
        == 2
    )


def test_a_cluster_with_container_instances_cannot_be_deleted(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster("ec2", container_instances=1)

    with pytest.raises(ClientError) as error:
        ecs_tasks.client().delete_cluster(cluster="ec2")

    assert error.value.response["Error"] == {
        "Code": "ClusterContainsContainerInstancesException",
        "Message": "The Cluster cannot be deleted while Container Instances are active or "
        "draining.",
    }


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (-1, ValueError, "container_instances=-1: give a whole number from 0 to 100"),
        (101, ValueError, "container_instances=101: give a whole number from 0 to 100"),
        ("2", TypeError, "container_instances='2': give a whole number from 0 to 100"),
        (True, TypeError, "container_instances=True: give a whole number from 0 to 100"),
    ],
)
def test_bad_counts_are_refused_where_given(
    ecs_tasks: FakeEcs, value: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        ecs_tasks.create_cluster("ec2", container_instances=value)  # type: ignore[arg-type]

    assert str(raised.value) == message
    clusters = ecs_tasks.client().list_clusters()["clusterArns"]
    assert not [arn for arn in clusters if arn.endswith(":cluster/ec2")]  # nothing made


def test_registering_needs_a_started_fake() -> None:
    with pytest.raises(RuntimeError, match="start the fake first"):
        FakeEcs().create_cluster("ec2", container_instances=1)


def test_the_control_api_takes_container_instances(ecs_tasks_server: EcsServer) -> None:
    url = f"{ecs_tasks_server.url}/_ecs_tasks/clusters"

    status, _, record = http(url, {"name": "ec2", "container_instances": 3})
    bad_status, _, bad = http(url, {"name": "ec3", "container_instances": "many"})

    assert status == 200
    assert record["registeredContainerInstancesCount"] == 3
    assert bad_status == 400
    assert bad == {"error": "container_instances='many': give a whole number from 0 to 100"}
