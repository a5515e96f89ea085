"""The factories' arguments are checked where they are given: a bad one raises an
error that names it, shows the value and says what is valid."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_ecs_tasks import (
    ContainerFactory,
    DescribeTasksResponseFactory,
    FailureFactory,
    TaskFactory,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef"

#: (TaskFactory's keyword arguments, the error, fragments of its message).
BAD_TASK_ARGUMENTS: list[tuple[dict[str, Any], type[Exception], tuple[str, ...]]] = [
    # tags: a dict or boto3's list of {"key", "value"}
    ({"tags": "team=data"}, TypeError, ("tags='team=data'", "is a str", "a dict like")),
    ({"tags": 3}, TypeError, ("tags=3", "a list like [{'key': 'team', 'value': 'data'}]")),
    ({"tags": [{"value": "data"}]}, ValueError, ("tags[0]={'value': 'data'}", "has no 'key'")),
    ({"tags": [("team", "data")]}, TypeError, ("tags[0]=('team', 'data')", "each tag is a dict")),
    ({"tags": [{"key": 1, "value": "data"}]}, TypeError, ("tags[0]", "tag key 1", "not a str")),
    ({"tags": {"team": 5}}, TypeError, ("tags['team']", "value 5 of tag 'team'", "not a str")),
    ({"tags": {"team": None}}, TypeError, ("tags['team']", "value None", "not a str")),
    ({"tags": [{"key": "", "value": "x"}]}, ValueError, ("tags[0]", "''", "1 to 128 characters")),
    ({"tags": {"team": "x" * 257}}, ValueError, ("tags['team']", "over 256 characters")),
    (
        {"tags": [{"key": "team", "value": "x", "owner": "me"}]},
        ValueError,
        ("tags[0]=", "unknown member 'owner'", "a tag has 'key' and 'value'"),
    ),
    (
        {"tags": [{"key": "team", "value": "a"}, {"key": "team", "value": "b"}]},
        ValueError,
        ("tags[1]", "'team' is given twice"),
    ),
    ({"tags": {f"k{i}": "v" for i in range(51)}}, ValueError, ("51 tags", "at most 50")),
    # where the task lives
    ({"cluster": 123}, TypeError, ("cluster=123", "is an int", "1 to 255 letters")),
    ({"cluster": ""}, ValueError, ("cluster=''", "1 to 255 letters, digits, hyphens")),
    ({"region": None}, TypeError, ("region", "None", "a str like 'us-east-1'")),
    ({"region": "Mars-1"}, ValueError, ("region", "'Mars-1'", "like 'us-east-1'")),
    ({"account_id": 123456789012}, TypeError, ("account_id", "123456789012 (int)", "a str")),
    ({"account_id": "1234"}, ValueError, ("account_id", "'1234'", "12 digits")),
    ({"taskArn": 5}, ValueError, ("taskArn=5", "is not a task ARN", "arn:aws:ecs:")),
    ({"old_arn_format": True, "long_arn_format": "no"}, TypeError, ("long_arn_format='no'",)),
    # the moment the record describes
    ({"now": "yesterday"}, ValueError, ("now='yesterday'", "ISO 8601")),
    ({"now": [2025]}, TypeError, ("now=[2025]", "a datetime", "epoch seconds")),
    ({"now": True}, TypeError, ("now=True", "a datetime")),
    ({"now": datetime.min}, ValueError, ("now=datetime.datetime(1, 1, 1, 0, 0)", "out of range")),
    ({"now": datetime.max}, ValueError, ("now=datetime.datetime(9999", "out of range")),
    # lifecycle members
    ({"lastStatus": "running"}, ValueError, ("lastStatus='running'", "valid: PROVISIONING")),
    ({"lastStatus": None}, ValueError, ("lastStatus=None", "valid: PROVISIONING")),
    ({"lastStatus": 3}, ValueError, ("lastStatus=3", "RUNNING")),
    ({"stopCode": 5}, ValueError, ("stopCode=5", "valid: TaskFailedToStart")),
    ({"desiredStatus": "DONE"}, ValueError, ("desiredStatus='DONE'", "valid: RUNNING, STOPPED")),
    ({"launchType": None}, ValueError, ("launchType=None", "valid: FARGATE, EC2")),
    ({"stopped": True, "stoppedReason": 5}, TypeError, ("parameter stoppedReason", "value: 5")),
    ({"exit_code": "1"}, TypeError, ("exit_code='1'", "an int")),
    ({"exit_code": True}, TypeError, ("exit_code=True", "an int")),
    # other Task members: the model's types and enums
    (
        {"startedBy": 123},
        TypeError,
        ("parameter startedBy", "value: 123", "valid types: <class 'str'>"),
    ),
    ({"group": ["web"]}, TypeError, ("parameter group", "['web']", "valid types: <class 'str'>")),
    ({"cpu": 256}, TypeError, ("cpu=256", "as strings", "cpu='256'")),
    ({"memory": 512}, TypeError, ("memory=512", "memory='512'")),
    ({"version": "4"}, TypeError, ("parameter version", "valid types: <class 'int'>")),
    ({"attachments": "eni"}, TypeError, ("parameter attachments", "value: eni")),
    ({"healthStatus": "OK"}, ValueError, ("healthStatus='OK'", "HEALTHY, UNHEALTHY, UNKNOWN")),
    ({"connectivity": "UP"}, ValueError, ("connectivity='UP'", "CONNECTED, DISCONNECTED")),
    ({"clusterArn": 5}, ValueError, ("clusterArn=5", "not an ARN")),
    ({"colour": "red"}, ValueError, ("unknown Task member 'colour'", "lastStatus, stopCode")),
    # containers: partial Container records or container definitions
    ({"containers": {"name": "app"}}, TypeError, ("containers must be a list of dicts",)),
    ({"containers": ["app"]}, TypeError, ("containers must be a list of dicts", "['app']")),
    ({"containers": [{"name": 5}]}, TypeError, ("containers[0].name", "value: 5")),
    (
        {"containers": [{"name": "app"}, {"name": "app"}]},
        ValueError,
        ("containers[1]", "'app' is taken by containers[0]"),
    ),
    (
        {"stopped": True, "containers": [{"name": "app", "exitCode": "1"}]},
        TypeError,
        ("containers[0].exitCode", "valid types: <class 'int'>"),
    ),
    ({"containers": [{"name": "app", "cpu": 256}]}, TypeError, ("containers[0].cpu", "256")),
    (
        {"containers": [{"name": "app", "colour": "red"}]},
        ValueError,
        ("unknown Container member 'colour' in containers[0]", "portMappings"),
    ),
    (
        {"containers": [{"name": "app", "lastStatus": "DONE"}]},
        ValueError,
        ("containers[0].lastStatus='DONE'", "PENDING, RUNNING, STOPPED"),
    ),
    (
        {"containers": [{"name": "app", "healthStatus": "OK"}]},
        ValueError,
        ("containers[0].healthStatus='OK'", "HEALTHY"),
    ),
    (
        {"ec2": True, "containers": [{"name": "app", "portMappings": [{"containerPort": "80"}]}]},
        TypeError,
        ("containers[0]", "portMappings[0].containerPort", "valid types: <class 'int'>"),
    ),
    (
        {"containers": [{"name": "app", "essential": "yes"}]},
        TypeError,
        ("containers[0]", "parameter essential", "valid types: <class 'bool'>"),
    ),
]

#: (factory, keyword arguments, the error, fragments of its message).
BAD_OTHER_ARGUMENTS: list[tuple[Any, dict[str, Any], type[Exception], tuple[str, ...]]] = [
    (ContainerFactory, {"name": 5}, TypeError, ("parameter name", "value: 5")),
    (ContainerFactory, {"cpu": 256}, TypeError, ("parameter cpu", "valid types: <class 'str'>")),
    (ContainerFactory, {"region": 5}, TypeError, ("region", "5 (int)")),
    (ContainerFactory, {"cluster": "a b"}, ValueError, ("cluster='a b'", "1 to 255 letters")),
    (ContainerFactory, {"task_arn": "x"}, ValueError, ("task_arn='x'", "not a task ARN")),
    (ContainerFactory, {"lastStatus": "DONE"}, ValueError, ("lastStatus='DONE'", "PENDING")),
    (ContainerFactory, {"launch_type": "LAMBDA"}, ValueError, ("launch_type='LAMBDA'", "FARGATE")),
    (ContainerFactory, {"exitCode": "1"}, TypeError, ("parameter exitCode", "<class 'int'>")),
    (ContainerFactory, {"healthStatus": "OK"}, ValueError, ("healthStatus='OK'", "HEALTHY")),
    (ContainerFactory, {"colour": 1}, ValueError, ("unknown Container member 'colour'", "name")),
    (FailureFactory, {"region": 5}, TypeError, ("region", "5 (int)")),
    (FailureFactory, {"account_id": "x"}, ValueError, ("account_id", "'x'", "12 digits")),
    (FailureFactory, {"cluster": "a b"}, ValueError, ("cluster='a b'",)),
    (FailureFactory, {"reason": 5}, TypeError, ("parameter reason", "value: 5")),
    (FailureFactory, {"arn": 5}, TypeError, ("parameter arn", "value: 5")),
    (FailureFactory, {"colour": 1}, ValueError, ("unknown Failure member 'colour'", "arn, reason")),
    (DescribeTasksResponseFactory, {"tasks": 5}, TypeError, ("tasks=5", "TaskFactory()")),
    (DescribeTasksResponseFactory, {"tasks": [5]}, TypeError, ("tasks=[5]", "a list of records")),
    (
        DescribeTasksResponseFactory,
        {"failures": {"arn": "x"}},
        TypeError,
        ("failures={'arn': 'x'}", "FailureFactory()"),
    ),
    (
        DescribeTasksResponseFactory,
        {"tasks": [{"taskArn": 5}]},
        ValueError,
        ("tasks[0].taskArn", "value: 5"),
    ),
    (DescribeTasksResponseFactory, {"next": "x"}, ValueError, ("unknown DescribeTasks member",)),
]


def _assert_says(error: BaseException, fragments: tuple[str, ...]) -> None:
    for fragment in fragments:
        assert fragment in str(error), f"{fragment!r} not in {str(error)!r}"


@pytest.mark.parametrize(
    ("kwargs", "error", "fragments"),
    BAD_TASK_ARGUMENTS,
    ids=[re.sub(r"\s+", " ", repr(kwargs))[:60] for kwargs, _, _ in BAD_TASK_ARGUMENTS],
)
def test_bad_task_arguments_are_named(
    kwargs: dict[str, Any], error: type[Exception], fragments: tuple[str, ...]
) -> None:
    with pytest.raises(error) as raised:
        TaskFactory(**{"now": NOW, **kwargs})
    _assert_says(raised.value, fragments)
    # A wrong type is a TypeError, and still the ValueError every bad argument was before.
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("factory_class", "kwargs", "error", "fragments"),
    BAD_OTHER_ARGUMENTS,
    ids=[f"{f.__name__}-{kwargs!r}"[:70] for f, kwargs, _, _ in BAD_OTHER_ARGUMENTS],
)
def test_bad_arguments_of_the_other_factories_are_named(
    factory_class: Any, kwargs: dict[str, Any], error: type[Exception], fragments: tuple[str, ...]
) -> None:
    with pytest.raises(error) as raised:
        factory_class(**kwargs)
    _assert_says(raised.value, fragments)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("size", "error", "fragment"),
    [("3", TypeError, "size='3'"), (2.0, TypeError, "an int"), (-1, ValueError, "0 or more")],
)
def test_bad_batch_sizes_are_named(size: Any, error: type[Exception], fragment: str) -> None:
    for batch in (TaskFactory.build_batch, TaskFactory.create_batch, FailureFactory.build_batch):
        with pytest.raises(error, match=re.escape(fragment)):
            batch(size)


@pytest.mark.parametrize(
    "tags",
    [
        {"team": "data", "env": "prod"},
        [{"key": "team", "value": "data"}, {"key": "env", "value": "prod"}],
        ({"key": "team", "value": "data"}, {"key": "env", "value": "prod"}),
    ],
    ids=["dict", "boto3-list", "tuple"],
)
def test_tags_as_a_dict_or_boto3_list_give_boto3_list(tags: Any) -> None:
    task = TaskFactory(tags=tags, now=NOW)
    assert task["tags"] == [{"key": "team", "value": "data"}, {"key": "env", "value": "prod"}]


def test_tags_round_trip() -> None:
    for record in (TaskFactory(tagged=True, now=NOW), TaskFactory(tags={"a": "b"}, now=NOW)):
        again = TaskFactory(tags=record["tags"], now=NOW)
        assert again["tags"] == record["tags"]


def test_tags_given_are_copied_not_shared() -> None:
    given = [{"key": "team", "value": "data"}]
    task = TaskFactory(tags=given, now=NOW)
    task["tags"][0]["value"] = "changed"
    assert given == [{"key": "team", "value": "data"}]


def test_tag_without_value_has_an_empty_value() -> None:
    assert TaskFactory(tags=[{"key": "team"}], now=NOW)["tags"] == [{"key": "team", "value": ""}]


def test_no_tags() -> None:
    nothing: tuple[Any, ...] = (None, [], {})
    for tags in nothing:
        assert TaskFactory(tags=tags, now=NOW)["tags"] == []


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("now", "moment"),
    [
        (NOW, NOW),
        (datetime(2025, 6, 1, 12, 0), NOW),  # naive: UTC
        (date(2025, 6, 1), datetime(2025, 6, 1, tzinfo=timezone.utc)),
        ("2025-06-01T12:00:00Z", NOW),
        (NOW.timestamp(), NOW),
        (0, EPOCH),  # the epoch, not "no time given"
    ],
    ids=["aware", "naive", "date", "iso", "epoch-seconds", "zero"],
)
def test_now_takes_what_the_clock_takes(now: Any, moment: datetime) -> None:
    task = TaskFactory(now=now, stopped=True)
    assert moment - timedelta(hours=1) < task["stoppedAt"] <= moment


def test_good_arguments_are_taken_as_before() -> None:
    task = TaskFactory(
        now=NOW,
        cluster="prod_1",
        region="eu-west-1",
        account_id="111122223333",
        startedBy="ecs-svc/123",
        group="service:web",
        cpu="512",
        memory="1024",
        containers=[
            {"name": "app", "image": "nginx", "essential": True, "portMappings": []},
            {"name": "log", "memory": "128", "environment": [{"name": "A", "value": "1"}]},
        ],
    )
    assert task["clusterArn"] == "arn:aws:ecs:eu-west-1:111122223333:cluster/prod_1"
    assert (task["startedBy"], task["group"], task["cpu"]) == ("ecs-svc/123", "service:web", "512")
    assert [c["name"] for c in task["containers"]] == ["app", "log"]
    assert task["containers"][1]["memory"] == "128"
    assert ContainerFactory(task_arn=TASK_ARN, name="app")["taskArn"] == TASK_ARN


@pytest.mark.parametrize(
    ("good", "bad"),
    [
        ({"long_arn_format": True}, {"long_arn_format": 1}),
        ({"exit_code": 1}, {"exit_code": True}),
        ({"enableExecuteCommand": True}, {"enableExecuteCommand": 1}),
        ({"version": 1}, {"version": 1.0}),
    ],
    ids=["long_arn_format", "exit_code", "enableExecuteCommand", "version"],
)
def test_an_equal_value_of_another_type_is_still_refused(
    good: dict[str, Any], bad: dict[str, Any]
) -> None:
    # True == 1 == 1.0: a value accepted before must not let an equal one of the
    # wrong type through.
    TaskFactory(now=NOW, **good)
    with pytest.raises(TypeError, match=re.escape(next(iter(bad)))):
        TaskFactory(now=NOW, **bad)
