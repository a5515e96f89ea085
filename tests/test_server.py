"""The fake served over HTTP: the real AWS CLI, boto3 with ``endpoint_url``, the control
API, and ``ecs-tasks serve`` as a process of its own. Loopback only."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.core.models import botocore_stubber
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs, TaskFactory
from pytest_ecs_tasks import _model as model
from pytest_ecs_tasks._clock import DEFAULT_START
from pytest_ecs_tasks._factories import reseed
from pytest_ecs_tasks._server import EcsServer
from tests.consistency import assert_consistent_task, assert_valid_response
from tests.setups import register_container_instance, with_container_instance

TIMEOUT = 60  # seconds: a bound for every subprocess and request, never reached when all is well
NEVER_RAN = "0123456789abcdef0123456789abcdef"
TARGET = "AmazonEC2ContainerServiceV20141113."
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy


# -- helpers ---------------------------------------------------------------------------------


def http(
    url: str,
    body: bytes | Mapping[str, Any] | None = None,
    *,
    method: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One HTTP request: status, headers and the JSON body of the answer (errors included)."""
    data = json.dumps(body).encode() if isinstance(body, Mapping) else body
    # a body is JSON unless told: the control API refuses other POST bodies (415)
    sent = {"Content-Type": "application/json"} if data is not None else {}
    sent.update(headers or {})
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            status, answer_headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, dict(error.headers), error.read()
        error.close()
    assert answer_headers["Content-Type"].startswith("application/")
    assert b"Traceback" not in raw
    return status, answer_headers, json.loads(raw)


def control(server: EcsServer, path: str, body: Mapping[str, Any] | None = None) -> Any:
    """A control API call that must succeed: its JSON answer."""
    status, _, answer = http(
        f"{server.url}/_ecs_tasks/{path}", body, method="GET" if body is None else "POST"
    )
    assert status == 200, answer
    return answer


def aws_env(tmp_path: Path) -> dict[str, str]:
    """The environment of an AWS CLI run: fake credentials, no config files, no proxies."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")
    }
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_CONFIG_FILE=str(tmp_path / "no-such-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-such-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_MAX_ATTEMPTS="1",
        NO_PROXY="127.0.0.1,localhost",
    )
    return env


def aws(env: Mapping[str, str], *args: str, endpoint_url: str | None, service: str = "ecs") -> Any:
    """Run the real AWS CLI (``python -m awscli ecs ...``, or another ``service``); its
    JSON output."""
    endpoint = ["--endpoint-url", endpoint_url] if endpoint_url else []
    options = ["--region", "us-east-1", "--output", "json"]
    done = subprocess.run(
        [sys.executable, "-m", "awscli", service, *args, *endpoint, *options],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"aws {service} {' '.join(args)}: {done.stderr}"
    return json.loads(done.stdout)


def http_client(url: str, region: str = "us-east-1") -> ECSClient:
    """A boto3 ECS client that really sends its requests to ``url``.

    moto answers every boto3 request of this process while its mock is active
    (the ``ecs_tasks`` fixture's is); this client leaves moto's hook out.
    """
    client = boto3.client(
        "ecs",
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    client.meta.events.unregister("before-send", botocore_stubber)
    return client


def served_over_http(response: Mapping[str, Any]) -> bool:
    return bool(
        response["ResponseMetadata"]["HTTPHeaders"].get("server", "").startswith("pytest-ecs-tasks")
    )


# -- the real AWS CLI ------------------------------------------------------------------------


def test_aws_cli_runs_describes_stops_and_sees_a_task_expire(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer, tmp_path: Path
) -> None:
    url = ecs_tasks_server.url
    assert url.startswith("http://127.0.0.1:")
    assert os.environ["AWS_ENDPOINT_URL_ECS"] == url
    env = aws_env(tmp_path)

    cluster = aws(env, "create-cluster", "--cluster-name", "jobs", endpoint_url=url)["cluster"]
    assert cluster["status"] == "ACTIVE"
    # the same fake, in-process
    assert ecs_tasks.client().describe_clusters(clusters=["jobs"])["clusters"][0] == cluster
    # an EC2 host for the task (RunTask's default launch type), as its ECS agent registers it
    hosted = control(ecs_tasks_server, "clusters", {"name": "jobs", "container_instances": 1})
    assert hosted["registeredContainerInstancesCount"] == 1

    definition = aws(
        env,
        "register-task-definition",
        "--family",
        "worker",
        "--container-definitions",
        '[{"name": "worker", "image": "busybox", "memory": 128, "essential": true}]',
        endpoint_url=url,
    )["taskDefinition"]  # moto's answer
    assert definition["taskDefinitionArn"].endswith(":task-definition/worker:1")

    run = aws(
        env, "run-task", "--cluster", "jobs", "--task-definition", "worker:1", endpoint_url=url
    )
    assert run["failures"] == []
    task_arn = run["tasks"][0]["taskArn"]
    assert [c["name"] for c in run["tasks"][0]["containers"]] == ["worker"]  # moto's definition

    control(ecs_tasks_server, "clock/advance", {"seconds": 60})
    described = aws(
        env,
        "describe-tasks",
        "--cluster",
        "jobs",
        "--tasks",
        task_arn,
        NEVER_RAN,
        endpoint_url=url,
    )
    response = model.from_wire("DescribeTasks", described)
    assert_valid_response("DescribeTasks", response)
    (task,) = response["tasks"]
    assert_consistent_task(task, now=ecs_tasks.clock.now())
    assert task["lastStatus"] == "RUNNING"
    assert response["failures"] == [
        {"arn": task_arn.rsplit("/", 1)[0] + "/" + NEVER_RAN, "reason": "MISSING"}
    ]

    stopped = aws(
        env,
        "stop-task",
        "--cluster",
        "jobs",
        "--task",
        task_arn,
        "--reason",
        "done here",
        endpoint_url=url,
    )["task"]
    assert stopped["desiredStatus"] == "STOPPED"
    assert stopped["stoppedReason"] == "done here"

    later = ecs_tasks.clock.now() + timedelta(hours=1, minutes=5)
    assert control(ecs_tasks_server, "clock/move_to", {"when": later.isoformat()}) == {
        "now": later.isoformat()
    }
    # no --endpoint-url: AWS_ENDPOINT_URL_ECS, set by the fixture, points the CLI at the server
    env["AWS_ENDPOINT_URL_ECS"] = os.environ["AWS_ENDPOINT_URL_ECS"]
    expired = aws(
        env, "describe-tasks", "--cluster", "jobs", "--tasks", task_arn, endpoint_url=None
    )
    assert expired == {"tasks": [], "failures": [{"arn": task_arn, "reason": "MISSING"}]}

    assert [c.operation for c in ecs_tasks.calls] == [
        "CreateCluster",
        "DescribeClusters",
        "RunTask",
        "DescribeTasks",
        "StopTask",
        "DescribeTasks",
    ]


# -- boto3 over HTTP -------------------------------------------------------------------------


def test_boto3_client_with_endpoint_url(ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer) -> None:
    ecs = http_client(ecs_tasks_server.url)
    clusters = ecs.list_clusters()
    assert served_over_http(clusters)
    assert clusters["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/default"]

    # state and clock shared with the in-process fake, both ways
    arn = ecs_tasks.run_task(runs_for=30, exit_code=3)["taskArn"]
    ecs_tasks.clock.advance(minutes=5)
    (task,) = ecs.describe_tasks(tasks=[arn])["tasks"]
    assert task["lastStatus"] == "STOPPED"
    assert task["containers"][0]["exitCode"] == 3

    # fall-through to moto, over HTTP; the fake runs moto's task definitions
    registered = ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 256}]
    )
    assert served_over_http(registered)
    assert ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"] == 1
    with_container_instance(ecs_tasks)  # an EC2 host: RunTask's default launch type needs one
    started = ecs.run_task(taskDefinition="web:1")["tasks"][0]
    assert [c["name"] for c in started["containers"]] == ["web"]
    in_process = ecs_tasks.client().describe_tasks(tasks=[started["taskArn"]])["tasks"]
    assert [t["taskArn"] for t in in_process] == [started["taskArn"]]
    # in-process clients now default to the server's URL (AWS_ENDPOINT_URL_ECS): still served
    in_process_client = ecs_tasks.client()
    in_process_client.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 512}]
    )
    assert ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"] == 2
    with pytest.raises(ClientError) as moto_error:
        ecs.describe_task_definition(taskDefinition="nope:7")
    assert moto_error.value.response["Error"]["Code"] == "ClientException"

    # errors with their code and HTTP status
    ecs_tasks.fail("DescribeTasks", "ThrottlingException")
    with pytest.raises(ClientError) as throttled:
        ecs.describe_tasks(tasks=[arn])
    assert throttled.value.response["Error"] == {
        "Code": "ThrottlingException",
        "Message": "Rate exceeded",
    }
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    ecs_tasks.fail("ListTasks", "ServerException")
    with pytest.raises(ClientError) as broken:
        ecs.list_tasks()
    assert broken.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    with pytest.raises(ClientError) as missing:
        ecs.describe_tasks(cluster="nope", tasks=[arn])
    assert missing.value.response["Error"]["Code"] == "ClusterNotFoundException"


def test_the_region_comes_from_the_signature(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer
) -> None:
    ecs = http_client(ecs_tasks_server.url, region="eu-west-1")
    ecs.register_task_definition(
        family="app", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 256}]
    )
    # an EC2 host in eu-west-1's default cluster (RunTask's default launch type needs one)
    register_container_instance(ecs, "eu-west-1")
    task = ecs.run_task(taskDefinition="app:1")["tasks"][0]
    assert task["taskArn"].startswith("arn:aws:ecs:eu-west-1:123456789012:task/default/")
    assert ecs_tasks.calls[-1].region == "eu-west-1"
    assert http_client(ecs_tasks_server.url).describe_tasks(tasks=[task["taskArn"]])["tasks"] == []
    # unsigned: the fake's region
    status, _, answer = http(
        ecs_tasks_server.url + "/",
        {},
        headers={"X-Amz-Target": TARGET + "ListClusters"},
    )
    assert status == 200
    assert answer["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/default"]


@pytest.mark.parametrize(
    ("target", "body", "status", "code"),
    [
        (None, b"{}", 400, "UnknownOperationException"),
        ("DynamoDB_20120810.ListTables", b"{}", 400, "UnknownOperationException"),
        (TARGET + "LaunchRockets", b"{}", 400, "UnknownOperationException"),
        (TARGET + "DescribeTasks", b"{not json", 400, "SerializationException"),
        (TARGET + "DescribeTasks", b"{}", 400, "InvalidParameterException"),
        (TARGET + "GetTaskProtection", b'{"cluster": "default"}', 501, "NotImplementedException"),
    ],
    ids=["no-target", "other-service", "no-such-operation", "bad-json", "invalid", "moto-lacks"],
)
def test_ecs_api_errors_are_json(
    ecs_tasks_server: EcsServer, target: str | None, body: bytes, status: int, code: str
) -> None:
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target is not None:
        headers["X-Amz-Target"] = target
    got_status, got_headers, answer = http(ecs_tasks_server.url + "/", body, headers=headers)
    assert got_status == status
    assert got_headers["Content-Type"] == "application/x-amz-json-1.1"
    assert answer["__type"] == code
    assert answer["message"]


# -- the control API -------------------------------------------------------------------------


def test_control_api(ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer) -> None:
    ecs = ecs_tasks.client()
    assert control(ecs_tasks_server, "clock") == {"now": DEFAULT_START.isoformat()}
    assert control(ecs_tasks_server, "clock/advance", {"seconds": 90.5}) == {
        "now": (DEFAULT_START + timedelta(seconds=90.5)).isoformat()
    }
    assert control(ecs_tasks_server, "clock/move_to", {"when": "2024-01-01T13:00:00Z"}) == {
        "now": "2024-01-01T13:00:00+00:00"
    }
    assert ecs_tasks.clock.now() == datetime(2024, 1, 1, 13, tzinfo=timezone.utc)

    cluster = control(ecs_tasks_server, "clusters", {"name": "jobs", "tags": {"team": "data"}})
    assert cluster["clusterName"] == "jobs"
    assert ecs.list_tags_for_resource(resourceArn=cluster["clusterArn"])["tags"] == [
        {"key": "team", "value": "data"}
    ]

    run = control(
        ecs_tasks_server,
        "tasks",
        {
            "cluster": "jobs",
            "containers": [{"name": "main", "image": "busybox", "essential": True}],
            "runs_for": 60,
            "exit_code": {"main": 2},
            "tags": {"job": "nightly"},
            "timings": {"pending": 1},
        },
    )
    assert isinstance(run["createdAt"], float)  # wire shape: epoch seconds
    assert_valid_response("DescribeTasks", model.from_wire("DescribeTasks", {"tasks": [run]}))
    control(ecs_tasks_server, "clock/advance", {"seconds": 600})
    (task,) = ecs.describe_tasks(cluster="jobs", tasks=[run["taskArn"]], include=["TAGS"])["tasks"]
    assert task["lastStatus"] == "STOPPED"
    assert task["containers"][0]["exitCode"] == 2
    assert task["tags"] == [{"key": "job", "value": "nightly"}]
    failed = control(ecs_tasks_server, "tasks", {"fail_to_start": "CannotPullContainerError: no"})
    assert failed["lastStatus"] == "PROVISIONING"
    control(ecs_tasks_server, "clock/advance", {"seconds": 120})
    (task,) = ecs.describe_tasks(tasks=[failed["taskArn"]])["tasks"]
    assert (task["lastStatus"], task["stopCode"]) == ("STOPPED", "TaskFailedToStart")

    # add: a record built with traits, and one as the service sent it
    added = control(
        ecs_tasks_server, "tasks/add", {"traits": ["stopped", "ec2"], "cluster": "jobs"}
    )
    assert added["lastStatus"] == "STOPPED"
    assert added["launchType"] == "EC2"
    record = TaskFactory(now=ecs_tasks.clock.now(), lastStatus="PENDING")
    pasted = control(ecs_tasks_server, "tasks/add", {"task": model.to_wire(record)})
    assert pasted == model.to_wire(record)
    got = ecs.describe_tasks(tasks=[added["taskArn"], record["taskArn"]], cluster="jobs")
    assert [t["taskArn"] for t in got["tasks"]] == [added["taskArn"]]
    assert ecs.describe_tasks(tasks=[record["taskArn"]])["tasks"] == [record]

    fault = control(
        ecs_tasks_server,
        "faults",
        {"operation": "DescribeTasks", "code": "AccessDeniedException", "times": 2},
    )
    assert fault == {
        "operation": "DescribeTasks",
        "code": "AccessDeniedException",
        "message": None,
        "times": 2,
    }
    for _ in range(2):
        with pytest.raises(ClientError, match="AccessDeniedException"):
            ecs.describe_tasks(tasks=[record["taskArn"]])
    assert ecs.describe_tasks(tasks=[record["taskArn"]])["tasks"]

    assert control(ecs_tasks_server, "seed", {"seed": 1234}) == {"seed": 1234}
    seeded = control(ecs_tasks_server, "tasks/add", {})
    reseed(1234)
    expected = TaskFactory(now=ecs_tasks.clock.now())
    assert seeded["taskArn"] == expected["taskArn"]

    state = control(ecs_tasks_server, "state")
    assert state["now"] == ecs_tasks.clock.now().isoformat()
    assert state["region"] == "us-east-1"
    assert state["retention_seconds"] == 3600
    assert run["taskArn"].rsplit("/", 1)[1] in state["report"]


MALFORMED: list[tuple[str, str, bytes | dict[str, Any] | None, int, str]] = [
    ("POST", "clock/advance", b"{not json", 400, "not JSON"),
    ("POST", "clock/advance", b"[60]", 400, "must be a JSON object"),
    ("POST", "clock/advance", {}, 400, "missing field 'seconds'"),
    ("POST", "clock/advance", {"seconds": "60"}, 400, "seconds must be a number"),
    ("POST", "clock/advance", {"seconds": 60, "fortnights": 1}, 400, "unknown field 'fortnights'"),
    ("POST", "clock/advance", {"seconds": -1}, 400, "only moves forward"),
    ("POST", "clock/move_to", {"when": "2023-12-31T00:00:00Z"}, 400, "only moves forward"),
    ("POST", "clock/move_to", {"when": "teatime"}, 400, "not an ISO 8601"),
    ("POST", "clock/move_to", {"when": None}, 400, "ISO 8601 text or epoch seconds"),
    ("POST", "tasks", {"cluster": "nope"}, 400, "no active cluster 'nope'"),
    ("POST", "tasks", {"runs_for": "soon"}, 400, "runs_for='soon': give"),
    ("POST", "tasks", {"exit_code": "1"}, 400, "exit_code must be"),
    ("POST", "tasks", {"launch_type": "BOAT"}, 400, "launch_type='BOAT'"),
    ("POST", "tasks", {"timings": {"nap": 1}}, 400, "unknown timing 'nap'"),
    ("POST", "tasks", {"colour": "red"}, 400, "unknown field 'colour'"),
    ("POST", "tasks/add", {"traits": ["sleepy"]}, 400, "valid traits: running, pending"),
    ("POST", "tasks/add", {"traits": "stopped"}, 400, "traits must be a list"),
    (
        "POST",
        "tasks/add",
        {"traits": ["running", "stopped"]},
        400,
        "traits 'running' and 'stopped' cannot be given together",
    ),
    ("POST", "tasks/add", {"task": {"taskArn": 5}}, 400, "not a valid Task record"),
    ("POST", "tasks/add", {"task": {"colour": "red"}}, 400, "unknown Task member 'colour'"),
    ("POST", "tasks/add", {"task": {"createdAt": "soon"}}, 400, "task is not a Task record"),
    ("POST", "faults", {"operation": "DescribeTasks"}, 400, "missing field 'code'"),
    ("POST", "faults", {"operation": "DescribeTasks", "code": "Oops"}, 400, "never answers"),
    ("POST", "faults", {"operation": "DescribeTasks", "code": "ServerException", "times": 0}, 400, "times"),
    ("POST", "faults", {"operation": "RegisterTaskDefinition", "code": "ClientException"}, 400, "does not serve"),
    ("POST", "seed", {"seed": "abc"}, 400, "POST /_ecs_tasks/seed: seed='abc': give an integer"),
    ("POST", "clusters", {"name": "no spaces"}, 400, "InvalidParameterException"),
    ("GET", "nothing-here", None, 404, "no such path"),
    ("POST", "clock", {}, 405, "takes GET"),
    ("GET", "clock/advance", None, 405, "takes POST"),
    ("DELETE", "clock", None, 405, "takes GET"),
]  # fmt: skip


def test_control_api_answers_malformed_requests_with_json_errors(
    ecs_tasks: FakeEcs, ecs_tasks_server: EcsServer
) -> None:
    now = ecs_tasks.clock.now()
    for method, path, body, status, fragment in MALFORMED:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        got, headers, answer = http(
            f"{ecs_tasks_server.url}/_ecs_tasks/{path}", data, method=method
        )
        assert (got, headers["Content-Type"]) == (status, "application/json"), (path, body)
        assert list(answer) == ["error"], (path, body)
        assert fragment in answer["error"], (path, body, answer)
    assert ecs_tasks.clock.now() == now
    assert ecs_tasks.calls == []
    assert list(ecs_tasks._service.faults) == []


# -- without pytest's fixtures -------------------------------------------------------------


def test_server_starts_and_stops_a_fake_of_its_own() -> None:
    fake = FakeEcs(region="eu-central-1", start="2030-01-01T00:00:00Z")
    with EcsServer(fake) as server:
        assert fake.active
        assert repr(server).startswith(f"<EcsServer {server.url} ")
        assert control(server, "clock") == {"now": "2030-01-01T00:00:00+00:00"}
        ecs = http_client(server.url, region="eu-central-1")
        clusters = ecs.list_clusters()["clusterArns"]
        assert clusters == ["arn:aws:ecs:eu-central-1:123456789012:cluster/default"]
        with pytest.raises(RuntimeError, match="already started"):
            server.start()
        port = server.port
    assert not fake.active
    server.stop()  # twice is fine
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.url
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))


def test_a_server_around_a_started_fake_leaves_it_started(ecs_tasks: FakeEcs) -> None:
    with EcsServer(ecs_tasks, "127.0.0.1", 0):
        pass
    assert ecs_tasks.active


def _lines(stream: IO[str]) -> Iterator[str]:
    yield from iter(stream.readline, "")


def test_ecs_tasks_serve_prints_its_url_serves_and_exits_0_on_sigterm() -> None:
    script = Path(sys.executable).with_name("ecs-tasks")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pytest_ecs_tasks"]
    process = subprocess.Popen(
        [*command, "serve", "--port", "0", "--start", "2030-01-01T00:00:00Z", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first_line: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stdout = process.stdout
        threading.Thread(target=lambda: first_line.put(stdout.readline()), daemon=True).start()
        line = first_line.get(timeout=TIMEOUT)
        assert line.startswith("Serving fake ECS at http://127.0.0.1:"), line
        url = line.split()[-1]

        ecs = http_client(url)
        response = ecs.describe_tasks(tasks=[NEVER_RAN])
        assert served_over_http(response)
        assert response["tasks"] == []
        assert response["failures"][0]["reason"] == "MISSING"
        status, _, answer = http(f"{url}/_ecs_tasks/clock")
        assert (status, answer) == (200, {"now": "2030-01-01T00:00:00+00:00"})

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=TIMEOUT) == 0
        _, stderr = process.communicate(timeout=TIMEOUT)
        assert "Traceback" not in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)
