"""Every public argument is checked where it is given: an error that names the
argument, shows the value and says what is valid; never an error from inside,
never accepted now to fail later inside the code under test."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import boto3
import pytest

from pytest_ecs_tasks import Clock, FakeEcs
from pytest_ecs_tasks._clock import ClockError

from .setups import fargate_network, register_fargate

# The calls are typed loosely on purpose: they pass what the signatures refuse.
Case = tuple[str, Callable[[Any], object], type[Exception], str]

NEVER_RAN = "0123456789abcdef0123456789abcdef"

CASES: list[Case] = [
    # durations
    (
        "run_task runs_for text",
        lambda f: f.run_task(runs_for="soon"),
        ValueError,
        "runs_for='soon': give a timedelta, seconds, or text like '90m'",
    ),
    (
        "run_task runs_for nan",
        lambda f: f.run_task(runs_for=float("nan")),
        ValueError,
        "runs_for=nan: not a finite number",
    ),
    (
        "run_task runs_for list",
        lambda f: f.run_task(runs_for=[5]),
        TypeError,
        "runs_for=[5]: a list is not a duration",
    ),
    (
        "run_task negative timing",
        lambda f: f.run_task(pull=-1),
        ValueError,
        "pull=-1: cannot be negative",
    ),
    (
        "run_task unknown timing",
        lambda f: f.run_task(pulling=1),
        TypeError,
        "unknown timing 'pulling'",
    ),
    (
        "plan_runs runs_for text",
        lambda f: f.plan_runs(runs_for="later"),
        ValueError,
        "runs_for='later'",
    ),
    # exit codes
    (
        "exit_code None",
        lambda f: f.run_task(exit_code=None),
        TypeError,
        "exit_code=None: give an int from 0 to 255",
    ),
    (
        "exit_code text",
        lambda f: f.run_task(exit_code="3"),
        TypeError,
        "exit_code='3': give an int from 0 to 255",
    ),
    (
        "exit_code 300",
        lambda f: f.run_task(exit_code=300),
        ValueError,
        "exit_code=300: an exit code is from 0 to 255",
    ),
    (
        "exit_code -1",
        lambda f: f.plan_runs(exit_code=-1),
        ValueError,
        "exit_code=-1: an exit code is from 0 to 255",
    ),
    ("exit_code bool", lambda f: f.run_task(exit_code=True), TypeError, "exit_code=True"),
    (
        "exit_code dict value",
        lambda f: f.run_task(exit_code={"app": "1"}),
        TypeError,
        "exit_code['app']='1'",
    ),
    (
        "exit_code unknown container",
        lambda f: f.run_task(
            containers=[{"name": "app"}, {"name": "sidecar"}], exit_code={"typo": 1}
        ),
        ValueError,
        "exit_code names 'typo', but the task's containers are: app, sidecar",
    ),
    (
        "exit_code unknown container of the task definition",
        lambda f: f.run_task(task_definition="worker:3", exit_code={"app": 1}),
        ValueError,
        "exit_code names 'app', but the task's containers are: worker",
    ),
    # the rest of run_task
    (
        "fail_to_start True",
        lambda f: f.run_task(fail_to_start=True),
        TypeError,
        "fail_to_start=True: give a str",
    ),
    (
        "fail_to_start empty",
        lambda f: f.run_task(fail_to_start=" "),
        ValueError,
        "fail_to_start=' ': cannot be empty",
    ),
    (
        "started_by int",
        lambda f: f.run_task(started_by=123),
        TypeError,
        "started_by=123: give a str",
    ),
    ("group int", lambda f: f.run_task(group=1), TypeError, "group=1: give a str"),
    ("cluster None", lambda f: f.run_task(None), TypeError, "cluster=None: give a str"),
    (
        "task_definition int",
        lambda f: f.run_task(task_definition=1),
        TypeError,
        "task_definition=1",
    ),
    (
        "launch_type",
        lambda f: f.run_task(launch_type="LAMBDA"),
        ValueError,
        "launch_type='LAMBDA'; valid: FARGATE, EC2",
    ),
    # tags
    (
        "tags text",
        lambda f: f.run_task(tags="team=data"),
        TypeError,
        "tags='team=data': give a dict like",
    ),
    (
        "tags list of pairs",
        lambda f: f.run_task(tags=[("team", "data")]),
        ValueError,
        "tags[0]=('team', 'data'): each tag is a dict with 'key' and 'value'",
    ),
    (
        "tags int value",
        lambda f: f.create_cluster("c", tags={"team": 1}),
        TypeError,
        "tag keys and values are strings",
    ),
    (
        "tags unknown member",
        lambda f: f.add_task(tags=[{"Key": "a", "Value": "b"}]),
        ValueError,
        "tags[0]={'Key': 'a', 'Value': 'b'}: each tag is a dict with 'key'",
    ),
    # plan_runs, fail, stop_task, clusters
    (
        "plan_runs times 0",
        lambda f: f.plan_runs(times=0),
        ValueError,
        "times must be a positive int or None (every task), got 0",
    ),
    ("plan_runs times True", lambda f: f.plan_runs(times=True), ValueError, "got True"),
    (
        "fail times",
        lambda f: f.fail("DescribeTasks", "ThrottlingException", times=0),
        ValueError,
        "got 0",
    ),
    (
        "fail message",
        lambda f: f.fail("DescribeTasks", "ThrottlingException", 42),
        TypeError,
        "message=42",
    ),
    (
        "fail operation",
        lambda f: f.fail(1, "ThrottlingException"),
        ValueError,
        "the fake does not serve 1",
    ),
    (
        "stop_task reason",
        lambda f: f.stop_task(NEVER_RAN, reason=5),
        TypeError,
        "reason=5: give a str",
    ),
    (
        "stop_task code",
        lambda f: f.stop_task(NEVER_RAN, stop_code="Oops"),
        ValueError,
        "stop_code='Oops'; valid:",
    ),
    ("create_cluster name", lambda f: f.create_cluster(7), TypeError, "name=7: give a str"),
    ("delete_cluster name", lambda f: f.delete_cluster(""), ValueError, "name='': cannot be empty"),
    (
        "client region",
        lambda f: f.client(region_name="mars"),
        ValueError,
        "FakeEcs.client(): region='mars'",
    ),
    # settings set on a fake
    (
        "retention text",
        lambda f: setattr(f, "retention", "forever"),
        ValueError,
        "retention='forever': give a timedelta",
    ),
    (
        "eventual_consistency negative",
        lambda f: setattr(f, "eventual_consistency", -1),
        ValueError,
        "eventual_consistency=-1: cannot be negative",
    ),
    (
        "eventual_consistency list",
        lambda f: setattr(f, "eventual_consistency", [1]),
        ValueError,
        "eventual_consistency=[1]: a list is not a duration",
    ),
    # the clock
    ("sleep text", lambda f: f.clock.sleep("5"), TypeError, "sleep('5'): give a number of seconds"),
    (
        "sleep negative",
        lambda f: f.clock.sleep(-1),
        ValueError,
        "sleep(-1): give a finite number of seconds, 0 or more",
    ),
    (
        "advance nan",
        lambda f: f.clock.advance(float("nan")),
        ClockError,
        "advance(nan): not a finite number",
    ),
    (
        "advance huge",
        lambda f: f.clock.advance(1e12),
        ClockError,
        "advance(1000000000000.0): longer than 365,000 days",
    ),
    (
        "advance past the end",
        lambda f: (
            f.clock.advance(days=365_000),
            f.clock.advance(days=365_000),
            f.clock.advance(days=365_000),
        ),
        ClockError,
        "cannot pass 5000-01-01T00:00:00+00:00",
    ),
    (
        "advance keyword text",
        lambda f: f.clock.advance(minutes="5"),
        TypeError,
        "advance(minutes='5'): give a number",
    ),
    (
        "advance keyword inf",
        lambda f: f.clock.advance(days=float("inf")),
        ClockError,
        "advance(days=inf): not a finite step",
    ),
    (
        "move_to year 9999",
        lambda f: f.clock.move_to("9999-01-01T00:00:00Z"),
        ClockError,
        "move_to('9999-01-01T00:00:00Z'): the clock cannot pass",
    ),
    ("move_to nan", lambda f: f.clock.move_to(float("nan")), ValueError, "nan is not a time"),
    (
        "on_move not callable",
        lambda f: f.clock.on_move(42),
        TypeError,
        "on_move(42): give a function",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_arguments_are_refused_where_given(
    ecs_tasks: FakeEcs, call: Callable[[FakeEcs], object], error: type[Exception], message: str
) -> None:
    calls_before = len(ecs_tasks.calls)
    tasks_before = dict(ecs_tasks._service.region_state("us-east-1").tasks)
    with pytest.raises(error) as raised:
        call(ecs_tasks)
    assert message in str(raised.value)
    # nothing was half done
    assert len(ecs_tasks.calls) == calls_before
    assert ecs_tasks._service.region_state("us-east-1").tasks == tasks_before


CONSTRUCTOR_CASES: list[tuple[dict[str, Any], str]] = [
    ({"region": "mars"}, "FakeEcs(): region='mars'"),
    ({"account_id": "12"}, "FakeEcs(): account_id='12'"),
    ({"retention": -1}, "FakeEcs(): retention=-1: cannot be negative"),
    ({"retention": "1 hour"}, "FakeEcs(): retention='1 hour': give a timedelta"),
    ({"eventual_consistency": "-1s"}, "FakeEcs(): eventual_consistency='-1s'"),
    ({"start": "yesterday"}, "FakeEcs(): start='yesterday': give 'now', an ISO 8601 time"),
    ({"start": "9999-12-31"}, "FakeEcs(): start='9999-12-31': the clock cannot start after"),
    ({"long_arn_format": "maybe"}, "FakeEcs(): long_arn_format='maybe': give true or false"),
    (
        {"invalid_task_ids": "ignore"},
        "FakeEcs(): invalid_task_ids='ignore': give one of 'error', 'missing'",
    ),
    ({"task_order": "random"}, "FakeEcs(): task_order='random': give one of 'request', 'created'"),
    ({"calls_limit": 0}, "FakeEcs(): calls_limit=0: give a whole number of calls, 1 or more"),
]


@pytest.mark.parametrize(("kwargs", "message"), CONSTRUCTOR_CASES)
def test_fake_settings_are_checked_where_given(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        FakeEcs(**kwargs)


def test_durations_take_the_same_forms_everywhere(ecs_tasks: FakeEcs) -> None:
    """A timedelta, seconds or text like '5m', wherever a duration is given."""
    ecs_tasks.retention = "90m"
    assert ecs_tasks.retention == timedelta(minutes=90)
    ecs_tasks.eventual_consistency = "1s"
    assert ecs_tasks.eventual_consistency == timedelta(seconds=1)
    ecs_tasks.eventual_consistency = 0
    assert FakeEcs(retention="2h", start="now").retention == timedelta(hours=2)

    ran = ecs_tasks.run_task(runs_for="5m", exit_code=2)
    ecs_tasks.clock.advance("4m")
    client = boto3.client("ecs")
    assert client.describe_tasks(tasks=[ran["taskArn"]])["tasks"][0]["lastStatus"] == "RUNNING"
    ecs_tasks.clock.advance(minutes=5)
    (done,) = client.describe_tasks(tasks=[ran["taskArn"]])["tasks"]
    assert done["lastStatus"] == "STOPPED"
    assert done["containers"][0]["exitCode"] == 2

    # plan_runs with text reaches the code under test's own RunTask as planned
    ecs_tasks.plan_runs(runs_for="5m", exit_code=4, times=1)
    register_fargate(client, "job", [{"name": "job", "image": "busybox", "memory": 128}])
    started = client.run_task(
        taskDefinition="job",
        launchType="FARGATE",
        networkConfiguration=fargate_network(ecs_tasks.region),
    )["tasks"][0]
    client.get_waiter("tasks_stopped").wait(tasks=[started["taskArn"]])
    (stopped,) = client.describe_tasks(tasks=[started["taskArn"]])["tasks"]
    assert stopped["containers"][0]["exitCode"] == 4


@pytest.mark.parametrize(
    "tags",
    [
        {"team": "data", "env": "test"},
        [{"key": "team", "value": "data"}, {"key": "env", "value": "test"}],
    ],
    ids=["dict", "boto3 list"],
)
def test_tags_take_a_dict_or_the_boto3_list_and_round_trip(ecs_tasks: FakeEcs, tags: Any) -> None:
    expected = [{"key": "team", "value": "data"}, {"key": "env", "value": "test"}]
    client = boto3.client("ecs")

    cluster = ecs_tasks.create_cluster("tagged", tags=tags)
    assert client.list_tags_for_resource(resourceArn=cluster["clusterArn"])["tags"] == expected

    task = ecs_tasks.run_task("tagged", tags=tags)
    assert task["tags"] == expected
    described = client.describe_tasks(cluster="tagged", tasks=[task["taskArn"]], include=["TAGS"])
    assert described["tasks"][0]["tags"] == expected

    added = ecs_tasks.add_task(cluster="tagged", tags=tags)
    assert added["tags"] == expected
    again = ecs_tasks.add_task(
        {**added, "taskArn": added["taskArn"][:-4] + "abcd"}, cluster="tagged", tags=added["tags"]
    )
    assert again["tags"] == expected


def test_a_clock_listener_that_is_not_callable_never_breaks_a_later_move() -> None:
    clock = Clock()
    with pytest.raises(TypeError):
        clock.on_move("print")  # type: ignore[arg-type]
    clock.advance(1)  # no listener was kept


@pytest.mark.parametrize(
    ("move", "message"),
    [
        (
            lambda clock: clock.advance(-1e308),
            "the clock only moves forward; advance() got -1e+308",
        ),
        (lambda clock: clock.advance(10**400), "longer than 365,000 days"),
        (lambda clock: clock.sleep(10**400), "longer than 365,000 days"),
    ],
    ids=["huge-negative-float", "huge-int", "huge-int-sleep"],
)
def test_numbers_too_big_for_a_float_are_refused_with_the_clocks_words(
    move: Any, message: str
) -> None:
    clock = Clock()
    before = clock.now()
    with pytest.raises(ClockError, match=re.escape(message)) as raised:
        move(clock)
    assert len(str(raised.value)) < 300  # a 400-digit number is not printed whole
    assert clock.now() == before
