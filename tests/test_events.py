"""EventBridge task state change events from the fake's timeline: delivered by moto's
EventBridge to the rules and targets the code under test sets up (SQS here), at the
virtual moment each change happens, and kept in ``FakeEcs.events``."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from tests.consistency import STATUS_ORDER, assert_valid_response
from tests.setups import fargate_network, register_fargate

TASK_EVENTS = {"source": ["aws.ecs"], "detail-type": ["ECS Task State Change"]}


def events_queue(pattern: dict[str, Any] = TASK_EVENTS, *, region: str = "us-east-1") -> str:
    """An SQS queue that an EventBridge rule with ``pattern`` targets: its URL."""
    sqs = boto3.client("sqs", region_name=region)
    url: str = sqs.create_queue(QueueName="ecs-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = boto3.client("events", region_name=region)
    events.put_rule(Name="ecs-tasks", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="ecs-tasks", Targets=[{"Id": "queue", "Arn": arn}])
    return url


def drain(url: str, *, region: str = "us-east-1") -> list[dict[str, Any]]:
    """Every message now on the queue, in order, as parsed JSON (and gone from it)."""
    sqs = boto3.client("sqs", region_name=region)
    found: list[dict[str, Any]] = []
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        if not answer.get("Messages"):
            return found
        for message in answer["Messages"]:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def as_task(detail: dict[str, Any]) -> dict[str, Any]:
    """An event's ``detail`` as a boto3 Task: its ISO times parsed by botocore's own
    parser, ``updatedAt`` (a member of the event, not of the Task shape) set aside."""
    from pytest_ecs_tasks import from_wire

    task = {k: v for k, v in detail.items() if k != "updatedAt"}
    parsed: dict[str, Any] = from_wire({"tasks": [task], "failures": []})
    return parsed["tasks"][0]  # type: ignore[no-any-return]


def iso(at: datetime) -> str:
    at = at.astimezone(timezone.utc)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def run_job(ecs: ECSClient) -> str:
    """RunTask through boto3 of a Fargate job on cluster ``jobs``: its task ARN."""
    register_fargate(ecs, "job", [{"name": "app", "image": "busybox", "essential": True}])
    return ecs.run_task(
        cluster="jobs",
        taskDefinition="job",
        launchType="FARGATE",
        networkConfiguration=fargate_network(),
    )["tasks"][0]["taskArn"]


def test_a_rule_with_an_sqs_target_gets_every_transition_of_a_task_in_order(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster("jobs")
    url = events_queue()
    ecs_tasks.plan_runs(runs_for="2m", exit_code=3, times=1)
    arn = run_job(ecs)
    for _ in range(40):
        ecs_tasks.clock.advance(seconds=5)
    messages = drain(url)

    statuses = [m["detail"]["lastStatus"] for m in messages]
    # one message per change: the lifecycle's order, each status once, the stop request
    # (desiredStatus STOPPED) an event of its own while the task is still RUNNING
    assert [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s] == list(
        STATUS_ORDER
    )
    assert statuses.count("RUNNING") == 2
    versions = [m["detail"]["version"] for m in messages]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert versions[0] == 1
    last = messages[-1]["detail"]
    assert last["containers"][0]["exitCode"] == 3
    assert last["stopCode"] == "EssentialContainerExited"
    assert last["desiredStatus"] == "STOPPED"
    for message in messages:
        assert message["source"] == "aws.ecs"
        assert message["detail-type"] == "ECS Task State Change"
        assert message["resources"] == [arn]
        assert message["region"] == "us-east-1"
        assert message["account"] == "123456789012"
        assert message["version"] == "0"
        assert set(message) == {
            "version",
            "id",
            "detail-type",
            "source",
            "account",
            "time",
            "region",
            "resources",
            "detail",
        }
        assert message["detail"]["taskArn"] == arn
        task = as_task(message["detail"])
        assert_valid_response("DescribeTasks", {"tasks": [task], "failures": []})
        # the envelope's time is the change's moment, to the second
        assert message["detail"]["updatedAt"].startswith(message["time"][:-1])
    # the last event shows the task as DescribeTasks does now (tags and health aside)
    described = ecs.describe_tasks(cluster="jobs", tasks=[arn])["tasks"][0]
    described.pop("tags", None)
    described.pop("healthStatus", None)
    assert as_task(last) == described
    # the same events, in the same order, are kept by the fake
    assert [e["detail"] for e in ecs_tasks.events] == [m["detail"] for m in messages]
    assert [e["id"] for e in ecs_tasks.events] == [m["id"] for m in messages]


def test_each_event_arrives_once_the_clock_passes_its_moment(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster("jobs")
    url = events_queue()
    start = ecs_tasks.clock.now()
    run_job(ecs)
    first = drain(url)
    assert [m["detail"]["lastStatus"] for m in first] == ["PROVISIONING"]
    assert first[0]["detail"]["updatedAt"] == iso(start)
    # PENDING comes provisioning (3.662 s) later: not a moment before
    ecs_tasks.clock.advance(seconds=3.661)
    assert drain(url) == []
    ecs_tasks.clock.advance(milliseconds=1)
    pending = drain(url)
    assert [m["detail"]["lastStatus"] for m in pending] == ["PENDING"]
    assert pending[0]["detail"]["updatedAt"] == iso(start + timedelta(seconds=3.662))
    # a task that runs until stopped changes no more once RUNNING
    ecs_tasks.clock.advance(minutes=5)
    assert [m["detail"]["lastStatus"] for m in drain(url)] == ["ACTIVATING", "RUNNING"]
    ecs_tasks.clock.advance(hours=5)
    assert drain(url) == []


def test_stop_task_is_an_event_at_the_moment_it_is_asked(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster("jobs")
    arn = run_job(ecs)
    ecs_tasks.clock.advance(minutes=1)
    url = events_queue()
    asked = ecs_tasks.clock.now()
    ecs.stop_task(cluster="jobs", task=arn, reason="deploy")
    stop = drain(url)
    assert len(stop) == 1
    detail = stop[0]["detail"]
    assert (detail["lastStatus"], detail["desiredStatus"]) == ("RUNNING", "STOPPED")
    assert detail["stopCode"] == "UserInitiated"
    assert detail["stoppedReason"] == "deploy"
    assert detail["updatedAt"] == iso(asked) == detail["stoppingAt"]
    ecs_tasks.clock.advance(minutes=1)
    later = drain(url)
    assert [m["detail"]["lastStatus"] for m in later] == [
        "DEACTIVATING",
        "STOPPING",
        "DEPROVISIONING",
        "STOPPED",
    ]


def test_events_go_to_the_tasks_region_and_only_to_enabled_matching_rules(
    ecs_tasks: FakeEcs,
) -> None:
    ecs_tasks.create_cluster()
    home = events_queue()
    europe = events_queue(region="eu-west-1")
    boto3.client("events", region_name="us-east-1").put_rule(
        Name="disabled",
        EventPattern=json.dumps(TASK_EVENTS),
        State="DISABLED",
    )
    ecs_tasks.run_task()
    assert [m["region"] for m in drain(home)] == ["us-east-1"]
    assert drain(europe, region="eu-west-1") == []


def test_a_task_that_fails_to_start_and_one_stopped_by_spot(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster()
    url = events_queue()
    failed = ecs_tasks.run_task(fail_to_start="CannotPullContainerError: pull access denied")
    spot = ecs_tasks.run_task(capacity_provider="FARGATE_SPOT")
    ecs_tasks.clock.advance(minutes=1)
    ecs_tasks.stop_task(spot, stop_code="SpotInterruption")
    ecs_tasks.clock.advance(minutes=1)
    messages = drain(url)
    by_task: dict[str, list[dict[str, Any]]] = {}
    for message in messages:
        by_task.setdefault(message["resources"][0], []).append(message["detail"])
    ends = {arn: details[-1] for arn, details in by_task.items()}
    assert ends[failed["taskArn"]]["stopCode"] == "TaskFailedToStart"
    assert "RUNNING" not in {d["lastStatus"] for d in by_task[failed["taskArn"]]}
    assert ends[spot["taskArn"]]["stopCode"] == "SpotInterruption"
    assert ends[spot["taskArn"]]["lastStatus"] == "STOPPED"
    # across tasks, in the order the changes happened
    moments = [m["detail"]["updatedAt"] for m in messages]
    assert moments == sorted(moments)


def test_events_of_filters_by_task_and_detail_type(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster()
    one = ecs_tasks.run_task(runs_for=10)
    two = ecs_tasks.run_task()
    ecs_tasks.clock.advance(minutes=2)
    mine = ecs_tasks.events_of(one)
    assert mine and {e["resources"][0] for e in mine} == {one["taskArn"]}
    assert ecs_tasks.events_of(two["taskArn"].rsplit("/", 1)[1]) == ecs_tasks.events_of(two)
    assert ecs_tasks.events_of(detail_type="ECS Task State Change") == ecs_tasks.events
    assert ecs_tasks.events_of(one, detail_type="ECS Service Action") == []
    assert len(ecs_tasks.events) == len(mine) + len(ecs_tasks.events_of(two))
    with pytest.raises(TypeError, match="task=3: give a task id, ARN or record"):
        ecs_tasks.events_of(3)  # type: ignore[arg-type]


def test_events_keep_the_most_recent_events_limit() -> None:
    with FakeEcs(events_limit=5) as fake:
        fake.create_cluster()
        for _ in range(3):
            fake.run_task(runs_for=1)
        fake.clock.advance(minutes=5)
        assert fake.events_limit == 5
        kept = fake.events
        assert len(kept) == 5
        assert fake._service.feed.events_total == 27  # 3 tasks, 9 changes each
        assert [e["detail"]["lastStatus"] for e in kept][-1] == "STOPPED"


def test_ready_records_and_a_stopped_fake_put_nothing_on_the_bus(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster()
    url = events_queue()
    ecs_tasks.add_task()  # a ready record is served as given: it never changes
    ecs_tasks.clock.advance(hours=1)
    assert drain(url) == [] and ecs_tasks.events == []


def test_a_delivery_that_fails_is_a_warning_when_the_fake_stops_and_the_rest_go_on() -> None:
    """A target moto cannot reach fails no ECS call (under -W error a warning raised
    within RunTask would fail it after it started its task, and botocore would retry):
    the failures are warnings when the fake stops; the rule's other targets get every
    event, and no event is lost or repeated."""
    from pytest_ecs_tasks import DeliveryWarning

    fake = FakeEcs().start()  # (a warning before the stop would fail this test: -W error)
    try:
        fake.create_cluster()
        sqs = boto3.client("sqs", region_name="us-east-1")
        urls = [sqs.create_queue(QueueName=name)["QueueUrl"] for name in ("gone", "kept")]
        arns = [
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            for url in urls
        ]
        events = boto3.client("events", region_name="us-east-1")
        events.put_rule(Name="ecs-tasks", EventPattern=json.dumps(TASK_EVENTS))
        events.put_targets(
            Rule="ecs-tasks",
            Targets=[{"Id": "first", "Arn": arns[0]}, {"Id": "second", "Arn": arns[1]}],
        )
        sqs.delete_queue(QueueUrl=urls[0])  # the first target is gone
        started = fake.run_task()
        fake.clock.advance(minutes=1)
        assert len(fake.client().list_tasks()["taskArns"]) == 1
        statuses = [e["detail"]["lastStatus"] for e in fake.events_of(started)]
        assert statuses == ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING"]
        assert [m["detail"]["lastStatus"] for m in drain(urls[1])] == statuses
    finally:
        with pytest.warns(DeliveryWarning) as warned:
            fake.stop()
    messages = [str(w.message) for w in warned]
    assert len(messages) == 4
    assert all(
        re.match(
            r"pytest-ecs-tasks could not deliver the event \S+ to target 'first' of rule "
            r"'ecs-tasks': QueueDoesNotExist",
            m,
        )
        for m in messages
    )


def test_an_input_transformer_shapes_what_the_target_gets(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster()
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="statuses")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = boto3.client("events", region_name="us-east-1")
    events.put_rule(Name="statuses", EventPattern=json.dumps(TASK_EVENTS))
    events.put_targets(
        Rule="statuses",
        Targets=[
            {
                "Id": "q",
                "Arn": arn,
                "InputTransformer": {
                    "InputPathsMap": {"status": "$.detail.lastStatus"},
                    "InputTemplate": '{"status": "<status>"}',
                },
            }
        ],
    )
    ecs_tasks.run_task(runs_for=0)
    ecs_tasks.clock.advance(minutes=2)
    assert [m["status"] for m in drain(url)] == [
        e["detail"]["lastStatus"] for e in ecs_tasks.events
    ]
