"""The rows T12 to T17 of docs/comparison.md: moto 5.2 running and watching tasks (the
``tasks_stopped`` waiter, EC2 placement, overrides, EventBridge, CloudWatch Logs),
against the fake. (Pinned to moto 5.2.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from tests.comparison_fixtures import fixture_no_default_amis, fixture_sleeps  # noqa: F401  (fixtures)
from tests.comparison_setups import (
    MOTO_5_2,
    REGION,
    claim,
    ecs_client,
    network,
    session,
    start_two_container_task,
    start_two_container_task_in,
    status,
    task_id,
)
from tests.setups import register_container_instance, register_fargate

pytestmark = MOTO_5_2


@claim("T12")
def test_t12_the_tasks_stopped_waiter_sleeps_for_real(sleeps: list[float]) -> None:
    with mock_aws():
        client = ecs_client()
        arn = start_two_container_task(client)
        client.get_waiter("tasks_stopped").wait(cluster="a", tasks=[arn])
        assert sleeps and set(sleeps) == {6}  # the polls moved it to STOPPED (T3)
    sleeps.clear()
    with FakeEcs() as fake:
        fake.create_cluster()
        task = fake.run_task(runs_for=300)
        started = fake.clock.now()
        fake.client().get_waiter("tasks_stopped").wait(tasks=[task["taskArn"]])
        assert sleeps == []  # no wall-clock sleep
        assert (fake.clock.now() - started).total_seconds() > 300


@claim("T13")
def test_t13_ec2_without_container_instances_raises_a_bare_exception() -> None:
    with mock_aws():
        client = ecs_client()
        client.create_cluster(clusterName="default")
        client.register_task_definition(
            family="job", containerDefinitions=[{"name": "job", "image": "job", "memory": 64}]
        )
        with pytest.raises(Exception) as raised:  # noqa: PT011  (moto's own, untyped)
            client.run_task(taskDefinition="job", launchType="EC2")
        assert not isinstance(raised.value, ClientError)  # not an answer a client can read
    with FakeEcs() as fake:
        client = fake.client()
        client.register_task_definition(
            family="job", containerDefinitions=[{"name": "job", "image": "job", "memory": 64}]
        )
        with pytest.raises(ClientError) as no_instances:
            client.run_task(taskDefinition="job", launchType="EC2")
        assert no_instances.value.response["Error"] == {
            "Code": "InvalidParameterException",
            "Message": "No Container Instances were found in your cluster.",
        }


def ghost_override_run(client: ECSClient) -> list[Any]:
    """RunTask with an override for a container the definition does not have: the
    tasks started."""
    register_fargate(client, "web", [{"name": "web", "image": "nginx", "memory": 64}])
    return client.run_task(
        taskDefinition="web",
        launchType="FARGATE",
        networkConfiguration=network(),
        overrides={"containerOverrides": [{"name": "ghost", "command": ["run"]}]},
    )["tasks"]


@claim("T14")
def test_t14_an_override_for_a_missing_container_is_accepted() -> None:
    with mock_aws():
        client = ecs_client()
        client.create_cluster(clusterName="default")  # moto has none until asked
        assert len(ghost_override_run(client)) == 1  # started anyway
    with FakeEcs() as fake:
        with pytest.raises(ClientError) as ghost:
            ghost_override_run(fake.client())
        assert ghost.value.response["Error"] == {
            "Code": "InvalidParameterException",
            "Message": "Override for container named ghost is not a container in the "
            "TaskDefinition.",
        }


@claim("T15")
def test_t15_a_task_that_fits_nowhere_gets_no_failures() -> None:
    with mock_aws():
        client = ecs_client()
        client.create_cluster(clusterName="default")
        register_container_instance(client, REGION)
        client.register_task_definition(
            family="big", containerDefinitions=[{"name": "x", "image": "i", "memory": 10**7}]
        )
        answer = client.run_task(taskDefinition="big", launchType="EC2")
        assert (answer["tasks"], answer["failures"]) == ([], [])
    with FakeEcs() as fake:
        client = fake.client()
        fake.create_cluster("ec2", container_instances=1)
        [instance] = client.list_container_instances(cluster="ec2")["containerInstanceArns"]
        client.register_task_definition(
            family="job", containerDefinitions=[{"name": "job", "image": "job", "memory": 128}]
        )
        fake.plan_runs(placement_failure="RESOURCE:MEMORY", times=1)
        answer = client.run_task(cluster="ec2", taskDefinition="job", launchType="EC2")
        assert answer["tasks"] == []
        assert answer["failures"] == [{"arn": instance, "reason": "RESOURCE:MEMORY"}]


def queue_for_ecs_events() -> str:
    """An SQS queue that an EventBridge rule on ``aws.ecs`` feeds: its URL."""
    sqs = session().client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="ecs-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    events = session().client("events", region_name=REGION)
    events.put_rule(Name="ecs", EventPattern=json.dumps({"source": ["aws.ecs"]}))
    events.put_targets(Rule="ecs", Targets=[{"Id": "q", "Arn": arn["Attributes"]["QueueArn"]}])
    return str(url)


def received(url: str) -> list[dict[str, Any]]:
    answer = (
        session()
        .client("sqs", region_name=REGION)
        .receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    )
    return [json.loads(m["Body"]) for m in answer.get("Messages", [])]


@claim("T16")
def test_t16_no_task_state_change_reaches_eventbridge() -> None:
    with mock_aws():
        url = queue_for_ecs_events()
        client = ecs_client()
        arn = start_two_container_task(client)
        for _ in range(4):
            status(client, arn)
        client.stop_task(cluster="a", task=arn)
        other = start_two_container_task_in(client, "a")
        client.stop_task(cluster="a", task=other)
        assert received(url) == []
    with FakeEcs() as fake:
        url = queue_for_ecs_events()
        fake.create_cluster()
        fake.run_task(runs_for=60)
        fake.clock.advance(minutes=5)
        events = received(url)
        assert {e["detail-type"] for e in events} == {"ECS Task State Change"}
        assert [e["detail"]["version"] for e in events] == list(range(1, len(events) + 1))
        assert events[-1]["detail"]["lastStatus"] == "STOPPED"


AWSLOGS: Any = {
    "logDriver": "awslogs",
    "options": {
        "awslogs-group": "/ecs/job",
        "awslogs-region": REGION,
        "awslogs-stream-prefix": "ecs",
        "awslogs-create-group": "true",
    },
}


@claim("T17")
def test_t17_no_task_writes_to_cloudwatch_logs() -> None:
    with mock_aws():
        client = ecs_client()
        client.create_cluster(clusterName="a")
        client.register_task_definition(
            family="job",
            containerDefinitions=[
                {"name": "app", "image": "i", "memory": 64, "logConfiguration": AWSLOGS}
            ],
        )
        arn = client.run_task(cluster="a", taskDefinition="job", launchType="FARGATE")["tasks"][0][
            "taskArn"
        ]
        for _ in range(4):
            status(client, arn)
        assert session().client("logs", region_name=REGION).describe_log_groups()["logGroups"] == []
    with FakeEcs() as fake:
        fake.create_cluster()
        fake.client().register_task_definition(
            family="job",
            containerDefinitions=[
                {"name": "app", "image": "i", "memory": 64, "logConfiguration": AWSLOGS}
            ],
        )
        task = fake.run_task(task_definition="job:1", runs_for=30, logs={"app": ["hello"]})
        fake.clock.advance(minutes=2)
        page = (
            session()
            .client("logs", region_name=REGION)
            .get_log_events(
                logGroupName="/ecs/job",
                logStreamName=f"ecs/app/{task_id(task['taskArn'])}",
                startFromHead=True,
            )
        )
        assert [e["message"] for e in page["events"]] == ["hello"]
