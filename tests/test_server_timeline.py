"""The fake's timeline seen from another process through ``ecs-tasks serve``: task state
change events through EventBridge rules to SQS, container lines in CloudWatch Logs
(both answered by moto in the server's process), and the control API's events."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3

from pytest_ecs_tasks import FakeEcs
from pytest_ecs_tasks._server import EcsServer
from tests.setups import awslogs_container
from tests.test_server import aws, aws_env, control, http


def cli(env: Mapping[str, str], service: str, *args: str, url: str) -> Any:
    """The real AWS CLI of any service, pointed at the server."""
    return aws(env, *args, endpoint_url=url, service=service)


def test_another_process_reads_events_and_logs_through_the_server(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer, tmp_path: Path
) -> None:
    env = aws_env(tmp_path)
    url = ecs_tasks_server.url
    definitions: Any = [awslogs_container()]
    boto3.client("ecs").register_task_definition(
        family="job",
        containerDefinitions=definitions,
    )
    control(ecs_tasks_server, "clusters", {"name": "jobs", "container_instances": 1})
    queue = cli(env, "sqs", "create-queue", "--queue-name", "ecs", url=url)["QueueUrl"]
    arn = cli(
        env,
        "sqs",
        "get-queue-attributes",
        "--queue-url",
        queue,
        "--attribute-names",
        "QueueArn",
        url=url,
    )["Attributes"]["QueueArn"]
    pattern = json.dumps({"source": ["aws.ecs"], "detail-type": ["ECS Task State Change"]})
    cli(env, "events", "put-rule", "--name", "ecs", "--event-pattern", pattern, url=url)
    cli(env, "events", "put-targets", "--rule", "ecs", "--targets", f"Id=q,Arn={arn}", url=url)
    plan = control(
        ecs_tasks_server,
        "plan_runs",
        {"runs_for": 30, "exit_code": 2, "times": 1, "logs": {"app": [[0, "start"], [10, "half"]]}},
    )
    assert plan["logs"] == {"app": [[0, "start"], [10, "half"]]}
    task = cli(
        env,
        "ecs",
        "run-task",
        "--cluster",
        "jobs",
        "--task-definition",
        "job",
        "--launch-type",
        "EC2",
        url=url,
    )["tasks"][0]
    task_id = task["taskArn"].rsplit("/", 1)[1]
    control(ecs_tasks_server, "clock/advance", {"minutes": 2})

    logs = cli(
        env,
        "logs",
        "get-log-events",
        "--log-group-name",
        "/ecs/job",
        "--log-stream-name",
        f"ecs/app/{task_id}",
        "--start-from-head",
        url=url,
    )
    assert [e["message"] for e in logs["events"]] == ["start", "half"]
    assert logs["events"][1]["timestamp"] - logs["events"][0]["timestamp"] == 10_000

    received = cli(
        env,
        "sqs",
        "receive-message",
        "--queue-url",
        queue,
        "--max-number-of-messages",
        "10",
        url=url,
    )
    details = [json.loads(m["Body"])["detail"] for m in received["Messages"]]
    statuses = [d["lastStatus"] for d in details]
    assert statuses[0] == "PENDING" and statuses[-1] == "STOPPED"  # EC2: no PROVISIONING
    assert details[-1]["containers"][0]["exitCode"] == 2

    # the control API keeps the same events, and finds one task's
    kept = control(ecs_tasks_server, "events")
    assert [e["detail"]["lastStatus"] for e in kept["events"]] == statuses
    assert kept["total"] == len(statuses)
    found = control(ecs_tasks_server, "events/find", {"task": task_id})
    assert found["events"] == kept["events"]
    status, _, answer = http(f"{url}/_ecs_tasks/events/find", {"task": 7})
    assert status == 400 and "task must be a task id" in answer["error"]
    # a target the server does not answer for is refused as before, saying what it takes
    status, _, answer = http(url, b"{}", headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert status == 400 and "CloudWatch Logs, EventBridge and SQS" in answer["message"]
