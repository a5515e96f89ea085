"""What a task RunTask started shows (in RunTask's answer and DescribeTasks), and the
placement failures a plan makes RunTask answer, through a real boto3 client.

The placement and network lookups (moto's ECS and EC2) are set on the service here,
as ``_fake.py`` is to pass them in."""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from typing import Any

import boto3
import pytest
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from pytest_ecs_tasks._model import validate_output
from pytest_ecs_tasks._service.run_task import CAPACITY_UNAVAILABLE, PLACEMENT_FAILURES, TaskPlan
from pytest_ecs_tasks._transport.moto_ec2 import MotoNetwork
from pytest_ecs_tasks._transport.moto_placement import MotoPlacement

from .consistency import assert_consistent_task
from .test_run_task_rules import (
    ACCOUNT,
    add_container_instance,
    awsvpc,
    fargate,
    register_ec2,
    register_fargate,
    run,
)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"


@pytest.fixture
def ecs(ecs_tasks: FakeEcs) -> ECSClient:
    ecs_tasks._service.placement = MotoPlacement()
    ecs_tasks._service.network = MotoNetwork()
    return ecs_tasks.client()


def describe(ecs: ECSClient, arn: str, cluster: str = "default") -> dict[str, Any]:
    response: dict[str, Any] = dict(
        ecs.describe_tasks(cluster=cluster, tasks=[arn], include=["TAGS"])
    )
    response.pop("ResponseMetadata")
    validate_output("DescribeTasks", response)
    (task,) = response["tasks"]
    assert_consistent_task(task)
    return dict(task)


def detail(task: dict[str, Any], name: str) -> str:
    (attachment,) = task["attachments"]
    return str(next(d["value"] for d in attachment["details"] if d["name"] == name))


def plan(ecs_tasks: FakeEcs, times: int | None = 1, **how: Any) -> None:
    ecs_tasks._service.plan_runs(TaskPlan(**how), times)


# -- what a started task shows -----------------------------------------------------------


def test_overrides_as_given_and_task_sizes_from_them(ecs: ECSClient) -> None:
    register_fargate(ecs)
    overrides = {
        "containerOverrides": [{"name": "sidecar", "environment": [{"name": "A", "value": "1"}]}],
        "cpu": "1024",
        "memory": "2048",
        "taskRoleArn": ROLE,
    }
    (task,) = run(ecs, **fargate(overrides=overrides))["tasks"]
    assert task["overrides"] == {
        "containerOverrides": [
            {"name": "web"},
            {"name": "sidecar", "environment": [{"name": "A", "value": "1"}]},
        ],
        "cpu": "1024",
        "memory": "2048",
        "taskRoleArn": ROLE,
        "inferenceAcceleratorOverrides": [],
    }
    assert (task["cpu"], task["memory"]) == ("1024", "2048")
    assert describe(ecs, task["taskArn"])["overrides"] == task["overrides"]


def test_execute_command_and_its_managed_agent(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    register_fargate(ecs, taskRoleArn=ROLE)
    (task,) = run(ecs, **fargate(enableExecuteCommand=True))["tasks"]
    assert task["enableExecuteCommand"] is True
    ecs_tasks.clock.advance(minutes=1)
    running = describe(ecs, task["taskArn"])
    assert running["lastStatus"] == "RUNNING"
    for container in running["containers"]:
        assert container["managedAgents"] == [
            {
                "name": "ExecuteCommandAgent",
                "lastStartedAt": running["startedAt"],
                "lastStatus": "RUNNING",
            }
        ]
    (plain,) = run(ecs, **fargate())["tasks"]
    assert plain["enableExecuteCommand"] is False
    ecs_tasks.clock.advance(minutes=1)
    assert all("managedAgents" not in c for c in describe(ecs, plain["taskArn"])["containers"])


@pytest.mark.parametrize(("architecture", "shown"), [("ARM64", "arm64"), ("X86_64", "x86_64")])
def test_platform_from_the_runtime_platform(ecs: ECSClient, architecture: str, shown: str) -> None:
    register_fargate(
        ecs, runtimePlatform={"cpuArchitecture": architecture, "operatingSystemFamily": "LINUX"}
    )
    for _ in range(3):
        (task,) = run(ecs, **fargate())["tasks"]
        assert task["attributes"] == [{"name": "ecs.cpu-architecture", "value": shown}]
        assert task["platformFamily"] == "Linux"


def test_ephemeral_storage_from_the_definition_or_the_override(ecs: ECSClient) -> None:
    register_fargate(ecs)
    (default,) = run(ecs, **fargate())["tasks"]
    assert default["ephemeralStorage"] == {"sizeInGiB": 20}
    register_fargate(ecs, ephemeralStorage={"sizeInGiB": 50})
    (defined,) = run(ecs, **fargate())["tasks"]
    assert defined["ephemeralStorage"] == defined["fargateEphemeralStorage"] == {"sizeInGiB": 50}
    (overridden,) = run(ecs, **fargate(overrides={"ephemeralStorage": {"sizeInGiB": 100}}))["tasks"]
    assert overridden["ephemeralStorage"] == {"sizeInGiB": 100}
    assert describe(ecs, overridden["taskArn"])["fargateEphemeralStorage"] == {"sizeInGiB": 100}


def test_tags_propagated_from_the_definition_and_managed_tags(ecs: ECSClient) -> None:
    register_fargate(
        ecs, tags=[{"key": "team", "value": "data"}, {"key": "cost", "value": "batch"}]
    )
    ecs.create_cluster(clusterName="jobs")
    mine = [{"key": "cost", "value": "adhoc"}, {"key": "run", "value": "7"}]
    (task,) = run(
        ecs,
        **fargate(
            cluster="jobs", tags=mine, propagateTags="TASK_DEFINITION", enableECSManagedTags=True
        ),
    )["tasks"]
    expected = [
        {"key": "team", "value": "data"},
        {"key": "cost", "value": "adhoc"},
        {"key": "run", "value": "7"},
        {"key": "aws:ecs:clusterName", "value": "jobs"},
    ]
    assert task["tags"] == expected
    assert describe(ecs, task["taskArn"], "jobs")["tags"] == expected
    (untagged,) = run(ecs, **fargate(cluster="jobs", propagateTags="NONE"))["tasks"]
    assert untagged["tags"] == []


def test_ec2_sizes_from_the_containers_not_fargate_sizes(ecs: ECSClient) -> None:
    ecs.register_task_definition(
        family="job",
        containerDefinitions=[
            {"name": "job", "image": "busybox", "cpu": 100, "memory": 300},
            {"name": "log", "image": "fluent-bit", "cpu": 28, "memoryReservation": 50},
        ],
    )
    add_container_instance(ecs)
    for _ in range(3):
        (task,) = run(ecs, taskDefinition="job", launchType="EC2")["tasks"]
        assert (task["cpu"], task["memory"]) == ("128", "350")
        assert "platformVersion" not in task and "ephemeralStorage" not in task
    register_ec2(ecs, family="sized", cpu="512", memory="1024")
    (sized,) = run(ecs, taskDefinition="sized", launchType="EC2")["tasks"]
    assert (sized["cpu"], sized["memory"]) == ("512", "1024")


def test_ec2_awsvpc_task_has_an_eni_on_its_container_instance(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    register_ec2(ecs, networkMode="awsvpc")
    instance = add_container_instance(ecs)
    (task,) = run(ecs, taskDefinition="job", launchType="EC2", networkConfiguration=awsvpc())[
        "tasks"
    ]
    assert task["containerInstanceArn"] == instance
    assert [a["type"] for a in task["attachments"]] == ["ElasticNetworkInterface"]
    ecs_tasks.clock.advance(minutes=1)
    running = describe(ecs, task["taskArn"])
    (container,) = running["containers"]
    assert re.fullmatch(r"[0-9a-f]{64}", container["runtimeId"])  # Docker's, on EC2
    assert container["networkBindings"] == []
    assert container["networkInterfaces"] == [
        {
            "attachmentId": running["attachments"][0]["id"],
            "privateIpv4Address": detail(running, "privateIPv4Address"),
        }
    ]


def test_enis_in_the_requested_subnets_and_in_moto_ec2(ecs: ECSClient) -> None:
    register_fargate(ecs)
    ec2 = boto3.client("ec2", region_name="us-east-1")
    subnets = {s["SubnetId"]: s for s in ec2.describe_subnets()["Subnets"]}
    chosen = list(subnets)[:2]
    network = awsvpc(*chosen, assignPublicIp="ENABLED")
    tasks = run(ecs, **fargate(count=2, networkConfiguration=network))["tasks"]
    assert [detail(t, "subnetId") for t in tasks] == chosen  # one after the other
    for task in tasks:
        subnet = subnets[detail(task, "subnetId")]
        eni_id = detail(task, "networkInterfaceId")
        (eni,) = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"]
        ip = detail(task, "privateIPv4Address")
        assert eni["PrivateIpAddress"] == ip
        assert ipaddress.ip_address(ip) in ipaddress.ip_network(subnet["CidrBlock"])
        assert eni["MacAddress"] == detail(task, "macAddress")
        assert eni["Association"]["PublicIp"]
        assert eni["Description"] == (
            f"arn:aws:ecs:us-east-1:{ACCOUNT}:attachment/{task['attachments'][0]['id']}"
        )
        assert (eni["Status"], eni["RequesterManaged"]) == ("in-use", True)
        assert task["availabilityZone"] == subnet["AvailabilityZone"] == eni["AvailabilityZone"]
    (private,) = run(ecs, **fargate(networkConfiguration=awsvpc(chosen[0])))["tasks"]
    eni_id = detail(private, "networkInterfaceId")
    (eni,) = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"]
    assert "Association" not in eni


def test_without_the_network_lookup_the_eni_still_names_the_subnet(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks._service.network = None
    register_fargate(ecs)
    network = awsvpc("subnet-aaaaaaaaaaaaaaaaa", "subnet-bbbbbbbbbbbbbbbbb")
    tasks = run(ecs, **fargate(count=3, networkConfiguration=network))["tasks"]
    assert [detail(t, "subnetId") for t in tasks] == [
        "subnet-aaaaaaaaaaaaaaaaa",
        "subnet-bbbbbbbbbbbbbbbbb",
        "subnet-aaaaaaaaaaaaaaaaa",
    ]


# -- placement failures ------------------------------------------------------------------


@pytest.mark.parametrize("reason", [r for r in PLACEMENT_FAILURES if r != CAPACITY_UNAVAILABLE])
def test_a_placement_failure_on_ec2_names_the_container_instance(
    ecs_tasks: FakeEcs, ecs: ECSClient, reason: str
) -> None:
    register_ec2(ecs)
    instance = add_container_instance(ecs)
    plan(ecs_tasks, placement_failure=reason)
    answer = run(ecs, taskDefinition="job", launchType="EC2")
    assert answer == {"tasks": [], "failures": [{"arn": instance, "reason": reason}]}
    assert ecs.list_tasks()["taskArns"] == []  # no task started
    (task,) = run(ecs, taskDefinition="job", launchType="EC2")["tasks"]  # the plan is used up
    assert task["containerInstanceArn"] == instance


def test_fargate_capacity_shortage(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    register_fargate(ecs)
    plan(ecs_tasks, times=2, placement_failure="CAPACITY")
    answer = run(ecs, **fargate(count=3))
    reason = (
        "Capacity is unavailable at this time. Please try again later or in a different "
        "availability zone"
    )
    assert answer["failures"] == [{"reason": reason}, {"reason": reason}]
    assert len(answer["tasks"]) == 1
    assert ecs.list_tasks()["taskArns"] == [answer["tasks"][0]["taskArn"]]


def test_a_placement_reason_on_fargate_names_the_cluster(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    register_fargate(ecs)
    plan(ecs_tasks, placement_failure="RESOURCE:ENI")
    answer = run(ecs, **fargate())
    assert answer == {
        "tasks": [],
        "failures": [
            {"arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/default", "reason": "RESOURCE:ENI"}
        ],
    }


def test_failures_and_plans_keep_their_order(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    register_fargate(ecs)
    plan(ecs_tasks, times=None, runs_for=timedelta(minutes=1))  # the standing plan
    plan(ecs_tasks, times=1, placement_failure="CAPACITY")  # counted: first
    first = run(ecs, **fargate())
    assert (first["tasks"], len(first["failures"])) == ([], 1)
    (task,) = run(ecs, **fargate())["tasks"]  # the standing plan: it ends by itself
    ecs_tasks.clock.advance(minutes=5)
    assert describe(ecs, task["taskArn"])["lastStatus"] == "STOPPED"


def test_a_retry_with_the_token_answers_the_same_failures(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    register_fargate(ecs)
    plan(ecs_tasks, placement_failure="CAPACITY")
    first = run(ecs, **fargate(clientToken="t"))
    assert (
        run(ecs, **fargate(clientToken="t"))
        == first
        == {
            "tasks": [],
            "failures": [{"reason": CAPACITY_UNAVAILABLE}],
        }
    )


def test_placement_failure_values_checked() -> None:
    with pytest.raises(ValueError, match=r"^placement_failure='MEMORY'; valid: RESOURCE:CPU, "):
        TaskPlan(placement_failure="MEMORY")
    assert TaskPlan(placement_failure="CAPACITY").placement_failure == CAPACITY_UNAVAILABLE
    assert TaskPlan(placement_failure="AGENT").placement_failure == "AGENT"
