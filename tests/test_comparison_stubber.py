"""The rows B1 to B3 of docs/comparison.md: botocore's Stubber, against the fake."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ParamValidationError
from botocore.stub import Stubber
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from tests.comparison_fixtures import fixture_no_default_amis, fixture_sleeps  # noqa: F401  (fixtures)
from tests.comparison_setups import (
    MOTO_5_2,
    REGION,
    claim,
)

pytestmark = MOTO_5_2

# --- botocore's Stubber --------------------------------------------------------------


def stubbed() -> tuple[ECSClient, Stubber]:
    client = boto3.client(
        "ecs", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    return client, Stubber(client)


def stub_task(arn: str, last_status: str, **more: Any) -> dict[str, Any]:
    return {"tasks": [{"taskArn": arn, "lastStatus": last_status, **more}], "failures": []}


@claim("B1")
def test_b1_the_stubber_checks_shapes_and_types_only() -> None:
    client, stubber = stubbed()
    impossible = stub_task(
        "arn:t/1",
        "RUNNING",
        stoppedAt=datetime(2024, 1, 1, tzinfo=timezone.utc),  # a RUNNING task, stopped
        stopCode="TaskFailedToStart",
        containers=[{"name": "app", "exitCode": 0}],  # an exit code, though it never started
    )
    stubber.add_response("describe_tasks", impossible)
    with stubber:
        assert client.describe_tasks(tasks=["arn:t/1"])["tasks"][0]["stopCode"]
    with pytest.raises(ParamValidationError):  # a type it does check
        stubber.add_response("describe_tasks", stub_task("arn:t/1", "RUNNING", cpu=256))
    with FakeEcs() as fake:
        fake.create_cluster()
        running = fake.client().describe_tasks(tasks=[fake.run_task()["taskArn"]])["tasks"][0]
        assert not {"stoppedAt", "stopCode"} & set(running)


@claim("B2")
def test_b2_the_stubber_answers_in_queued_order_whatever_is_asked() -> None:
    client, stubber = stubbed()
    stubber.add_response("describe_tasks", stub_task("arn:t/a", "RUNNING"))
    with stubber:
        assert client.describe_tasks(tasks=["arn:t/b"])["tasks"][0]["taskArn"] == "arn:t/a"
    with FakeEcs() as fake:
        fake.create_cluster()
        first, second = fake.run_task(), fake.run_task()
        answer = fake.client().describe_tasks(tasks=[second["taskArn"]])
        assert [t["taskArn"] for t in answer["tasks"]] == [second["taskArn"]] != [first["taskArn"]]


@claim("B3")
def test_b3_waiters_sleep_for_real_under_the_stubber(sleeps: list[float]) -> None:
    client, stubber = stubbed()
    stubber.add_response("describe_tasks", stub_task("arn:t/1", "RUNNING"))
    stubber.add_response("describe_tasks", stub_task("arn:t/1", "STOPPED"))
    with stubber:
        client.get_waiter("tasks_stopped").wait(tasks=["arn:t/1"])
    assert sleeps == [6]
    sleeps.clear()
    with FakeEcs() as fake:
        fake.create_cluster()
        task = fake.run_task(runs_for=60)
        fake.client().get_waiter("tasks_stopped").wait(tasks=[task["taskArn"]])
        assert sleeps == []
