"""DescribeTasks through a real boto3 client: every row of the facts file."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs, TaskFactory
from pytest_ecs_tasks._clock import Clock

from .consistency import assert_consistent_task, assert_valid_response

ACCOUNT = "123456789012"


def describe(client: ECSClient, **kwargs: Any) -> dict[str, Any]:
    response: dict[str, Any] = dict(client.describe_tasks(**kwargs))
    response.pop("ResponseMetadata")
    assert_valid_response("DescribeTasks", response)
    for task in response["tasks"]:
        assert_consistent_task(task)
    return response


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    r = exc.value.response
    return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]


def test_found_by_arn_and_by_id(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    task = ecs_tasks.run_task()
    arn = task["taskArn"]
    task_id = arn.rsplit("/", 1)[1]
    assert len(task_id) == 32
    by_arn = describe(ecs, tasks=[arn])
    by_id = describe(ecs, tasks=[task_id])
    assert by_arn == by_id
    assert [t["taskArn"] for t in by_arn["tasks"]] == [arn]
    assert by_arn["failures"] == []


def test_cluster_by_name_or_arn_and_default_when_absent(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    arn = ecs_tasks.run_task()["taskArn"]
    cluster_arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/default"
    for cluster in ({}, {"cluster": "default"}, {"cluster": cluster_arn}):
        assert [t["taskArn"] for t in describe(ecs, tasks=[arn], **cluster)["tasks"]] == [arn]


def test_unknown_id_is_missing_with_built_arn_and_no_detail(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster("prod")
    response = describe(ecs, cluster="prod", tasks=["0123456789abcdef0123456789abcdef"])
    assert response == {
        "tasks": [],
        "failures": [
            {
                "arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/prod/0123456789abcdef0123456789abcdef",
                "reason": "MISSING",
            }
        ],
    }


def test_missing_echoes_the_arn_given(ecs: ECSClient) -> None:
    arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/0123456789abcdef0123456789abcdef"  # old format
    assert describe(ecs, tasks=[arn])["failures"] == [{"arn": arn, "reason": "MISSING"}]


def test_request_order_kept_and_mixed_with_failures(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    first, second = ecs_tasks.run_task()["taskArn"], ecs_tasks.run_task()["taskArn"]
    missing = "ffffffffffffffffffffffffffffffff"
    response = describe(ecs, tasks=[second, missing, first])
    assert [t["taskArn"] for t in response["tasks"]] == [second, first]
    assert [f["arn"].rsplit("/", 1)[1] for f in response["failures"]] == [missing]


def test_tasks_are_scoped_to_their_cluster(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    ecs_tasks.create_cluster("other")
    arn = ecs_tasks.run_task("other")["taskArn"]
    task_id = arn.rsplit("/", 1)[1]
    assert describe(ecs, tasks=[task_id])["failures"] == [
        {"arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/default/{task_id}", "reason": "MISSING"}
    ]
    assert describe(ecs, tasks=[arn])["failures"] == [{"arn": arn, "reason": "MISSING"}]
    assert len(describe(ecs, cluster="other", tasks=[task_id])["tasks"]) == 1


def test_tasks_are_scoped_to_their_region(ecs_tasks: FakeEcs) -> None:
    arn = ecs_tasks.run_task()["taskArn"]
    west = boto3.client("ecs", region_name="us-west-2")
    assert describe(west, tasks=[arn])["failures"] == [{"arn": arn, "reason": "MISSING"}]
    task_id = arn.rsplit("/", 1)[1]
    assert describe(west, tasks=[task_id])["failures"][0]["arn"].startswith(
        "arn:aws:ecs:us-west-2:"
    )


def test_old_format_arn_of_a_task_is_found(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    arn = ecs_tasks.run_task()["taskArn"]
    task_id = arn.rsplit("/", 1)[1]
    old = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/{task_id}"
    assert [t["taskArn"] for t in describe(ecs, tasks=[old])["tasks"]] == [arn]


@pytest.mark.ecs_tasks(long_arn_format=False)
def test_old_arn_format_setting(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    arn = ecs_tasks.run_task()["taskArn"]
    assert arn.count("/") == 1
    assert len(arn.rsplit("/", 1)[1]) == 36  # old-format ARNs carry UUID ids
    assert describe(ecs, tasks=[arn])["tasks"][0]["containers"][0]["containerArn"].count("/") == 1


def test_tags_only_with_include(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    arn = ecs_tasks.run_task(tags={"team": "data"})["taskArn"]
    assert describe(ecs, tasks=[arn])["tasks"][0]["tags"] == []
    assert describe(ecs, tasks=[arn], include=["TAGS"])["tasks"][0]["tags"] == [
        {"key": "team", "value": "data"}
    ]


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        ({"tasks": []}, "InvalidParameterException", "Tasks cannot be empty."),
        (
            {"tasks": ["a"] * 101},
            "InvalidParameterException",
            "taskIds can have at most 100 items.",
        ),
        ({"tasks": ["x"], "cluster": "nope"}, "ClusterNotFoundException", "Cluster not found."),
        (
            {"tasks": ["x"], "include": ["TAGS", "SETTINGS"]},
            "InvalidParameterException",
            "Invalid include value: SETTINGS. Valid values are: TAGS.",
        ),
        ({"tasks": ["f" * 37]}, "InvalidParameterException", "taskId longer than 36."),
        (
            {"tasks": ["arn:aws:ecs:us-east-1:123456789012:cluster/default"]},
            "InvalidParameterException",
            "Invalid identifier: arn:aws:ecs:us-east-1:123456789012:cluster/default",
        ),
    ],
)
def test_request_errors(ecs: ECSClient, kwargs: dict[str, Any], code: str, message: str) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.describe_tasks(**kwargs)
    assert error_of(exc) == (code, message, 400)


def test_exactly_100_tasks_is_fine(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    arns = [ecs_tasks.run_task()["taskArn"] for _ in range(100)]
    assert len(describe(ecs, tasks=arns)["tasks"]) == 100


def test_stopped_task_expires_after_retention(
    ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient
) -> None:
    arn = ecs_tasks.run_task(runs_for=60)["taskArn"]
    ecs_clock.advance(minutes=5)
    (task,) = describe(ecs, tasks=[arn])["tasks"]
    assert task["lastStatus"] == "STOPPED"
    stopped_at = task["stoppedAt"]
    ecs_clock.move_to(stopped_at + timedelta(hours=1))
    assert len(describe(ecs, tasks=[arn])["tasks"]) == 1  # at least one hour
    ecs_clock.advance(seconds=1)
    assert describe(ecs, tasks=[arn]) == {
        "tasks": [],
        "failures": [{"arn": arn, "reason": "MISSING"}],
    }


@pytest.mark.ecs_tasks(retention="10m")
def test_retention_setting(ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient) -> None:
    assert ecs_tasks.retention == timedelta(minutes=10)
    arn = ecs_tasks.run_task(runs_for=0)["taskArn"]
    ecs_clock.advance(minutes=12)
    assert describe(ecs, tasks=[arn])["failures"][0]["reason"] == "MISSING"


def test_added_record_is_served_as_given_and_expires(
    ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient
) -> None:
    record = TaskFactory(stopped=True, now=ecs_clock.now())
    ecs_tasks.add_task(record)
    (served,) = describe(ecs, tasks=[record["taskArn"]])["tasks"]
    assert served == record
    ecs_clock.move_to(record["stoppedAt"] + timedelta(hours=1, seconds=1))
    assert describe(ecs, tasks=[record["taskArn"]])["failures"][0]["reason"] == "MISSING"


def test_eventual_consistency_mode(ecs_tasks: FakeEcs, ecs_clock: Clock, ecs: ECSClient) -> None:
    ecs_tasks.eventual_consistency = timedelta(seconds=1)
    arn = ecs_tasks.run_task()["taskArn"]
    assert describe(ecs, tasks=[arn])["failures"] == [{"arn": arn, "reason": "MISSING"}]
    ecs_clock.advance(seconds=1)
    assert len(describe(ecs, tasks=[arn])["tasks"]) == 1


@pytest.mark.ecs_tasks(invalid_task_ids="missing", task_order="created")
def test_inferred_behaviours_can_be_switched(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    first, second = ecs_tasks.run_task()["taskArn"], ecs_tasks.run_task()["taskArn"]
    response = describe(ecs, tasks=[second, "f" * 37, first])
    assert [t["taskArn"] for t in response["tasks"]] == [first, second]  # created order
    assert response["failures"] == [
        {"arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/default/{'f' * 37}", "reason": "MISSING"}
    ]


@pytest.mark.ecs_tasks(long_arn_format=False)
def test_missing_arn_follows_the_arn_format(ecs: ECSClient) -> None:
    task_id = "0123456789abcdef0123456789abcdef"
    assert describe(ecs, tasks=[task_id])["failures"] == [
        {"arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/{task_id}", "reason": "MISSING"}
    ]


def test_bad_inferred_setting(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecs_tasks(task_order="random")
        def test_x(ecs_tasks):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*ecs_tasks: task_order='random': give one of 'request', 'created'"]
    )
