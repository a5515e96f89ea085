"""Clusters the fake creates exist for what goes to moto (services, container instances,
capacity providers), in-process and over HTTP; DeleteCluster respects moto's services.

Every call goes through a real boto3 ECS client: the fake answers the cluster
calls, moto's ECS the service and container instance calls.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from pytest_ecs_tasks._server import EcsServer
from tests.setups import create_service
from tests.test_server import http_client

SERVICES_ACTIVE = (
    "ClusterContainsServicesException",
    "The Cluster cannot be deleted while Services are active.",
)
INSTANCES_ACTIVE = (
    "ClusterContainsContainerInstancesException",
    "The Cluster cannot be deleted while Container Instances are active or draining.",
)
NOT_FOUND = ("ClusterNotFoundException", "Cluster not found.")
EXAMPLE_AMI = "ami-12c6146b"  # one of the images moto's EC2 knows


def error_of(info: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def service_names(ecs: ECSClient, cluster: str) -> list[str]:
    return [arn.rsplit("/", 1)[-1] for arn in ecs.list_services(cluster=cluster)["serviceArns"]]


def active_service_names(ecs: ECSClient, cluster: str) -> list[str]:
    """The services moto lists on ``cluster`` that are not deleted (moto lists those too)."""
    names = service_names(ecs, cluster)
    if not names:
        return []
    described = ecs.describe_services(cluster=cluster, services=names)["services"]
    return [s["serviceName"] for s in described if s["status"] != "INACTIVE"]


def register_instance(ecs: ECSClient, cluster: str) -> str:
    """Register an EC2 instance (made in moto's EC2) with ``cluster``; its container instance ARN."""
    ec2 = boto3.client("ec2", region_name=ecs.meta.region_name)
    started = ec2.run_instances(ImageId=EXAMPLE_AMI, MinCount=1, MaxCount=1)
    document = json.dumps({"instanceId": started["Instances"][0]["InstanceId"]})
    answer = ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=document)
    return answer["containerInstance"]["containerInstanceArn"]


# -- in-process ------------------------------------------------------------------------


def test_services_on_a_cluster_created_with_boto3(ecs: ECSClient) -> None:
    cluster = ecs.create_cluster(clusterName="jobs")["cluster"]

    service = create_service(ecs, cluster="jobs", serviceName="web", desiredCount=2)

    assert service["clusterArn"] == cluster["clusterArn"]
    assert service["serviceName"] == "web"
    assert service_names(ecs, "jobs") == ["web"]
    assert service_names(ecs, cluster["clusterArn"]) == ["web"]
    described = ecs.describe_services(cluster="jobs", services=["web"])
    assert [s["serviceArn"] for s in described["services"]] == [service["serviceArn"]]
    assert described["failures"] == []
    updated = ecs.update_service(cluster="jobs", service="web", desiredCount=0)["service"]
    assert updated["desiredCount"] == 0
    # the fake's record is still what DescribeClusters answers, with moto's service counted
    record = ecs.describe_clusters(clusters=["jobs"])["clusters"][0]
    assert record["clusterArn"] == cluster["clusterArn"]
    assert record["activeServicesCount"] == 1


def test_delete_cluster_with_an_active_service_is_refused_until_the_service_goes(
    ecs: ECSClient,
) -> None:
    ecs.create_cluster(clusterName="jobs")
    create_service(ecs, cluster="jobs", serviceName="web", desiredCount=1)

    with pytest.raises(ClientError) as info:
        ecs.delete_cluster(cluster="jobs")

    assert error_of(info) == SERVICES_ACTIVE
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert info.value.operation_name == "DeleteCluster"
    # nothing changed: the cluster and its service are still there
    assert ecs.describe_clusters(clusters=["jobs"])["clusters"][0]["status"] == "ACTIVE"
    assert active_service_names(ecs, "jobs") == ["web"]

    ecs.delete_service(cluster="jobs", service="web", force=True)
    deleted = ecs.delete_cluster(cluster="jobs")["cluster"]

    assert deleted["status"] == "INACTIVE"
    assert deleted["activeServicesCount"] == 0
    # gone from moto too
    for call in (
        lambda: ecs.list_services(cluster="jobs"),
        lambda: create_service(ecs, cluster="jobs", serviceName="web"),
    ):
        with pytest.raises(ClientError) as info:
            call()
        assert error_of(info) == NOT_FOUND


def test_a_service_with_no_tasks_wanted_still_holds_the_cluster(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs")
    create_service(ecs, cluster="jobs", serviceName="web", desiredCount=0)

    with pytest.raises(ClientError) as info:
        ecs.delete_cluster(cluster="jobs")

    assert error_of(info) == SERVICES_ACTIVE
    ecs.delete_service(cluster="jobs", service="web")
    assert ecs.delete_cluster(cluster="jobs")["cluster"]["status"] == "INACTIVE"


def test_fake_delete_cluster_respects_services_too(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    ecs_tasks.create_cluster("jobs")
    create_service(ecs, cluster="jobs", serviceName="web", desiredCount=1)

    with pytest.raises(ClientError) as info:
        ecs_tasks.delete_cluster("jobs")

    assert error_of(info) == SERVICES_ACTIVE
    ecs.delete_service(cluster="jobs", service="web", force=True)
    assert ecs_tasks.delete_cluster("jobs")["status"] == "INACTIVE"


def test_a_cluster_created_with_fake_create_cluster_serves_services(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    record = ecs_tasks.create_cluster("batch", tags={"team": "data"})

    service = create_service(ecs, cluster="batch", serviceName="worker")

    assert service["clusterArn"] == record["clusterArn"]
    assert service_names(ecs, "batch") == ["worker"]


def test_a_cluster_created_before_the_fake_starts_serves_services() -> None:
    fake = FakeEcs()
    record = fake.create_cluster("early")
    with fake:
        ecs = fake.client()
        service = create_service(ecs, cluster="early", serviceName="web")
        assert service["clusterArn"] == record["clusterArn"]


def test_clusters_survive_a_restart_of_the_fake() -> None:
    # stopping the fake stops moto's mock; starting it again starts a fresh moto
    with FakeEcs() as fake:
        fake.create_cluster("jobs")
    with fake:
        ecs = fake.client()
        assert create_service(ecs, cluster="jobs", serviceName="web")["serviceName"]
        assert service_names(ecs, "jobs") == ["web"]


def test_the_default_cluster_serves_services(ecs: ECSClient) -> None:
    service = create_service(ecs, serviceName="web")

    assert service["clusterArn"].endswith(":cluster/default")
    assert service_names(ecs, "default") == ["web"]
    with pytest.raises(ClientError) as info:
        ecs.delete_cluster(cluster="default")
    assert error_of(info) == SERVICES_ACTIVE


def test_a_deleted_and_recreated_cluster_works_in_moto_again_and_starts_empty(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs.create_cluster(clusterName="jobs")
    create_service(ecs, cluster="jobs", serviceName="old", desiredCount=0)
    ecs.delete_service(cluster="jobs", service="old")
    ecs.delete_cluster(cluster="jobs")
    ecs.create_cluster(clusterName="jobs")

    assert service_names(ecs, "jobs") == []  # the deleted incarnation's services went with it
    create_service(ecs, cluster="jobs", serviceName="new")
    assert service_names(ecs, "jobs") == ["new"]

    # deleted and created again with no request to moto in between: the same
    ecs.delete_service(cluster="jobs", service="new", force=True)
    ecs_tasks.delete_cluster("jobs")
    ecs_tasks.create_cluster("jobs")
    assert service_names(ecs, "jobs") == []
    create_service(ecs, cluster="jobs", serviceName="newer")
    assert service_names(ecs, "jobs") == ["newer"]


def test_a_deleted_cluster_is_gone_from_moto(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs")
    ecs.delete_cluster(cluster="jobs")

    with pytest.raises(ClientError) as info:
        create_service(ecs, cluster="jobs", serviceName="web")

    assert error_of(info) == NOT_FOUND


def test_clusters_exist_in_their_own_region_only(ecs_tasks: FakeEcs) -> None:
    home = ecs_tasks.client()
    away = ecs_tasks.client("eu-west-1")
    cluster = away.create_cluster(clusterName="jobs")["cluster"]

    service = create_service(away, cluster="jobs", serviceName="web")

    assert cluster["clusterArn"] == "arn:aws:ecs:eu-west-1:123456789012:cluster/jobs"
    assert service["clusterArn"] == cluster["clusterArn"]
    assert service["serviceArn"].startswith("arn:aws:ecs:eu-west-1:")
    with pytest.raises(ClientError) as info:
        create_service(home, cluster="jobs", serviceName="web")
    assert error_of(info) == NOT_FOUND
    with pytest.raises(ClientError) as info:
        away.delete_cluster(cluster="jobs")
    assert error_of(info) == SERVICES_ACTIVE
    assert home.delete_cluster(cluster="default")["cluster"]["status"] == "INACTIVE"


@pytest.mark.ecs_tasks(region="ap-southeast-2", account_id="111122223333")
def test_another_home_region_and_account(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    cluster = ecs.create_cluster(clusterName="jobs")["cluster"]

    service = create_service(ecs, cluster="jobs", serviceName="web")

    assert cluster["clusterArn"] == "arn:aws:ecs:ap-southeast-2:111122223333:cluster/jobs"
    assert service["clusterArn"] == cluster["clusterArn"]
    with pytest.raises(ClientError) as info:
        ecs.delete_cluster(cluster="jobs")
    assert error_of(info) == SERVICES_ACTIVE


def test_container_instances_and_capacity_providers(ecs: ECSClient) -> None:
    cluster = ecs.create_cluster(clusterName="ec2")["cluster"]

    instance = register_instance(ecs, "ec2")
    providers = ecs.put_cluster_capacity_providers(
        cluster="ec2", capacityProviders=["FARGATE"], defaultCapacityProviderStrategy=[]
    )["cluster"]

    assert providers["clusterArn"] == cluster["clusterArn"]
    assert ecs.list_container_instances(cluster="ec2")["containerInstanceArns"] == [instance]
    assert (
        ecs.describe_clusters(clusters=["ec2"])["clusters"][0]["registeredContainerInstancesCount"]
        == 1
    )
    with pytest.raises(ClientError) as info:
        ecs.delete_cluster(cluster="ec2")
    assert error_of(info) == INSTANCES_ACTIVE

    ecs.deregister_container_instance(cluster="ec2", containerInstance=instance)
    assert ecs.delete_cluster(cluster="ec2")["cluster"]["status"] == "INACTIVE"


def test_moto_record_follows_the_fakes_tags(ecs: ECSClient) -> None:
    from moto.ecs.models import ecs_backends

    arn = ecs.create_cluster(clusterName="jobs", tags=[{"key": "team", "value": "data"}])[
        "cluster"
    ]["clusterArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "test"}])
    ecs.untag_resource(resourceArn=arn, tagKeys=["team"])

    held = ecs_backends["123456789012"]["us-east-1"].clusters["jobs"]
    assert (held.arn, held.status) == (arn, "ACTIVE")
    assert held.tags == [{"key": "env", "value": "test"}]
    # and the fake's record stays what DescribeClusters answers
    record = ecs.describe_clusters(clusters=["jobs"], include=["TAGS"])["clusters"][0]
    assert record["tags"] == [{"key": "env", "value": "test"}]


# -- over HTTP (ecs-tasks serve) -------------------------------------------------------


@pytest.fixture
def remote(ecs_tasks_server: EcsServer) -> Iterator[ECSClient]:
    client = http_client(ecs_tasks_server.url)
    yield client
    client.close()


def test_services_on_a_cluster_created_over_http(remote: ECSClient) -> None:
    cluster = remote.create_cluster(clusterName="jobs")["cluster"]

    service = create_service(remote, cluster="jobs", serviceName="web", desiredCount=1)

    assert service["clusterArn"] == cluster["clusterArn"]
    assert service_names(remote, "jobs") == ["web"]
    described = remote.describe_services(cluster="jobs", services=["web"])["services"]
    assert [s["serviceName"] for s in described] == ["web"]
    with pytest.raises(ClientError) as info:
        remote.delete_cluster(cluster="jobs")
    assert error_of(info) == SERVICES_ACTIVE
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    remote.delete_service(cluster="jobs", service="web", force=True)
    assert remote.delete_cluster(cluster="jobs")["cluster"]["status"] == "INACTIVE"
    with pytest.raises(ClientError) as info:
        create_service(remote, cluster="jobs", serviceName="web")
    assert error_of(info) == NOT_FOUND

    remote.create_cluster(clusterName="jobs")
    assert service_names(remote, "jobs") == []
    create_service(remote, cluster="jobs", serviceName="again")
    assert service_names(remote, "jobs") == ["again"]


def test_over_http_and_in_process_share_the_clusters(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster("shared")
    remote = http_client(ecs_tasks_server.url)

    create_service(remote, cluster="shared", serviceName="web")

    assert service_names(ecs, "shared") == ["web"]
    with pytest.raises(ClientError) as info:
        ecs.delete_cluster(cluster="shared")
    assert error_of(info) == SERVICES_ACTIVE


def test_over_http_in_another_region(ecs_tasks_server: EcsServer) -> None:
    away = http_client(ecs_tasks_server.url, region="eu-central-1")
    home = http_client(ecs_tasks_server.url)
    cluster = away.create_cluster(clusterName="jobs")["cluster"]

    service = create_service(away, cluster="jobs", serviceName="web")

    assert service["clusterArn"] == cluster["clusterArn"]
    assert ":eu-central-1:" in service["serviceArn"]
    with pytest.raises(ClientError) as info:
        create_service(home, cluster="jobs", serviceName="web")
    assert error_of(info) == NOT_FOUND
