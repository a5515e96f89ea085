"""Where an error comes out: a bug in the fake raises as it is from the test's own
Python API call, and answers a service-like 500 to a client; incomplete records
are refused where they are given."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_ecs_tasks import FakeEcs, TaskFactory
from pytest_ecs_tasks._service.core import ServiceCore

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def _broken(self: ServiceCore, region_state: Any) -> None:
    raise ZeroDivisionError("the fake broke")


@pytest.fixture
def broken_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEcs]:
    """A fake whose cluster bookkeeping has a bug (every region's first use meets it)."""
    with FakeEcs() as fake:
        monkeypatch.setattr(ServiceCore, "_clusters_changed", _broken)
        yield fake


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda fake: fake.create_cluster("prod"), id="create_cluster"),
        pytest.param(lambda fake: fake.run_task(), id="run_task"),
        pytest.param(lambda fake: fake.add_task(), id="add_task"),
    ],
)
def test_a_bug_during_a_python_api_call_raises_the_original_exception(
    broken_fake: FakeEcs, call: Any
) -> None:
    with pytest.raises(ZeroDivisionError, match="the fake broke") as error:
        call(broken_fake)

    frames = [entry.name for entry in error.traceback]
    assert "_broken" in frames  # with its frames, down to where it broke
    assert broken_fake.calls == []  # the test's own calls are not client calls


def test_the_same_bug_during_a_boto3_call_answers_a_500_server_exception(
    broken_fake: FakeEcs,
) -> None:
    client = boto3.client("ecs", region_name="us-east-1", config=NO_RETRIES)

    with pytest.raises(ClientError) as error:
        client.create_cluster(clusterName="prod")

    assert error.value.response["Error"] == {
        "Code": "ServerException",
        "Message": "pytest-ecs-tasks internal error: ZeroDivisionError: the fake broke",
    }
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    [call] = broken_fake.calls  # the call the client made, and what it was answered
    assert call.operation == "CreateCluster"
    assert call.error is not None and call.error.code == "ServerException"


# -- add_task checks the whole record at the call -------------------------------------------------

MEMBERS = (
    "taskArn",
    "clusterArn",
    "taskDefinitionArn",
    "lastStatus",
    "desiredStatus",
    "createdAt",
    "containers",
    "version",
)


@pytest.mark.parametrize("member", MEMBERS)
def test_add_task_refuses_a_record_missing_what_every_task_has(
    ecs_tasks: FakeEcs, member: str
) -> None:
    record: dict[str, Any] = dict(TaskFactory(now=ecs_tasks.clock.now()))
    del record[member]

    with pytest.raises(ValueError, match=f"the record has no {member};"):
        ecs_tasks.add_task(record)

    assert ecs_tasks._service.region_state(ecs_tasks.region).tasks == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lastStatus": "SLEEPING"}, "add_task(): lastStatus='SLEEPING'; valid: PROVISIONING, "),
        (
            {"desiredStatus": "PENDING"},
            "add_task(): desiredStatus='PENDING'; valid: RUNNING, STOPPED",
        ),
        ({"startedAt": datetime(2024, 1, 1, 11, 59)}, "add_task(): the record's startedAt "),
        ({"createdAt": "yesterday"}, "add_task(): "),
    ],
)
def test_add_task_refuses_an_inconsistent_record(
    ecs_tasks: FakeEcs, change: dict[str, Any], message: str
) -> None:
    record = {**TaskFactory(now=ecs_tasks.clock.now()), **change}

    with pytest.raises(ValueError, match=r"^add_task\(\): ") as error:
        ecs_tasks.add_task(record)

    assert str(error.value).startswith(message)


def test_add_task_refuses_a_stopped_record_without_stopped_at(ecs_tasks: FakeEcs) -> None:
    record: dict[str, Any] = dict(TaskFactory(stopped=True, now=ecs_tasks.clock.now()))
    del record["stoppedAt"]

    with pytest.raises(ValueError, match="stoppedAt") as error:
        ecs_tasks.add_task(record)

    assert str(error.value) == (
        "add_task(): a STOPPED record has a stoppedAt (the service sets it when the task "
        "stops; retention counts from it)"
    )


def test_add_task_says_create_the_cluster_only_when_it_is_missing(ecs_tasks: FakeEcs) -> None:
    record = TaskFactory(cluster="prod", now=ecs_tasks.clock.now())

    with pytest.raises(ValueError, match="create it first") as missing:
        ecs_tasks.add_task(record, cluster="prod")
    with pytest.raises(ValueError, match="Invalid cluster ARN") as malformed:
        ecs_tasks.add_task(record, cluster="arn:aws:ecs:us-east-1:123456789012:task/prod")

    assert str(missing.value) == (
        "there is no active cluster 'prod' in us-east-1: create it first with "
        "ecs_tasks.create_cluster('prod')"
    )
    assert str(malformed.value) == (
        "cluster='arn:aws:ecs:us-east-1:123456789012:task/prod': Invalid cluster ARN: "
        "arn:aws:ecs:us-east-1:123456789012:task/prod"
    )
