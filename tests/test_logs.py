"""Container log lines in CloudWatch Logs (moto's), on the fake clock: where the
container's awslogs options say, each visible once the clock passes it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from tests.setups import fargate_network, register_fargate


def awslogs(group: str = "/ecs/job", prefix: str | None = "ecs", **more: str) -> dict[str, Any]:
    options = {"awslogs-group": group, "awslogs-region": "us-east-1", **more}
    if prefix is not None:
        options["awslogs-stream-prefix"] = prefix
    return {"logDriver": "awslogs", "options": options}


APP = {"name": "app", "image": "busybox", "essential": True, "logConfiguration": awslogs()}


def register(ecs: ECSClient, *containers: dict[str, Any]) -> None:
    register_fargate(ecs, "job", list(containers or [APP]))


def read(group: str, stream: str, region: str = "us-east-1") -> list[dict[str, Any]] | None:
    """The stream's events from the start (``None``: no such stream yet), as a log
    follower reads them."""
    logs = boto3.client("logs", region_name=region)
    try:
        answer = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ResourceNotFoundException"
        return None
    events: list[dict[str, Any]] = answer["events"]
    return events


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def test_a_follower_sees_lines_arrive_in_order_as_the_clock_passes_them(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster("jobs")
    register(ecs)
    ecs_tasks.plan_runs(runs_for="40s", times=1, logs={"app": ["one", "two", "three", "four"]})
    task = ecs.run_task(
        cluster="jobs",
        taskDefinition="job",
        launchType="FARGATE",
        networkConfiguration=fargate_network(),
    )["tasks"][0]
    task_id = task["taskArn"].rsplit("/", 1)[1]
    stream = f"ecs/app/{task_id}"  # <awslogs-stream-prefix>/<container>/<task id>
    seen: list[list[str]] = []
    while (
        ecs.describe_tasks(cluster="jobs", tasks=[task_id])["tasks"][0]["lastStatus"] != "STOPPED"
    ):
        events = read("/ecs/job", stream)
        now = ecs_tasks.clock.now()
        if events is not None:
            assert all(event["timestamp"] <= ms(now) for event in events)
            seen.append([event["message"] for event in events])
        ecs_tasks.clock.advance(seconds=5)
    described = ecs.describe_tasks(cluster="jobs", tasks=[task_id])["tasks"][0]
    started = described["startedAt"]
    # the stream exists from the container's start; lines arrive one by one, never early
    assert seen[0] == ["one"]  # the stream is made as the container starts, with its first line
    assert seen[-1] == ["one", "two", "three", "four"]
    assert sorted(seen, key=len) == seen and {len(s) for s in seen} == {1, 2, 3, 4}
    events = read("/ecs/job", stream)
    assert events is not None
    # spread over the 40 s run, the first as the container starts
    assert [e["timestamp"] - ms(started) for e in events] == [0, 10_000, 20_000, 30_000]
    assert all(e["ingestionTime"] == e["timestamp"] for e in events)
    # followers find the stream first (Dagster's reader, Airflow's): it describes as written
    logs = boto3.client("logs", region_name="us-east-1")
    [described_stream] = logs.describe_log_streams(
        logGroupName="/ecs/job", logStreamNamePrefix="ecs/app/"
    )["logStreams"]
    assert described_stream["logStreamName"] == stream
    assert described_stream["lastIngestionTime"] == events[-1]["timestamp"]


def test_lines_at_offsets_and_a_stop_that_cuts_the_rest(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    ecs_tasks.create_cluster()
    register(ecs)
    lines: list[tuple[timedelta | float | str, str]] = [
        (0, "booting"),
        ("1s", "ready"),
        (timedelta(minutes=2), "late"),
    ]
    task = ecs_tasks.run_task(task_definition="job", logs={"app": lines})
    ecs_tasks.clock.advance(minutes=1)
    described = ecs.describe_tasks(tasks=[task["taskArn"]])["tasks"][0]
    started = described["startedAt"]
    stream = f"ecs/app/{task['taskArn'].rsplit('/', 1)[1]}"
    events = read("/ecs/job", stream)
    assert events is not None
    assert [(e["message"], e["timestamp"] - ms(started)) for e in events] == [
        ("booting", 0),
        ("ready", 1000),
    ]
    ecs_tasks.stop_task(task)
    ecs_tasks.clock.advance(minutes=5)
    events = read("/ecs/job", stream)
    assert events is not None and [e["message"] for e in events] == ["booting", "ready"]


def test_each_container_logs_over_its_own_run_to_its_own_destination(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster()
    sidecar = {
        "name": "sidecar",
        "image": "envoy",
        "essential": False,
        "logConfiguration": awslogs("/ecs/sidecar", prefix=None, **{"awslogs-region": "eu-west-1"}),
    }
    register(ecs, APP, sidecar)
    task = ecs_tasks.run_task(
        task_definition="job",
        runs_for={"sidecar": "20s"},
        logs={"app": ["a1", "a2"], "sidecar": ["s1", "s2"]},
    )
    ecs_tasks.clock.advance(minutes=1)
    described = ecs.describe_tasks(tasks=[task["taskArn"]])["tasks"][0]
    started = ms(described["startedAt"])
    runtime_id = next(c["runtimeId"] for c in described["containers"] if c["name"] == "sidecar")
    # without a stream prefix the stream is named by the container's id; awslogs-region wins
    side = read("/ecs/sidecar", runtime_id, region="eu-west-1")
    assert side is not None
    assert [(e["message"], e["timestamp"] - started) for e in side] == [("s1", 0), ("s2", 10_000)]
    # the app runs until stopped: its untimed lines come a second apart
    app = read("/ecs/job", f"ecs/app/{task['taskArn'].rsplit('/', 1)[1]}")
    assert app is not None
    assert [(e["message"], e["timestamp"] - started) for e in app] == [("a1", 0), ("a2", 1000)]


def test_a_task_that_never_starts_writes_nothing(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    ecs_tasks.create_cluster()
    register(ecs)
    ecs_tasks.run_task(
        task_definition="job", fail_to_start="CannotPullContainerError", logs={"app": ["x"]}
    )
    ecs_tasks.clock.advance(minutes=5)
    logs = boto3.client("logs", region_name="us-east-1")
    assert logs.describe_log_groups()["logGroups"] == []


def test_a_container_without_awslogs_has_no_logs_to_write(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster()
    register(ecs, {"name": "app", "image": "busybox"})
    message = (
        "logs['app']: the container 'app' has no awslogs logConfiguration in its definition, "
        "so it has no logs to write; give it one (logDriver 'awslogs', options awslogs-group, "
        "awslogs-region, awslogs-stream-prefix)"
    )
    with pytest.raises(ValueError, match="no awslogs") as error:
        ecs_tasks.run_task(task_definition="job", logs={"app": ["x"]})
    assert str(error.value) == message
    with pytest.raises(ValueError, match="logs names 'db', but the task's containers are: app"):
        ecs_tasks.run_task(task_definition="job", logs={"db": ["x"]})
    assert ecs.list_tasks()["taskArns"] == []
    # planned for RunTask: the call that starts the task says so, and starts nothing
    ecs_tasks.plan_runs(logs={"app": ["x"]}, times=1)
    with pytest.raises(ClientError) as refused:
        ecs.run_task(
            taskDefinition="job", launchType="FARGATE", networkConfiguration=fargate_network()
        )
    assert refused.value.response["Error"]["Code"] == "ServerException"
    assert message in refused.value.response["Error"]["Message"]
    assert ecs.list_tasks()["taskArns"] == []


@pytest.mark.parametrize(
    ("logs", "error", "message"),
    [
        (["x"], TypeError, "logs=['x']: give a dict of container name -> lines"),
        ({"app": "x"}, TypeError, "logs['app']='x': give a list of lines"),
        ({"": ["x"]}, TypeError, "logs: the container name '' must be a non-empty str"),
        ({"app": [3]}, TypeError, "logs['app'][0]=3: a line is a str"),
        ({"app": [""]}, ValueError, "logs['app'][0]: a line cannot be empty"),
        (
            {"app": [(1, "x", 2)]},
            ValueError,
            r"logs\['app'\]\[0\]=\(1, 'x', 2\): an \(offset, text\) pair",
        ),
        ({"app": [("soon", "x")]}, ValueError, "logs['app'][0]: the offset 'soon'"),
        ({"app": [(-1, "x")]}, ValueError, "logs['app'][0]: the offset -1"),
        ({"app": ["x", (1, "y")]}, ValueError, "logs['app']: give every line as text"),
        ({"app": ["x" * 262_119]}, ValueError, "logs['app'][0]: the line is 262,119 bytes"),
    ],
)
def test_bad_lines_are_refused_where_they_are_given(
    ecs_tasks: FakeEcs, logs: Any, error: type[Exception], message: str
) -> None:
    ecs_tasks.create_cluster()
    pattern = message if "\\" in message else __import__("re").escape(message)
    with pytest.raises(error, match=pattern):
        ecs_tasks.run_task(logs=logs)
    with pytest.raises(error, match=pattern):
        ecs_tasks.plan_runs(logs=logs)
    assert ecs_tasks._service.run_plans == []


def test_the_group_is_made_when_missing(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    ecs_tasks.create_cluster()
    register(ecs)
    logs = boto3.client("logs", region_name="us-east-1")
    ecs_tasks.run_task(task_definition="job", logs={"app": ["x"]})
    ecs_tasks.clock.advance(minutes=1)
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/ecs/job"]


def test_lines_wait_for_the_clock_even_when_written_long_after(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster()
    register(ecs)
    task = ecs_tasks.run_task(task_definition="job", runs_for="1h", logs={"app": ["a", "b", "c"]})
    ecs_tasks.clock.advance(hours=2)  # one move past every line: all written, in order
    events = read("/ecs/job", f"ecs/app/{task['taskArn'].rsplit('/', 1)[1]}")
    assert events is not None and [e["message"] for e in events] == ["a", "b", "c"]
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps) and stamps[1] - stamps[0] == 20 * 60 * 1000
    assert datetime.fromtimestamp(stamps[-1] / 1000, timezone.utc) < ecs_tasks.clock.now()


def test_the_report_says_where_each_task_logs_and_how_many_events(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    from pytest_ecs_tasks._report import state_report

    ecs_tasks.create_cluster()
    register(ecs)
    task = ecs_tasks.run_task(task_definition="job", logs={"app": ["a", "b"]})
    ecs_tasks.clock.advance(minutes=1)
    report = state_report(ecs_tasks).splitlines()
    task_id = task["taskArn"].rsplit("/", 1)[1]
    assert f"    logs: app -> us-east-1 /ecs/job ecs/app/{task_id} (2 lines)" in report
    assert "events: 4" in report  # PROVISIONING, PENDING, ACTIVATING, RUNNING
