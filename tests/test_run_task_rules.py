"""RunTask's refusals, through a real boto3 client: each with the service's code and
message (sources in ``pytest_ecs_tasks/_service/run_task_checks.py``), and the
client tokens that make RunTask idempotent.

The placement and network lookups (moto's ECS and EC2) are set on the service here,
as ``_fake.py`` is to pass them in."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from pytest_ecs_tasks._model import validate_output
from pytest_ecs_tasks._transport.moto_ec2 import MotoNetwork
from pytest_ecs_tasks._transport.moto_placement import MotoPlacement

ACCOUNT = "123456789012"
EXAMPLE_AMI = "ami-12c6146b"  # in moto's list of AMIs


@pytest.fixture
def ecs(ecs_tasks: FakeEcs) -> ECSClient:
    ecs_tasks._service.placement = MotoPlacement()
    ecs_tasks._service.network = MotoNetwork()
    return ecs_tasks.client()


def subnets() -> list[str]:
    """The subnets of moto's default VPC."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    return [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]]


def awsvpc(*subnet_ids: str, **more: Any) -> dict[str, Any]:
    return {"awsvpcConfiguration": {"subnets": list(subnet_ids or subnets()[:1]), **more}}


def register_fargate(ecs: ECSClient, family: str = "web", **more: Any) -> None:
    ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "web", "image": "nginx"},
            {"name": "sidecar", "image": "envoy", "essential": False},
        ],
        **more,
    )


def register_ec2(ecs: ECSClient, family: str = "job", **more: Any) -> None:
    ecs.register_task_definition(
        family=family,
        containerDefinitions=[{"name": "job", "image": "busybox", "memory": 128}],
        **more,
    )


def add_container_instance(ecs: ECSClient, cluster: str = "default") -> str:
    """An EC2 instance (made in moto's EC2) registered with ``cluster``: its ARN."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    started = ec2.run_instances(ImageId=EXAMPLE_AMI, MinCount=1, MaxCount=1)
    document = json.dumps({"instanceId": started["Instances"][0]["InstanceId"]})
    answer = ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=document)
    return answer["containerInstance"]["containerInstanceArn"]


def error(ecs: ECSClient, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        ecs.run_task(**kwargs)
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def run(ecs: ECSClient, **kwargs: Any) -> dict[str, Any]:
    response: dict[str, Any] = dict(ecs.run_task(**kwargs))
    response.pop("ResponseMetadata")
    validate_output("RunTask", response)
    return response


def fargate(**more: Any) -> dict[str, Any]:
    return {
        "taskDefinition": "web",
        "launchType": "FARGATE",
        "networkConfiguration": awsvpc(),
        **more,
    }


# -- refusals --------------------------------------------------------------------------


def test_override_for_a_container_the_definition_lacks(ecs: ECSClient) -> None:
    register_fargate(ecs)
    overrides = {"containerOverrides": [{"name": "django", "command": ["migrate"]}]}
    assert error(ecs, **fargate(overrides=overrides)) == (
        "InvalidParameterException",
        "Override for container named django is not a container in the TaskDefinition.",
    )


def test_override_without_a_name_but_an_empty_one_is_fine(ecs: ECSClient) -> None:
    register_fargate(ecs)
    nameless = {"containerOverrides": [{"command": ["migrate"]}]}
    assert error(ecs, **fargate(overrides=nameless)) == (
        "InvalidParameterException",
        "name cannot be blank.",
    )
    (task,) = run(ecs, **fargate(overrides={"containerOverrides": [{}]}))["tasks"]
    assert task["overrides"]["containerOverrides"] == [{"name": "web"}, {"name": "sidecar"}]


def test_overrides_over_8192_characters(ecs: ECSClient) -> None:
    register_fargate(ecs)
    overrides = {"containerOverrides": [{"name": "web", "command": ["x" * 8200]}]}
    assert error(ecs, **fargate(overrides=overrides)) == (
        "InvalidParameterException",
        "Container Overrides length must be at most 8192",
    )


def test_launch_type_the_definition_is_not_compatible_with(ecs: ECSClient) -> None:
    ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",  # no requiresCompatibilities: validated for EC2 only
        containerDefinitions=[{"name": "web", "image": "nginx", "memory": 64}],
    )
    assert error(ecs, **fargate()) == (
        "InvalidParameterException",
        "Task definition does not support launch_type FARGATE.",
    )


def test_inactive_revision_refused_and_a_bare_family_takes_the_latest_active(
    ecs: ECSClient,
) -> None:
    register_fargate(ecs)
    register_fargate(ecs)
    ecs.deregister_task_definition(taskDefinition="web:2")
    assert error(ecs, **fargate(taskDefinition="web:2")) == (
        "ClientException",
        "TaskDefinition is inactive",
    )
    arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:2"
    assert error(ecs, **fargate(taskDefinition=arn)) == (
        "ClientException",
        "TaskDefinition is inactive",
    )
    (task,) = run(ecs, **fargate(taskDefinition="web"))["tasks"]
    assert task["taskDefinitionArn"].endswith(":task-definition/web:1")
    ecs.deregister_task_definition(taskDefinition="web:1")
    assert error(ecs, **fargate(taskDefinition="web")) == (
        "ClientException",
        "TaskDefinition is inactive",
    )


def test_capacity_provider_the_cluster_lacks(ecs: ECSClient) -> None:
    register_fargate(ecs)
    spot = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    kwargs = {"taskDefinition": "web", "networkConfiguration": awsvpc()}
    assert error(ecs, capacityProviderStrategy=spot, **kwargs) == (
        "InvalidParameterException",
        "The specified capacity provider strategy cannot contain a capacity provider that is "
        "not associated with the cluster. Associate the capacity provider with the cluster or "
        "specify a valid capacity provider and try again.",
    )
    ecs.put_cluster_capacity_providers(
        cluster="default", capacityProviders=["FARGATE_SPOT"], defaultCapacityProviderStrategy=[]
    )
    (task,) = run(ecs, capacityProviderStrategy=spot, **kwargs)["tasks"]
    assert (task["launchType"], task["capacityProviderName"]) == ("FARGATE", "FARGATE_SPOT")


def test_no_launch_type_takes_the_cluster_default_strategy_else_ec2(ecs: ECSClient) -> None:
    register_fargate(ecs)
    kwargs = {"taskDefinition": "web", "networkConfiguration": awsvpc()}
    # no default strategy: EC2 (the definition is EC2-compatible too), with no host
    assert error(ecs, **kwargs) == (
        "InvalidParameterException",
        "No Container Instances were found in your cluster.",
    )
    ecs.put_cluster_capacity_providers(
        cluster="default",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
    )
    (task,) = run(ecs, **kwargs)["tasks"]
    assert (task["launchType"], task["capacityProviderName"]) == ("FARGATE", "FARGATE_SPOT")


def test_ec2_needs_container_instances(ecs: ECSClient) -> None:
    register_ec2(ecs)
    assert error(ecs, taskDefinition="job", launchType="EC2") == (
        "InvalidParameterException",
        "No Container Instances were found in your cluster.",
    )
    instance = add_container_instance(ecs)
    (task,) = run(ecs, taskDefinition="job", launchType="EC2")["tasks"]
    assert task["containerInstanceArn"] == instance


@pytest.mark.parametrize("version", ["1.2.0", "1.5.0", "latest", "2"])
def test_unknown_platform_version(ecs: ECSClient, version: str) -> None:
    register_fargate(ecs)
    assert error(ecs, **fargate(platformVersion=version)) == (
        "PlatformUnknownException",
        "The specified platform version does not exist.",
    )


@pytest.mark.parametrize(
    ("version", "shown"),
    [(None, "1.4.0"), ("LATEST", "1.4.0"), ("1.4.0", "1.4.0"), ("1.3.0", "1.3.0")],
)
def test_known_platform_versions(ecs: ECSClient, version: str | None, shown: str) -> None:
    register_fargate(ecs)
    given = {} if version is None else {"platformVersion": version}
    (task,) = run(ecs, **fargate(**given))["tasks"]
    assert (task["platformVersion"], task["platformFamily"]) == (shown, "Linux")


def test_platform_version_on_ec2_and_ephemeral_storage_on_1_3_0(ecs: ECSClient) -> None:
    register_ec2(ecs)
    add_container_instance(ecs)
    assert error(ecs, taskDefinition="job", launchType="EC2", platformVersion="1.4.0") == (
        "InvalidParameterException",
        "The platform version must be null when specifying an EC2 launch type.",
    )
    register_fargate(ecs, ephemeralStorage={"sizeInGiB": 50})
    assert error(ecs, **fargate(platformVersion="1.3.0")) == (
        "PlatformTaskDefinitionIncompatibilityException",
        "The specified platform version does not satisfy the task definition's required "
        "capabilities.",
    )


def test_propagate_tags_from_a_service_on_a_standalone_task(ecs: ECSClient) -> None:
    register_fargate(ecs)
    assert error(ecs, **fargate(propagateTags="SERVICE")) == (
        "InvalidParameterException",
        "The specified propagate tags option SERVICE is not supported for standalone tasks.",
    )


@pytest.mark.parametrize("started_by", ["x" * 129, "a b", "job:1", ""])
def test_started_by_rules(ecs: ECSClient, started_by: str) -> None:
    register_fargate(ecs)
    assert error(ecs, **fargate(startedBy=started_by)) == (
        "InvalidParameterException",
        "startedBy can have up to 128 letters (uppercase and lowercase), numbers, hyphens, "
        "forward slashes, and underscores.",
    )


def test_started_by_up_to_128_with_slashes(ecs: ECSClient) -> None:
    register_fargate(ecs)
    started_by = "ecs-svc/" + "A_b-9" * 24
    assert len(started_by) == 128
    (task,) = run(ecs, **fargate(startedBy=started_by))["tasks"]
    assert task["startedBy"] == started_by


def test_awsvpc_network_rules(ecs: ECSClient) -> None:
    register_fargate(ecs)
    assert error(ecs, **fargate(networkConfiguration={"awsvpcConfiguration": {"subnets": []}})) == (
        "InvalidParameterException",
        "subnets can not be empty.",
    )
    many = awsvpc(*(f"subnet-{i:017x}" for i in range(17)))
    assert error(ecs, **fargate(networkConfiguration=many)) == (
        "InvalidParameterException",
        "subnets can have at most 16 items.",
    )
    unknown = awsvpc(subnets()[0], "subnet-0123456789abcdef0")
    assert error(ecs, **fargate(networkConfiguration=unknown)) == (
        "InvalidParameterException",
        f"Error retrieving subnet information for [{subnets()[0]}, subnet-0123456789abcdef0]: "
        "The subnet ID 'subnet-0123456789abcdef0' does not exist "
        "(ErrorCode: InvalidSubnetID.NotFound)",
    )
    group = awsvpc(subnets()[0], securityGroups=["sg-0123456789abcdef0"])
    assert error(ecs, **fargate(networkConfiguration=group)) == (
        "InvalidParameterException",
        "Error retrieving security group information for [sg-0123456789abcdef0]: The security "
        "group 'sg-0123456789abcdef0' does not exist (ErrorCode: InvalidGroup.NotFound)",
    )


def test_network_configuration_on_bridge_and_public_ip_on_ec2(ecs: ECSClient) -> None:
    register_ec2(ecs)
    add_container_instance(ecs)
    assert error(ecs, taskDefinition="job", launchType="EC2", networkConfiguration=awsvpc()) == (
        "InvalidParameterException",
        "Network Configuration is not valid for the given networkMode of this task definition.",
    )
    register_ec2(ecs, family="vpcjob", networkMode="awsvpc")
    public = awsvpc(assignPublicIp="ENABLED")
    assert error(ecs, taskDefinition="vpcjob", launchType="EC2", networkConfiguration=public) == (
        "InvalidParameterException",
        "Assign public IP is not supported for this launch type.",
    )


@pytest.mark.parametrize("count", [0, 11, -1])
def test_count_outside_1_to_10(ecs: ECSClient, count: int) -> None:
    register_fargate(ecs)
    assert error(ecs, **fargate(count=count)) == (
        "InvalidParameterException",
        "count must be between 1 and 10.",
    )


def test_execute_command_needs_a_task_role(ecs: ECSClient) -> None:
    register_fargate(ecs)
    assert error(ecs, **fargate(enableExecuteCommand=True)) == (
        "InvalidParameterException",
        "The execute command failed because a valid task role is not being used. Specify a "
        "valid task role in your task definition or as a task override and try again.",
    )
    role = f"arn:aws:iam::{ACCOUNT}:role/app"
    (task,) = run(ecs, **fargate(enableExecuteCommand=True, overrides={"taskRoleArn": role}))[
        "tasks"
    ]
    assert task["enableExecuteCommand"] is True


# -- client tokens ---------------------------------------------------------------------


def task_arns(ecs: ECSClient, cluster: str = "default") -> list[str]:
    return ecs.list_tasks(cluster=cluster)["taskArns"]


def test_same_token_same_params_same_tasks_and_none_new(ecs: ECSClient) -> None:
    register_fargate(ecs)
    first = run(ecs, **fargate(count=2, clientToken="retry-1"))
    again = run(ecs, **fargate(count=2, clientToken="retry-1"))
    assert [t["taskArn"] for t in again["tasks"]] == [t["taskArn"] for t in first["tasks"]]
    assert sorted(task_arns(ecs)) == sorted(t["taskArn"] for t in first["tasks"])
    assert again["failures"] == []


def test_same_token_other_params_is_a_conflict_naming_the_tasks(ecs: ECSClient) -> None:
    register_fargate(ecs)
    (task,) = run(ecs, **fargate(clientToken="retry-1"))["tasks"]
    with pytest.raises(ClientError) as exc:
        ecs.run_task(**fargate(clientToken="retry-1", startedBy="someone-else"))
    assert exc.value.response["Error"] == {
        "Code": "ConflictException",
        "Message": "The specified client token is already in use with a different RunTask request.",
    }
    assert exc.value.response["resourceIds"] == [task["taskArn"]]  # type: ignore[typeddict-item]
    assert task_arns(ecs) == [task["taskArn"]]


def test_tokens_are_per_cluster(ecs: ECSClient) -> None:
    register_fargate(ecs)
    ecs.create_cluster(clusterName="other")
    (here,) = run(ecs, **fargate(clientToken="t"))["tasks"]
    (there,) = run(ecs, **fargate(clientToken="t", cluster="other"))["tasks"]
    assert here["taskArn"] != there["taskArn"]
    assert task_arns(ecs, "other") == [there["taskArn"]]


def test_a_retry_shows_a_stopped_task_by_arn_and_statuses_only(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    register_fargate(ecs)
    (task,) = run(ecs, **fargate(clientToken="t"))["tasks"]
    ecs.stop_task(task=task["taskArn"])
    ecs_tasks.clock.advance(minutes=5)
    again = run(ecs, **fargate(clientToken="t"))
    assert again == {
        "tasks": [
            {"taskArn": task["taskArn"], "lastStatus": "STOPPED", "desiredStatus": "STOPPED"}
        ],
        "failures": [],
    }
    ecs_tasks.clock.advance(hours=2)  # an hour past its last task's stop, the token is free
    (fresh,) = run(ecs, **fargate(clientToken="t"))["tasks"]
    assert fresh["taskArn"] != task["taskArn"]


@pytest.mark.parametrize("token", ["x" * 65, "with space", "tab\there"])
def test_bad_client_token(ecs: ECSClient, token: str) -> None:
    register_fargate(ecs)
    assert error(ecs, **fargate(clientToken=token)) == (
        "InvalidParameterException",
        "clientToken can have up to 64 ASCII characters in the range of 33-126 (inclusive).",
    )
