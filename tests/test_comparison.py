"""What the docs' comparison page says of moto 5.2, shown against moto itself, next
to what the fake answers. (Pinned to moto 5.2: a later moto may fix some of it.)"""

from __future__ import annotations

import boto3
import moto
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from mypy_boto3_ecs import ECSClient
from mypy_boto3_ecs.type_defs import NetworkConfigurationTypeDef

from pytest_ecs_tasks import FakeEcs

pytestmark = pytest.mark.skipif(
    not moto.__version__.startswith("5.2."), reason="documents moto 5.2's behaviour"
)


def start_two_container_task(client: ECSClient) -> str:
    ec2 = boto3.client("ec2", region_name="us-east-1")  # moto's default VPC
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    group = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
    network: NetworkConfigurationTypeDef = {
        "awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}
    }
    client.create_cluster(clusterName="a")
    client.create_cluster(clusterName="b")
    client.register_task_definition(
        family="f",
        requiresCompatibilities=["FARGATE"],  # else EC2 only: RunTask on FARGATE is refused
        networkMode="awsvpc",
        cpu="256",  # Fargate needs task-level cpu and memory
        memory="512",
        containerDefinitions=[
            {"name": "x", "image": "i", "memory": 64},
            {"name": "y", "image": "j", "memory": 64},
        ],
    )
    return client.run_task(
        cluster="a", taskDefinition="f", launchType="FARGATE", networkConfiguration=network
    )["tasks"][0]["taskArn"]


def test_moto_gets_describe_tasks_wrong() -> None:
    with mock_aws():
        client = boto3.client("ecs", region_name="us-east-1")
        arn = start_two_container_task(client)
        assert len(arn.rsplit("/", 1)[1]) == 36  # old-style UUID ids
        unknown = client.describe_tasks(cluster="a", tasks=[arn, "0" * 32])
        assert unknown["failures"] == []  # the unknown id silently dropped
        assert len(client.describe_tasks(cluster="b", tasks=[arn])["tasks"]) == 1  # wrong cluster
        statuses = [
            client.describe_tasks(cluster="a", tasks=[arn])["tasks"][0]["lastStatus"]
            for _ in range(3)
        ]
        assert statuses[-1] == "STOPPED"  # describing moves it on; nobody stopped it
        task = client.describe_tasks(cluster="a", tasks=[arn])["tasks"][0]
        assert not any(key.endswith("At") for key in task)  # no timestamps
        assert "stopCode" not in task
        assert "version" not in task
        (container,) = task["containers"]  # only the first container definition
        assert container["exitCode"] == 0  # hard-coded
        assert ":task-definition/" in container["taskArn"]  # not the task's ARN
        assert client.describe_tasks(cluster="a", tasks=["x"] * 101)["tasks"] == []  # no error
        client.delete_cluster(cluster="a")  # while its task is not stopped


def test_the_fake_gets_the_same_calls_right() -> None:
    with FakeEcs() as fake:
        client = fake.client()
        arn = start_two_container_task(client)
        assert len(arn.rsplit("/", 1)[1]) == 32
        unknown = client.describe_tasks(cluster="a", tasks=[arn, "0" * 32])
        assert [f["reason"] for f in unknown["failures"]] == ["MISSING"]
        assert client.describe_tasks(cluster="b", tasks=[arn])["tasks"] == []
        statuses = {
            client.describe_tasks(cluster="a", tasks=[arn])["tasks"][0]["lastStatus"]
            for _ in range(3)
        }
        assert statuses == {"PROVISIONING"}  # the clock did not move
        fake.clock.advance(minutes=1)
        task = client.describe_tasks(cluster="a", tasks=[arn])["tasks"][0]
        assert task["lastStatus"] == "RUNNING"
        assert task["version"] == 4
        assert [c["name"] for c in task["containers"]] == ["x", "y"]
        assert all(c["cpu"] == "0" and c["taskArn"] == arn for c in task["containers"])
        assert all("exitCode" not in c for c in task["containers"])
        with pytest.raises(client.exceptions.InvalidParameterException):
            client.describe_tasks(cluster="a", tasks=["x"] * 101)
        with pytest.raises(client.exceptions.ClusterContainsTasksException):
            client.delete_cluster(cluster="a")


def _ghost_override_run(client: ECSClient) -> object:
    """RunTask with an override for a container the definition does not have."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    group = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
    client.register_task_definition(
        family="web",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "web", "image": "nginx", "memory": 64}],
    )
    return client.run_task(
        taskDefinition="web",
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}
        },
        overrides={"containerOverrides": [{"name": "ghost", "command": ["run"]}]},
    )


def test_moto_gets_run_task_wrong() -> None:
    with mock_aws():
        client = boto3.client("ecs", region_name="us-east-1")
        client.create_cluster(clusterName="default")  # moto has none until asked
        started = _ghost_override_run(client)
        assert len(started["tasks"]) == 1  # type: ignore[index]  # started anyway
        client.register_task_definition(
            family="job", containerDefinitions=[{"name": "job", "image": "job", "memory": 64}]
        )
        with pytest.raises(Exception) as raised:  # noqa: PT011  (moto's own, untyped)
            client.run_task(taskDefinition="job", launchType="EC2")
        assert not isinstance(raised.value, ClientError)  # not an answer a client can read


def test_the_fake_gets_run_task_right() -> None:
    with FakeEcs() as fake:
        client = fake.client()
        with pytest.raises(ClientError) as ghost:
            _ghost_override_run(client)
        assert ghost.value.response["Error"] == {
            "Code": "InvalidParameterException",
            "Message": "Override for container named ghost is not a container in the "
            "TaskDefinition.",
        }
        client.register_task_definition(
            family="job", containerDefinitions=[{"name": "job", "image": "job", "memory": 64}]
        )
        with pytest.raises(ClientError) as no_instances:
            client.run_task(taskDefinition="job", launchType="EC2")
        assert no_instances.value.response["Error"] == {
            "Code": "InvalidParameterException",
            "Message": "No Container Instances were found in your cluster.",
        }
