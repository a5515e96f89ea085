"""Dagster Pipes' ECS client (dagster-aws ``PipesECSClient``), unchanged, against the fake.

``PipesECSClient.run`` reads the task definition, runs the task with the Pipes
context in each container's environment (``overrides``), waits for it with
boto3's ``tasks_stopped`` waiter, and reads the Pipes messages the container
printed from CloudWatch Logs, at ``<awslogs-stream-prefix>/<container>/<task id>``
in the container definition's ``awslogs-group``. Here the container's lines are
planned with ``plan_runs(logs=...)``: the fake writes them to moto's CloudWatch
Logs as the clock passes them, so the asset materializes with the metadata the
"container" reported. Nothing of Dagster's is mocked, except where a test says why.

Dagster is never a dependency of this project: without it, this module is skipped.
(Checked with dagster 1.13.27, dagster-aws 0.29.27, dagster-pipes 1.13.27.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import boto3
import pytest
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from tests.setups import fargate_network, register_fargate

ecs_pipes = pytest.importorskip("dagster_aws.pipes")
dg = pytest.importorskip("dagster")
dagster_pipes = pytest.importorskip("dagster_pipes")
pipes_utils = pytest.importorskip("dagster._core.pipes.utils")

pytestmark = [
    # Dagster warns about its own deprecated and preview APIs as it runs a Pipes session
    # (AssetExecutionContext.run_id, PipesMessageReader.expected_writer_count); the
    # project's filterwarnings = error would turn those into step failures.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:dagster.*"),
    pytest.mark.filterwarnings("ignore::dagster.PreviewWarning"),
    pytest.mark.filterwarnings("ignore::dagster.BetaWarning"),
    # PipesCloudWatchMessageReader reads from startTime = its own construction time on the
    # wall clock (datetime.now()), so the planned lines must be stamped after it: start the
    # fake clock at the wall clock's time (the default, 2024-01-01, is filtered out).
    pytest.mark.ecs_tasks(start="now"),
]

# The lines dagster-pipes' default writer prints to stdout in the container, one JSON
# object a line (json.dumps of {"__dagster_pipes_version": "0.1", "method", "params"}):
# what open_dagster_pipes() prints for pipes.log.info("hello") and
# pipes.report_asset_materialization(metadata={"rows": 42}) in the asset "my_asset".
OPENED = '{"__dagster_pipes_version": "0.1", "method": "opened", "params": {"extras": {}}}'
LOGGED = (
    '{"__dagster_pipes_version": "0.1", "method": "log", '
    '"params": {"message": "hello", "level": "INFO"}}'
)
MATERIALIZED = (
    '{"__dagster_pipes_version": "0.1", "method": "report_asset_materialization", '
    '"params": {"asset_key": "my_asset", "data_version": null, '
    '"metadata": {"rows": {"raw_value": 42, "type": "__infer__"}}}}'
)
CLOSED = '{"__dagster_pipes_version": "0.1", "method": "closed", "params": {}}'
#: What the container prints: a plain line among the messages is not one (no JSON).
PRINTED = [OPENED, "loading the rows", LOGGED, MATERIALIZED, CLOSED]


def awslogs(group: str, prefix: str) -> dict[str, Any]:
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": group,
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": prefix,
            "awslogs-create-group": "true",
        },
    }


APP = {
    "name": "app",
    "image": "busybox",
    "essential": True,
    "logConfiguration": awslogs("/ecs/job", "ecs"),
}
SIDECAR = {
    "name": "sidecar",
    "image": "envoy",
    "essential": False,
    "logConfiguration": awslogs("/ecs/sidecar", "side"),
}


@pytest.fixture
def job(ecs_tasks: FakeEcs, ecs: ECSClient) -> str:
    """The ``pipes`` cluster and the Fargate task definition ``job:1`` (one container, ``app``)."""
    ecs_tasks.create_cluster("pipes")
    register_fargate(ecs, "job", [APP])
    return "job"


@pytest.fixture(autouse=True)
def no_cloudwatch_log_forwarding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pipes messages are read by the message reader's own thread; besides it, the client
    adds a PipesCloudWatchLogReader per container that forwards non-Pipes lines to stdout.
    That reader's thread (dagster_aws/pipes/message_readers.py, tail_cloudwatch_events)
    looks at whether the session closed only after a get_log_events call that returns
    new events. Started before the session closes (when the run outlasts the logs
    thread's once-a-wall-second poll), it reads every line, then polls get_log_events
    without pause until the fake stops and its client raises StaleClientError: an
    unhandled thread exception, an error under filterwarnings = error. (Upstream:
    dagster-io/dagster#30032, #31226, PR #33417.) Not adding these readers leaves the
    Pipes messages, and so everything these tests check, as they are."""
    monkeypatch.setattr(
        ecs_pipes.PipesCloudWatchMessageReader, "add_log_reader", lambda self, reader: None
    )


@pytest.fixture
def quick_give_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """When no ``closed`` message comes (a task that never starts), Dagster's messages
    thread keeps looking for 10 s of wall time after the session closes; 0 makes it 1 s."""
    monkeypatch.setattr(pipes_utils, "WAIT_FOR_LOGS_AFTER_EXECUTION_INTERVAL", 0)


def pipes_client(ecs_tasks: FakeEcs) -> Any:
    """A PipesECSClient on the fake's ECS and moto's CloudWatch Logs (clients made in the test)."""
    client = ecs_pipes.PipesECSClient(
        client=boto3.client("ecs", region_name="us-east-1"),
        message_reader=ecs_pipes.PipesCloudWatchMessageReader(
            client=boto3.client("logs", region_name="us-east-1")
        ),
    )
    # The message reader has just taken the wall clock's time as its startTime; the lines
    # are stamped on the fake clock, which started at the test's start: move it past that.
    ecs_tasks.clock.advance(minutes=1)
    return client


def my_asset(**run: Any) -> Any:
    """The asset ``my_asset``: runs ``job`` in ``pipes`` through the ``pipes_ecs_client``
    resource and returns what the container reported."""

    @dg.asset(name="my_asset", required_resource_keys={"pipes_ecs_client"})
    # `context` bare: Dagster compares the annotation with its context classes, and with
    # `from __future__ import annotations` it would see a string and refuse it
    def asset(context):  # type: ignore[no-untyped-def]
        return context.resources.pipes_ecs_client.run(
            context=context,
            run_task_params={
                "cluster": "pipes",
                "taskDefinition": "job",
                "launchType": "FARGATE",
                "networkConfiguration": fargate_network(),
            },
            **run,
        ).get_materialize_result()

    return asset


def run_task_call(ecs_tasks: FakeEcs) -> Any:
    (call,) = [c for c in ecs_tasks.calls if c.operation == "RunTask"]
    return call


def test_pipes_messages_in_the_container_log_materialize_the_asset_with_their_metadata(
    ecs_tasks: FakeEcs, job: str
) -> None:
    ecs_tasks.plan_runs(runs_for="30s", exit_code=0, logs={"app": PRINTED})
    before, wall = ecs_tasks.clock.now(), time.monotonic()

    result = dg.materialize([my_asset()], resources={"pipes_ecs_client": pipes_client(ecs_tasks)})

    assert result.success
    (materialization,) = result.asset_materializations_for_node("my_asset")
    assert materialization.metadata["rows"] == dg.IntMetadataValue(42)
    # the client adds the task's console URL to what the container reported
    task_id = run_task_call(ecs_tasks).response["tasks"][0]["taskArn"].rsplit("/", 1)[1]
    assert materialization.metadata["AWS ECS Task URL"] == dg.UrlMetadataValue(
        f"https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/pipes/tasks/{task_id}"
    )
    # the waiter (Delay 6) polled in virtual time; Dagster's reader threads poll once a
    # wall second (time.sleep(1) in dagster._core.pipes.utils), so the run takes a few
    # wall seconds, not the task's 30 s and more
    polls = [c for c in ecs_tasks.calls if c.operation == "DescribeTasks"]
    assert len(polls) >= 2
    assert (ecs_tasks.clock.now() - before).total_seconds() >= 30
    assert time.monotonic() - wall < 20


def test_the_context_goes_to_every_container_in_overrides_and_the_run_in_tags(
    ecs_tasks: FakeEcs, job: str
) -> None:
    ecs_tasks.plan_runs(runs_for="30s", logs={"app": PRINTED})

    result = dg.materialize([my_asset()], resources={"pipes_ecs_client": pipes_client(ecs_tasks)})

    params = run_task_call(ecs_tasks).params
    (override,) = params["overrides"]["containerOverrides"]
    environment = {e["name"]: e["value"] for e in override["environment"]}
    assert override["name"] == "app"
    assert set(environment) == {"DAGSTER_PIPES_CONTEXT", "DAGSTER_PIPES_MESSAGES"}
    # the messages go to the container's stdout, which awslogs sends to CloudWatch Logs
    assert dagster_pipes.decode_param(environment["DAGSTER_PIPES_MESSAGES"]) == {"stdio": "stdout"}
    # PipesEnvContextInjector: the whole context, under "data"
    context = dagster_pipes.decode_param(environment["DAGSTER_PIPES_CONTEXT"])
    assert context["data"]["asset_keys"] == ["my_asset"]
    assert {"key": "dagster/run-id", "value": result.run_id} in params["tags"]


def test_the_planned_lines_are_what_dagster_pipes_prints_in_the_container(
    ecs_tasks: FakeEcs, job: str
) -> None:
    """Guards the constants above: the RunTask overrides' environment, handed to the real
    dagster-pipes writer in a subprocess (the container's part), prints exactly them."""
    ecs_tasks.plan_runs(runs_for="30s", logs={"app": PRINTED})
    dg.materialize([my_asset()], resources={"pipes_ecs_client": pipes_client(ecs_tasks)})
    (override,) = run_task_call(ecs_tasks).params["overrides"]["containerOverrides"]
    script = (
        "from dagster_pipes import open_dagster_pipes\n"
        "with open_dagster_pipes() as pipes:\n"
        "    pipes.log.info('hello')\n"
        "    pipes.report_asset_materialization(metadata={'rows': 42})\n"
    )
    environment = {e["name"]: e["value"] for e in override["environment"]}

    printed = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()

    assert printed == [OPENED, LOGGED, MATERIALIZED, CLOSED]
    assert json.loads(OPENED)[dagster_pipes.PIPES_PROTOCOL_VERSION_FIELD] == (
        dagster_pipes.PIPES_PROTOCOL_VERSION
    )


def test_a_container_that_exits_non_zero_fails_the_asset_though_it_reported(
    ecs_tasks: FakeEcs, job: str
) -> None:
    ecs_tasks.plan_runs(runs_for="30s", exit_code=3, logs={"app": PRINTED})

    # materialize() re-raises what the asset raised (raise_on_error=True)
    with pytest.raises(RuntimeError, match="non-zero exit code") as raised:
        dg.materialize([my_asset()], resources={"pipes_ecs_client": pipes_client(ecs_tasks)})

    # the client names the failed containers by runtimeId (DescribeTasks must give one)
    task_id = run_task_call(ecs_tasks).response["tasks"][0]["taskArn"].rsplit("/", 1)[1]
    (stopped,) = ecs_tasks.client().describe_tasks(cluster="pipes", tasks=[task_id])["tasks"]
    (container,) = stopped["containers"]
    assert container["exitCode"] == 3
    assert str(raised.value) == (
        f"Some ECS containers finished with non-zero exit code:\n['{container['runtimeId']}']"
    )


@pytest.mark.usefixtures("quick_give_up")
def test_a_task_that_fails_to_start_fails_the_asset_with_its_stopped_reason(
    ecs_tasks: FakeEcs, job: str
) -> None:
    reason = "CannotPullContainerError: pull image manifest has been retried 5 time(s)"
    ecs_tasks.plan_runs(fail_to_start=reason)

    with pytest.raises(RuntimeError) as raised:
        dg.materialize([my_asset()], resources={"pipes_ecs_client": pipes_client(ecs_tasks)})

    assert str(raised.value) == f"ECS task failed to start: {reason}"


def test_with_two_containers_the_messages_come_from_the_pipes_container_only(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster("pipes")
    register_fargate(ecs, "job", [APP, SIDECAR])
    other = MATERIALIZED.replace('"raw_value": 42', '"raw_value": 7')
    # the sidecar exits 0 before the app: one still running when the essential app exits
    # is stopped (exit code 143), and the client fails the asset for any non-zero exit
    ecs_tasks.plan_runs(
        runs_for={"app": "30s", "sidecar": "20s"},
        logs={"app": PRINTED, "sidecar": [OPENED, other, CLOSED]},
    )

    result = dg.materialize(
        [my_asset(pipes_container_name="app")],
        resources={"pipes_ecs_client": pipes_client(ecs_tasks)},
    )

    (materialization,) = result.asset_materializations_for_node("my_asset")
    assert materialization.metadata["rows"] == dg.IntMetadataValue(42)
    # both containers got the context
    overrides = run_task_call(ecs_tasks).params["overrides"]["containerOverrides"]
    assert sorted(o["name"] for o in overrides) == ["app", "sidecar"]


@pytest.mark.usefixtures("quick_give_up")
def test_with_two_containers_and_no_pipes_container_the_task_is_left_running(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster("pipes")
    register_fargate(ecs, "job", [APP, SIDECAR])

    with pytest.raises(dg.DagsterInvariantViolationError, match="pipes_container_name must be set"):
        dg.materialize([my_asset()], resources={"pipes_ecs_client": pipes_client(ecs_tasks)})

    # the check comes after RunTask: the task was started and is never waited for or stopped
    assert [c.operation for c in ecs_tasks.calls] == ["RunTask"]
    (task_arn,) = ecs.list_tasks(cluster="pipes")["taskArns"]
    (task,) = ecs.describe_tasks(cluster="pipes", tasks=[task_arn])["tasks"]
    assert task["desiredStatus"] == "RUNNING"
