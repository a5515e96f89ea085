"""The control API of the served fake, through real HTTP: plan_runs, tasks/stop, reset,
every form of clock/advance, and the inputs it must refuse (out of range, not finite,
too deep, past the clock's last instant) with a 400 that leaves the server answering.
Also a separate process whose own botocore waiter sees its task finish on a time-scaled
server. Loopback only."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from pytest_ecs_tasks._clock import DEFAULT_START, LATEST
from pytest_ecs_tasks._server import EcsServer
from tests.test_server import aws_env, http, http_client

TIMEOUT = 60  # seconds: a bound for every request, never reached when all is well
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy


# -- helpers ---------------------------------------------------------------------------------


def call(
    server: EcsServer, path: str, body: Any = None, *, method: str = "POST"
) -> tuple[int, Any]:
    """One control API request (a JSON body, as the control API requires): status and answer.

    ``body``: bytes as they are, anything else as JSON; ``None`` with GET: no body."""
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if method != "GET" else {}
    request = urllib.request.Request(
        f"{server.url}/_ecs_tasks/{path}", data=data, method=method, headers=headers
    )
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            status, content_type, raw = (
                response.status,
                response.headers["Content-Type"],
                response.read(),
            )
    except urllib.error.HTTPError as error:
        status, content_type, raw = error.code, error.headers["Content-Type"], error.read()
        error.close()
    assert content_type == "application/json", (path, status, raw[:200])
    assert b"Traceback" not in raw
    return status, json.loads(raw)


def ok(server: EcsServer, path: str, body: Any = None, *, method: str = "POST") -> Any:
    """A control API call that must succeed: its answer."""
    status, answer = call(server, path, body, method=method)
    assert status == 200, answer
    return answer


def refused(server: EcsServer, path: str, body: Any, status: int = 400) -> str:
    """A control API call that must be refused with ``status``: its error message."""
    got, answer = call(server, path, body)
    assert got == status, (path, body if not isinstance(body, bytes) else body[:80], answer)
    assert list(answer) == ["error"], answer
    assert isinstance(answer["error"], str)
    return str(answer["error"])


def now(server: EcsServer) -> datetime:
    return datetime.fromisoformat(ok(server, "clock", method="GET")["now"])


def register_app(ecs: ECSClient) -> None:
    """Task definition app:1 in moto, through the server: an essential container and a sidecar."""
    ecs.register_task_definition(
        family="app",
        containerDefinitions=[
            {"name": "app", "image": "busybox", "memory": 256, "essential": True},
            {"name": "sidecar", "image": "busybox", "memory": 64, "essential": False},
        ],
    )


def add_host(server: EcsServer, cluster: str = "default") -> None:
    """One container instance in ``cluster``, through the control API: app:1 is an EC2
    definition, and RunTask's default launch type (EC2) needs a host to place it on."""
    record = ok(server, "clusters", {"name": cluster, "container_instances": 1})
    assert record["registeredContainerInstancesCount"] == 1


def still_answering(server: EcsServer) -> None:
    """The control API and the ECS API both answer."""
    ok(server, "clock", method="GET")
    ok(server, "state", method="GET")
    ecs = http_client(server.url)
    assert ecs.list_clusters()["clusterArns"]
    assert ecs.describe_tasks(tasks=["0123456789abcdef0123456789abcdef"])["tasks"] == []


# -- plan_runs ------------------------------------------------------------------------------


def test_plan_runs_decides_how_tasks_started_by_run_task_end(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer
) -> None:
    ecs = http_client(ecs_tasks_server.url)
    register_app(ecs)
    add_host(ecs_tasks_server)
    plan = ok(ecs_tasks_server, "plan_runs", {"runs_for": 300, "exit_code": 3, "times": 1})
    assert plan == {
        "runs_for": 300.0,
        "exit_code": 3,
        "fail_to_start": None,
        "times": 1,
        "timings": {},
    }
    planned = ecs.run_task(taskDefinition="app:1")["tasks"][0]["taskArn"]
    unplanned = ecs.run_task(taskDefinition="app:1")["tasks"][0]["taskArn"]  # times=1: used up

    ok(ecs_tasks_server, "clock/advance", {"minutes": 10})
    tasks = {t["taskArn"]: t for t in ecs.describe_tasks(tasks=[planned, unplanned])["tasks"]}
    assert tasks[planned]["lastStatus"] == "STOPPED"
    assert tasks[planned]["stopCode"] == "EssentialContainerExited"
    exits = {c["name"]: c.get("exitCode") for c in tasks[planned]["containers"]}
    assert exits["app"] == 3
    assert tasks[unplanned]["lastStatus"] == "RUNNING"

    # text durations, per-container exit codes, timings as fields or in "timings"
    plan = ok(
        ecs_tasks_server,
        "plan_runs",
        {
            "runs_for": "2m",
            "exit_code": {"app": 0, "sidecar": 7},
            "pending": 1,
            "timings": {"pull": "1s"},
            "times": 2,
        },
    )
    assert plan["runs_for"] == 120.0
    assert plan["timings"] == {"pending": 1.0, "pull": 1.0}
    arns = [ecs.run_task(taskDefinition="app:1")["tasks"][0]["taskArn"] for _ in range(2)]
    ok(ecs_tasks_server, "clock/advance", {"by": "5m"})
    for task in ecs.describe_tasks(tasks=arns)["tasks"]:
        assert task["lastStatus"] == "STOPPED"
        assert {c["name"]: c.get("exitCode") for c in task["containers"]} == {
            "app": 0,
            "sidecar": 7,
        }

    # no times: every task from now on
    plan = ok(ecs_tasks_server, "plan_runs", {"fail_to_start": "CannotPullContainerError: nope"})
    assert plan["times"] is None
    failed = [ecs.run_task(taskDefinition="app:1")["tasks"][0]["taskArn"] for _ in range(3)]
    ok(ecs_tasks_server, "clock/advance", {"minutes": 5})
    for task in ecs.describe_tasks(tasks=failed)["tasks"]:
        assert (task["lastStatus"], task["stopCode"]) == ("STOPPED", "TaskFailedToStart")
        assert task["stoppedReason"] == "CannotPullContainerError: nope"


# -- tasks: durations --------------------------------------------------------------------------


def test_tasks_takes_durations_as_text_as_run_task_does_in_python(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer
) -> None:
    ecs = http_client(ecs_tasks_server.url)
    served = ok(
        ecs_tasks_server,
        "tasks",
        {"runs_for": "5m", "exit_code": 3, "timings": {"pending": "1s", "pull": 2}},
    )["taskArn"]
    python = ecs_tasks.run_task(runs_for="5m", exit_code=3, pending="1s", pull=2)["taskArn"]

    ok(ecs_tasks_server, "clock/advance", {"minutes": 4})
    (running,) = ecs.describe_tasks(tasks=[served])["tasks"]
    assert (running["lastStatus"], running["desiredStatus"]) == ("RUNNING", "RUNNING")
    started = running["startedAt"]
    assert started - running["createdAt"] < timedelta(seconds=10)  # pending 1 s, pull 2 s

    ok(ecs_tasks_server, "clock/advance", {"minutes": 2})
    tasks: dict[str, dict[str, Any]] = {
        t["taskArn"]: dict(t) for t in ecs.describe_tasks(tasks=[served, python])["tasks"]
    }
    task = tasks[served]
    assert (task["lastStatus"], task["stopCode"]) == ("STOPPED", "EssentialContainerExited")
    assert task["stoppingAt"] - started == timedelta(minutes=5)
    assert {c["name"]: c.get("exitCode") for c in task["containers"]}["app"] == 3
    # the same timeline as the task Python's run_task(runs_for="5m") started at that moment
    members = ("createdAt", "startedAt", "stoppingAt", "executionStoppedAt", "stoppedAt")
    assert [task[m] for m in members] == [tasks[python][m] for m in members]


BAD_DURATIONS: list[tuple[dict[str, Any], str]] = [
    ({"runs_for": "soon"}, "runs_for='soon': give a timedelta, seconds, or text like '90m' or '1h'"),
    ({"runs_for": "-5m"}, "runs_for='-5m': cannot be negative"),
    ({"runs_for": "inf"}, "runs_for='inf': give a timedelta, seconds, or text like '90m' or '1h'"),
    ({"runs_for": -300}, "runs_for=-300: cannot be negative"),
    ({"runs_for": "365001d"}, "runs_for='365001d': longer than 365,000 days"),
    ({"runs_for": [300]}, "runs_for must be seconds or text like '90m', got [300]"),
    ({"runs_for": True}, "runs_for must be seconds or text like '90m', got True"),
    ({"timings": {"pull": "slow"}}, "pull='slow': give a timedelta, seconds, or text like '90m' or '1h'"),
    ({"timings": {"pull": -1}}, "pull=-1: cannot be negative"),
    ({"timings": {"pull": None}}, "timing pull must be seconds or text like '90m', got None"),
    ({"timings": {"nap": "1s"}}, "unknown timing 'nap'; the timings are: activating, deprovisioning, pending, provisioning, pull, stop_lag, stopping"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "message"), BAD_DURATIONS)
def test_tasks_refuses_bad_durations_as_plan_runs_does(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer, body: dict[str, Any], message: str
) -> None:
    assert refused(ecs_tasks_server, "tasks", body) == message
    assert refused(ecs_tasks_server, "plan_runs", body) == message
    assert ecs_tasks.calls == []
    assert http_client(ecs_tasks_server.url).list_tasks()["taskArns"] == []


# -- tasks/stop -----------------------------------------------------------------------------


def test_tasks_stop_stops_a_task_with_any_stop_code(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer
) -> None:
    ecs = http_client(ecs_tasks_server.url)
    register_app(ecs)
    add_host(ecs_tasks_server)
    arns = [ecs.run_task(taskDefinition="app:1")["tasks"][0]["taskArn"] for _ in range(3)]
    ok(ecs_tasks_server, "clock/advance", {"minutes": 1})

    stopped = ok(
        ecs_tasks_server,
        "tasks/stop",
        {
            "task": arns[0],
            "stop_code": "SpotInterruption",
            "reason": "Your Spot Task was interrupted.",
        },
    )
    assert stopped["taskArn"] == arns[0]
    assert stopped["desiredStatus"] == "STOPPED"
    assert stopped["stopCode"] == "SpotInterruption"
    assert isinstance(stopped["stoppingAt"], float)  # wire shape: epoch seconds
    # by id with its cluster, and by record (as tasks/stop or DescribeTasks answered it)
    task_id = arns[1].rsplit("/", 1)[1]
    assert (
        ok(ecs_tasks_server, "tasks/stop", {"task": task_id, "cluster": "default"})["stopCode"]
        == "UserInitiated"
    )
    (record,) = ecs.describe_tasks(tasks=[arns[2]])["tasks"]
    assert (
        ok(ecs_tasks_server, "tasks/stop", {"task": {"taskArn": record["taskArn"]}})["taskArn"]
        == arns[2]
    )

    ok(ecs_tasks_server, "clock/advance", {"minutes": 2})
    tasks = {t["taskArn"]: t for t in ecs.describe_tasks(tasks=arns)["tasks"]}
    assert all(t["lastStatus"] == "STOPPED" for t in tasks.values())
    assert tasks[arns[0]]["stoppedReason"] == "Your Spot Task was interrupted."
    assert tasks[arns[1]]["stopCode"] == "UserInitiated"

    assert "no task 'f" in refused(ecs_tasks_server, "tasks/stop", {"task": "f" * 32})
    assert "in cluster 'default', not 'jobs'" in refused(
        ecs_tasks_server, "tasks/stop", {"task": task_id, "cluster": "jobs"}
    )
    assert "valid: TaskFailedToStart, EssentialContainerExited, UserInitiated" in refused(
        ecs_tasks_server, "tasks/stop", {"task": arns[0], "stop_code": "Tired"}
    )
    still_answering(ecs_tasks_server)


# -- reset ----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"{}", b""], ids=["empty-object", "no-body"])
def test_reset_brings_back_a_fresh_fake(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer, body: bytes
) -> None:
    ecs = http_client(ecs_tasks_server.url)
    register_app(ecs)
    ok(ecs_tasks_server, "clusters", {"name": "jobs"})
    add_host(ecs_tasks_server, "jobs")
    task = ecs.run_task(taskDefinition="app:1", cluster="jobs")["tasks"][0]["taskArn"]
    ok(ecs_tasks_server, "plan_runs", {"runs_for": 1})
    ok(
        ecs_tasks_server,
        "faults",
        {"operation": "ListTasks", "code": "ServerException", "times": None},
    )
    ok(ecs_tasks_server, "clock/advance", {"hours": 3})

    assert ok(ecs_tasks_server, "reset", body) == {"now": DEFAULT_START.isoformat()}

    assert now(ecs_tasks_server) == DEFAULT_START
    assert ecs.list_clusters()["clusterArns"] == [
        "arn:aws:ecs:us-east-1:123456789012:cluster/default"
    ]
    assert ecs.list_tasks()["taskArns"] == []  # the fault is gone too
    assert ecs.describe_tasks(tasks=[task])["tasks"] == []
    assert ecs.list_task_definitions()["taskDefinitionArns"] == []
    # the plan is gone: a task runs until stopped again
    register_app(ecs)
    add_host(ecs_tasks_server)  # the reset took the container instances with the clusters
    fresh = ecs.run_task(taskDefinition="app:1")["tasks"][0]["taskArn"]
    ok(ecs_tasks_server, "clock/advance", {"hours": 1})
    assert ecs.describe_tasks(tasks=[fresh])["tasks"][0]["lastStatus"] == "RUNNING"

    assert "unknown field 'keep'" in refused(ecs_tasks_server, "reset", {"keep": "clusters"})


# -- clock/advance --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "step"),
    [
        ({"seconds": 300}, timedelta(seconds=300)),
        ({"seconds": 90.5}, timedelta(seconds=90.5)),
        ({"minutes": 5}, timedelta(minutes=5)),
        ({"hours": 1, "minutes": 30}, timedelta(hours=1, minutes=30)),
        ({"minutes": 1, "seconds": 30}, timedelta(minutes=1, seconds=30)),
        ({"days": 2}, timedelta(days=2)),
        ({"weeks": 1}, timedelta(weeks=1)),
        ({"milliseconds": 1500}, timedelta(milliseconds=1500)),
        ({"microseconds": 250}, timedelta(microseconds=250)),
        ({"hours": 0.25}, timedelta(minutes=15)),
        ({"seconds": 0}, timedelta(0)),
        ({"by": "5m"}, timedelta(minutes=5)),
        ({"by": "90m"}, timedelta(minutes=90)),
        ({"by": "2h"}, timedelta(hours=2)),
        ({"by": "1d"}, timedelta(days=1)),
        ({"by": "250ms"}, timedelta(milliseconds=250)),
        ({"by": "1.5s"}, timedelta(seconds=1.5)),
        ({"by": "45"}, timedelta(seconds=45)),
        ({"by": 300}, timedelta(seconds=300)),
        ({"by": 0.5}, timedelta(seconds=0.5)),
    ],
    ids=lambda value: json.dumps(value) if isinstance(value, dict) else "",
)
def test_clock_advance_takes_the_forms_of_clock_advance(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer, body: dict[str, Any], step: timedelta
) -> None:
    expected = DEFAULT_START + step
    assert ok(ecs_tasks_server, "clock/advance", body) == {"now": expected.isoformat()}
    assert ecs_tasks.clock.now() == expected
    # the same move in Python lands on the same time
    python = FakeEcs()
    if "by" in body:
        python.clock.advance(body["by"])
    else:
        python.clock.advance(**body)
    assert python.clock.now() == expected


# -- what the control API refuses -----------------------------------------------------------

NESTED = b"[" * 100_000 + b"]" * 100_000
BAD: list[tuple[str, bytes | dict[str, Any], str]] = [
    # clock/advance: one form, numbers, the clock's own checks
    ("clock/advance", {}, "missing field 'seconds' or another of the forms: give one of: timedelta's keywords (weeks, days, hours"),
    ("clock/advance", {"fortnights": 1}, "unknown field 'fortnights'; give one of"),
    ("clock/advance", {"by": "5m", "minutes": 5}, "give by or minutes, not both: one form per request"),
    ("clock/advance", {"minutes": "5"}, "minutes must be a number, got '5'"),
    ("clock/advance", {"hours": True}, "hours must be a number, got True"),
    ("clock/advance", {"by": None}, "by must be seconds or text like '90m', got None"),
    ("clock/advance", {"by": "soon"}, "by='soon': give a timedelta, seconds, or text like '90m'"),
    ("clock/advance", {"by": -5}, "by=-5: the clock only moves forward"),
    ("clock/advance", {"minutes": -5}, "the clock only moves forward"),
    ("clock/advance", {"seconds": 1e308}, "advance(seconds=1e+308): not a finite step of at most 365,000 days"),
    ("clock/advance", {"by": 1e308}, "by=1e+308: longer than 365,000 days"),
    ("clock/advance", {"days": 10**30}, "not a finite step of at most 365,000 days"),
    ("clock/advance", {"by": 10**400}, "is out of range"),
    ("clock/advance", {"microseconds": 10**400}, "is out of range"),
    ("clock/advance", {"days": 3_000_000}, "cannot pass 5000-01-01T00:00:00+00:00"),
    ("clock/advance", {"by": "365001d"}, "longer than 365,000 days"),
    # JSON the control API does not take
    ("clock/advance", b'{"seconds": NaN}', "NaN is not a JSON number (numbers must be finite)"),
    ("clock/advance", b'{"seconds": Infinity}', "Infinity is not a JSON number"),
    ("clock/advance", b'{"by": -Infinity}', "-Infinity is not a JSON number"),
    ("clock/advance", b'{"seconds": 1e400}', "the number '1e400' is out of range: a JSON number here must be finite"),
    ("clock/advance", b'{"seconds": 1' + b"0" * 5000 + b"}", "the body is not JSON: Exceeds the limit (4300 digits)"),
    ("clock/advance", NESTED, "the body nests arrays or objects too deeply: at most 32 levels"),
    ("clock/advance", b'{"by": ' + b"[" * 40 + b"]" * 40 + b"}", "nests arrays or objects too deeply"),
    ("tasks", b'{"containers": [' + b"{\"a\": " * 40 + b"1" + b"}" * 40 + b"]}", "nests arrays or objects too deeply"),
    # clock/move_to: never past the last instant the service can represent
    ("clock/move_to", {"when": "9999-12-31T00:00:00Z"}, "when='9999-12-31T00:00:00Z': the clock cannot pass 5000-01-01T00:00:00+00:00"),
    ("clock/move_to", {"when": "5000-01-01T00:00:00.000001Z"}, "cannot pass 5000-01-01T00:00:00+00:00"),
    ("clock/move_to", {"when": 1e308}, "when=1e+308: 1e+308 is not a time: epoch seconds must be a finite number before 5000"),
    ("clock/move_to", {"when": 10**30}, "is not a time: epoch seconds must be a finite number"),
    ("clock/move_to", {"when": 10**400}, "when=100000000000000000...0000000000000000000 is out of range"),
    # plan_runs: every field
    ("plan_runs", {"runs_for": 1e300}, "runs_for=1e+300: longer than 365,000 days"),
    ("plan_runs", {"runs_for": -1}, "runs_for=-1: cannot be negative"),
    ("plan_runs", {"runs_for": "forever"}, "runs_for='forever': give a timedelta, seconds, or text like '90m'"),
    ("plan_runs", {"runs_for": [300]}, "runs_for must be seconds or text like '90m', got [300]"),
    ("plan_runs", {"runs_for": 10**400}, "runs_for=100000000000000000...0000000000000000000 is out of range"),
    ("plan_runs", {"exit_code": 256}, "exit_code=256: an exit code is from 0 to 255"),
    ("plan_runs", {"exit_code": -1}, "exit_code=-1: an exit code is from 0 to 255"),
    ("plan_runs", {"exit_code": 10**30}, "an exit code is from 0 to 255"),
    ("plan_runs", {"exit_code": 3.0}, "exit_code must be an integer from 0 to 255 or {container name: integer}, got 3.0"),
    ("plan_runs", {"exit_code": {"app": "3"}}, "exit_code must be an integer from 0 to 255 or {container name: integer}"),
    ("plan_runs", {"exit_code": {"app": 999}}, "exit_code['app']=999: an exit code is from 0 to 255"),
    ("plan_runs", {"fail_to_start": 5}, "fail_to_start must be a string, got 5"),
    ("plan_runs", {"fail_to_start": " "}, "fail_to_start=' ': cannot be empty"),
    ("plan_runs", {"fail_to_start": "x", "runs_for": 5}, "pass runs_for or fail_to_start, not both"),
    ("plan_runs", {"times": 0}, "times must be an integer from 1 to 2,147,483,647, or null (every task from now on), got 0"),
    ("plan_runs", {"times": 10**30}, "times must be an integer from 1 to 2,147,483,647"),
    ("plan_runs", {"times": 2.5}, "times must be an integer from 1 to 2,147,483,647"),
    ("plan_runs", {"times": "1"}, "times must be an integer"),
    ("plan_runs", {"pending": 1e300}, "pending=1e+300: longer than 365,000 days"),
    ("plan_runs", {"timings": {"pull": -1}}, "pull=-1: cannot be negative"),
    ("plan_runs", {"timings": {"nap": 1}}, "unknown timing 'nap'; the timings are: activating, deprovisioning, pending"),
    ("plan_runs", {"timings": [1]}, "timings must be a JSON object, got [1]"),
    ("plan_runs", {"pending": 1, "timings": {"pending": 2}}, "timing 'pending' given twice"),
    ("plan_runs", {"pending": None}, "timing pending must be seconds or text like '90m', got None"),
    ("plan_runs", {"nap": 1}, "unknown field 'nap'; the fields are: runs_for, exit_code, fail_to_start, times, timings, unhealthy_after, container_reason, placement_failure, logs, task_definition, provisioning"),
    # tasks/stop
    ("tasks/stop", {}, "missing field 'task'"),
    ("tasks/stop", {"task": 5}, "task must be a task id, a task ARN or a Task record with its taskArn, got 5"),
    ("tasks/stop", {"task": {"lastStatus": "RUNNING"}}, "task must be a task id, a task ARN or a Task record"),
    ("tasks/stop", {"task": "abc", "stop_code": 1}, "stop_code must be a string, got 1"),
    ("tasks/stop", {"task": "abc", "reason": ["x"]}, "reason must be a string"),
    ("tasks/stop", {"task": "abc", "colour": "red"}, "unknown field 'colour'; the fields are: task, cluster, reason, stop_code"),
    # reset
    ("reset", {"clusters": True}, "unknown field 'clusters'; the fields are: none (send {})"),
    ("reset", b"[]", "the body must be a JSON object, got list"),
    # numbers out of range in the other routes
    ("faults", {"operation": "DescribeTasks", "code": "ServerException", "times": 10**30}, "times must be an integer from 1 to 2,147,483,647, or null (every call)"),
    ("tasks", {"runs_for": 1e300}, "runs_for=1e+300: longer than 365,000 days"),
    ("tasks", {"runs_for": 10**400}, "is out of range"),
    ("tasks", {"timings": {"pending": 1e300}}, "longer than 365,000 days"),
    ("tasks", {"exit_code": 10**30}, "an exit code is from 0 to 255"),
    ("tasks", {"cluster": [[[[[[[[[[1]]]]]]]]]]}, "cluster must be a string, got [[[[[[[...]]]]]]]"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "fragment"),
    BAD,
    ids=[f"{path}-{i}" for i, (path, _, _) in enumerate(BAD)],
)
def test_bad_input_is_refused_with_400_and_the_server_answers_on(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer, path: str, body: Any, fragment: str
) -> None:
    before = ecs_tasks.clock.now()
    error = refused(ecs_tasks_server, path, body)
    assert fragment in error, error
    assert len(error) < 1000, error  # the value shown shortened, not echoed whole
    assert ecs_tasks.clock.now() == before
    assert list(ecs_tasks._service.faults) == []
    still_answering(ecs_tasks_server)


NUMBERS_OUT_OF_RANGE: list[object] = [1e308, -1e308, 10**30, -(10**30), 10**400, 5e-324, -0.0]


def test_no_number_in_any_field_gives_a_server_error(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer
) -> None:
    fields: dict[str, dict[str, Any]] = {
        "clock/advance": {},
        "clock/move_to": {},
        "plan_runs": {},
        "tasks": {},
        "tasks/stop": {"task": "f" * 32},
        "faults": {"operation": "DescribeTasks", "code": "ServerException"},
        "seed": {},
        "clusters": {"name": "jobs"},
    }
    names = {
        "clock/advance": ["by", "weeks", "days", "hours", "minutes", "seconds", "milliseconds", "microseconds"],
        "clock/move_to": ["when"],
        "plan_runs": ["runs_for", "exit_code", "times", "pending", "deprovisioning"],
        "tasks": ["runs_for", "exit_code", "task_definition", "cluster"],
        "tasks/stop": ["task", "cluster", "reason", "stop_code"],
        "faults": ["times", "message"],
        "seed": ["seed"],
        "clusters": ["name", "tags"],
    }  # fmt: skip
    for path, base in fields.items():
        for name in names[path]:
            for value in NUMBERS_OUT_OF_RANGE:
                status, answer = call(ecs_tasks_server, path, {**base, name: value})
                assert status in (200, 400), (path, name, value, answer)
                if status == 400:
                    assert list(answer) == ["error"]
                    assert len(answer["error"]) < 1000, answer
    ok(ecs_tasks_server, "reset", {})  # what the 200s changed: tasks, plans, the clock
    still_answering(ecs_tasks_server)


def test_the_clock_stops_at_its_last_instant_and_the_service_works_there(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer
) -> None:
    ecs = http_client(ecs_tasks_server.url)
    register_app(ecs)
    add_host(ecs_tasks_server)
    running = ecs.run_task(taskDefinition="app:1")["tasks"][0]["taskArn"]
    error = refused(ecs_tasks_server, "clock/move_to", {"when": "9999-12-31T00:00:00Z"})
    assert "cannot pass 5000-01-01T00:00:00+00:00" in error
    assert now(ecs_tasks_server) == DEFAULT_START
    # RunTask, DescribeTasks and StopTask answer after the refused move
    started = ecs.run_task(taskDefinition="app:1")["tasks"][0]["taskArn"]
    assert ecs.describe_tasks(tasks=[running, started])["tasks"]
    assert ecs.stop_task(task=started)["task"]["desiredStatus"] == "STOPPED"

    # the last instant itself is accepted, and every call still answers there, with the
    # longest durations there are planned (timelines end after the clock's last instant)
    assert ok(ecs_tasks_server, "clock/move_to", {"when": LATEST.isoformat()}) == {
        "now": LATEST.isoformat()
    }
    assert "cannot pass 5000" in refused(ecs_tasks_server, "clock/advance", {"seconds": 1})
    assert "cannot pass 5000" in refused(ecs_tasks_server, "clock/advance", {"by": "1ms"})
    longest = "365000d"
    ok(
        ecs_tasks_server,
        "plan_runs",
        {
            "runs_for": longest,
            "timings": dict.fromkeys(("provisioning", "pending", "pull"), longest),
        },
    )
    late = ecs.run_task(taskDefinition="app:1")["tasks"][0]["taskArn"]
    described = ecs.describe_tasks(tasks=[running, started, late])["tasks"]
    assert {t["taskArn"] for t in described} >= {running, late}
    assert ecs.list_tasks()["taskArns"]
    assert ecs.stop_task(task=running)["task"]["desiredStatus"] == "STOPPED"
    assert ok(ecs_tasks_server, "tasks/stop", {"task": late})["desiredStatus"] == "STOPPED"
    assert ok(ecs_tasks_server, "clock/advance", {"seconds": 0}) == {"now": LATEST.isoformat()}
    assert now(ecs_tasks_server) == LATEST
    still_answering(ecs_tasks_server)


def test_new_routes_are_listed_and_take_post_only(ecs_tasks_server: EcsServer) -> None:
    status, answer = call(ecs_tasks_server, "nothing-here", method="GET")
    assert status == 404
    for route in (
        "POST /_ecs_tasks/plan_runs",
        "POST /_ecs_tasks/tasks/stop",
        "POST /_ecs_tasks/reset",
    ):
        assert route in answer["error"]
    for path in ("plan_runs", "tasks/stop", "reset"):
        status, answer = call(ecs_tasks_server, path, method="GET")
        assert (status, answer) == (405, {"error": f"/_ecs_tasks/{path} takes POST, not GET"})


# -- another process, its own waiter, a time-scaled server ------------------------------------

CHILD = textwrap.dedent(
    """
    import sys

    import boto3

    ecs = boto3.client("ecs", endpoint_url=sys.argv[1])  # credentials, region: the environment
    arn = ecs.run_task(taskDefinition="app:1")["tasks"][0]["taskArn"]
    ecs.get_waiter("tasks_stopped").wait(tasks=[arn])  # botocore's waiter: Delay 6 s
    definition = ecs.describe_task_definition(taskDefinition="app:1")["taskDefinition"]
    essential = [c["name"] for c in definition["containerDefinitions"] if c.get("essential", True)]
    (task,) = ecs.describe_tasks(tasks=[arn])["tasks"]
    (code,) = [c["exitCode"] for c in task["containers"] if c["name"] in essential]
    print(code)
    """
)


# At 600 virtual seconds per wall second, the waiter's 6 s between polls are 3,600 s on the
# fake's clock: the default retention (1 h). A task that stops just after one poll can be
# forgotten before the next, so the fake keeps stopped tasks a day here.
@pytest.mark.ecs_tasks(retention="1d")
def test_a_waiter_in_another_process_sees_its_task_finish_on_a_time_scaled_server(
    ecs_tasks: FakeEcs, tmp_path: Path
) -> None:
    with EcsServer(ecs_tasks, time_scale=600) as server:
        register_app(http_client(server.url))
        add_host(server)
        ok(server, "plan_runs", {"runs_for": 300, "exit_code": 3})
        env = {**aws_env(tmp_path), "AWS_DEFAULT_REGION": "us-east-1"}
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, server.url],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        wall = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"
    # one poll at RunTask, one 6 s later (an hour on the fake's clock: long stopped by then)
    assert wall < 20, f"the waiter took {wall:.1f} s of wall time"
    print(f"waiter in another process: exit code 3 after {wall:.1f} s of wall time")


def test_plan_runs_takes_containers_on_their_own_timelines(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer
) -> None:
    ecs = http_client(ecs_tasks_server.url)
    ecs.register_task_definition(
        family="pair",
        containerDefinitions=[
            {"name": "app", "image": "app:1", "essential": True, "memory": 128},
            {"name": "sidecar", "image": "envoy", "essential": False, "memory": 64},
        ],
    )
    add_host(ecs_tasks_server)
    plan = ok(
        ecs_tasks_server,
        "plan_runs",
        {"runs_for": {"sidecar": "1m"}, "exit_code": {"sidecar": 2}, "times": 1},
    )
    bad_status, _, bad = http(
        f"{ecs_tasks_server.url}/_ecs_tasks/plan_runs", {"runs_for": {"sidecar": "soon"}}
    )
    arn = ecs.run_task(taskDefinition="pair")["tasks"][0]["taskArn"]
    ok(ecs_tasks_server, "clock/advance", {"minutes": 5})

    [task] = ecs.describe_tasks(tasks=[arn])["tasks"]
    containers = {c["name"]: c for c in task["containers"]}
    assert plan["runs_for"] == {"sidecar": "1m"}
    assert task["lastStatus"] == "RUNNING"
    assert (containers["sidecar"]["lastStatus"], containers["sidecar"]["exitCode"]) == (
        "STOPPED",
        2,
    )
    assert bad_status == 400
    assert bad["error"].startswith("runs_for['sidecar']='soon': ")
