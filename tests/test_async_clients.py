"""aiobotocore and aioboto3 clients on the fake, in-process and in virtual time.

Every test here uses real aiobotocore (and aioboto3) clients, run by
pytest-asyncio or anyio; nothing about the clients is mocked.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError

from pytest_ecs_tasks import AsyncClientError, FakeEcs, StaleClientError
from tests.setups import awslogs_container, register_container_instance, with_container_instance

aiobotocore_session = pytest.importorskip("aiobotocore.session")
aioboto3 = pytest.importorskip("aioboto3")

pytest_plugins = ["pytester"]


def ecs_client(region: str | None = None) -> Any:
    """An aiobotocore ECS client (an async context manager), as code under test makes one."""
    session = aiobotocore_session.get_session()
    if region is None:
        return session.create_client("ecs")
    return session.create_client("ecs", region_name=region)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every attempt to resolve or connect to a host, refused and recorded."""
    attempts: list[Any] = []

    def getaddrinfo(*args: Any, **kwargs: Any) -> Any:
        attempts.append(("getaddrinfo", args[0] if args else kwargs.get("host")))
        raise OSError("the network is off in this test")

    def connect(self: socket.socket, address: Any) -> None:
        attempts.append(("connect", address))
        raise OSError("the network is off in this test")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    return attempts


@pytest.mark.asyncio
async def test_describe_run_stop_and_list_through_aiobotocore(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster("jobs")
    with_container_instance(ecs_tasks, "jobs")  # a host for RunTask's default launch type, EC2
    started = ecs_tasks.run_task("jobs", runs_for=timedelta(minutes=5))
    async with ecs_client() as client:
        await client.register_task_definition(
            family="job",
            containerDefinitions=[{"name": "app", "image": "busybox", "memory": 128}],
        )
        run = await client.run_task(cluster="jobs", taskDefinition="job", startedBy="async")
        assert run["failures"] == []
        arn = run["tasks"][0]["taskArn"]
        listed = await client.list_tasks(cluster="jobs")
        assert sorted(listed["taskArns"]) == sorted([started["taskArn"], arn])
        stopped = await client.stop_task(cluster="jobs", task=arn, reason="done here")
        assert stopped["task"]["desiredStatus"] == "STOPPED"
        ecs_tasks.clock.advance(minutes=3)
        described = await client.describe_tasks(cluster="jobs", tasks=[arn, started["taskArn"]])
    by_arn = {task["taskArn"]: task for task in described["tasks"]}
    assert by_arn[arn]["lastStatus"] == "STOPPED"
    assert by_arn[arn]["stopCode"] == "UserInitiated"
    assert by_arn[arn]["stoppedReason"] == "done here"
    assert by_arn[arn]["startedBy"] == "async"
    assert by_arn[started["taskArn"]]["lastStatus"] == "RUNNING"
    assert [call.operation for call in ecs_tasks.calls] == [
        "RunTask",
        "ListTasks",
        "StopTask",
        "DescribeTasks",
    ]


@pytest.mark.asyncio
async def test_a_call_the_client_saw_succeed_is_the_only_change_in_the_fake(
    ecs_tasks: FakeEcs,
) -> None:
    # Under plain moto, this RunTask raised TypeError in the client after the
    # service had already started the task.
    ecs_tasks.create_cluster()
    with_container_instance(ecs_tasks)  # a host for RunTask's default launch type, EC2
    async with ecs_client() as client:
        await client.register_task_definition(
            family="job", containerDefinitions=[{"name": "app", "image": "x", "memory": 64}]
        )
        run = await client.run_task(taskDefinition="job")
    assert [(call.operation, call.error) for call in ecs_tasks.calls] == [("RunTask", None)]
    assert ecs_tasks.client().list_tasks()["taskArns"] == [run["tasks"][0]["taskArn"]]


@pytest.mark.asyncio
async def test_missing_tasks_come_back_as_failures(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster()
    kept = ecs_tasks.run_task(runs_for=60)
    async with ecs_client() as client:
        answer = await client.describe_tasks(tasks=[kept["taskArn"], "0" * 32])
    assert [task["taskArn"] for task in answer["tasks"]] == [kept["taskArn"]]
    assert answer["failures"] == [
        {
            "arn": f"arn:aws:ecs:us-east-1:123456789012:task/default/{'0' * 32}",
            "reason": "MISSING",
        }
    ]


@pytest.mark.asyncio
async def test_tasks_stopped_waiter_on_a_five_minute_task_moves_the_clock(
    ecs_tasks: FakeEcs,
) -> None:
    ecs_tasks.create_cluster()
    task = ecs_tasks.run_task(runs_for=timedelta(minutes=5), exit_code=0)
    before = ecs_tasks.clock.now()
    wall = time.monotonic()
    async with ecs_client() as client:
        await client.get_waiter("tasks_stopped").wait(tasks=[task["taskArn"]])
        described = await client.describe_tasks(tasks=[task["taskArn"]])
    moved = ecs_tasks.clock.now() - before
    assert timedelta(minutes=5) < moved < timedelta(minutes=8)
    assert described["tasks"][0]["lastStatus"] == "STOPPED"
    assert described["tasks"][0]["containers"][0]["exitCode"] == 0
    # 6 s between polls for 5+ virtual minutes: some 50 polls, none slept in wall time.
    assert time.monotonic() - wall < moved.total_seconds() / 10


@pytest.mark.asyncio
async def test_a_terminal_waiter_failure_is_raised_as_for_boto3(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster()
    async with ecs_client() as client:
        with pytest.raises(WaiterError, match="terminal failure") as raised:
            await client.get_waiter("tasks_running").wait(tasks=["f" * 32])
    last_response: dict[str, Any] = dict(raised.value.last_response)
    assert last_response["failures"][0]["reason"] == "MISSING"
    assert [call.operation for call in ecs_tasks.calls] == ["DescribeTasks"]


@pytest.mark.asyncio
async def test_throttling_is_retried_in_virtual_time(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster()
    task = ecs_tasks.run_task()
    ecs_tasks.fail("DescribeTasks", "ThrottlingException", times=3)
    before = ecs_tasks.clock.now()
    async with ecs_client() as client:
        answer = await client.describe_tasks(tasks=[task["taskArn"]])
    assert answer["tasks"][0]["taskArn"] == task["taskArn"]
    assert answer["ResponseMetadata"]["RetryAttempts"] == 3
    assert ecs_tasks.clock.now() > before  # the back-offs passed on the fake clock
    assert [call.error.code if call.error else None for call in ecs_tasks.calls] == [
        "ThrottlingException",
        "ThrottlingException",
        "ThrottlingException",
        None,
    ]


@pytest.mark.asyncio
async def test_errors_are_the_services(ecs_tasks: FakeEcs) -> None:
    async with ecs_client() as client:
        with pytest.raises(ClientError) as raised:
            await client.describe_tasks(cluster="nowhere", tasks=["a" * 32])
    assert raised.value.response["Error"]["Code"] == "ClusterNotFoundException"
    assert raised.value.response["Error"]["Message"] == "Cluster not found."


@pytest.mark.asyncio
async def test_any_region_is_served_by_the_fake(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster()
    async with ecs_client("eu-west-1") as europe, ecs_client() as home:
        await europe.create_cluster(clusterName="default")
        # a host in eu-west-1's default cluster, for RunTask's default launch type (EC2)
        register_container_instance(ecs_tasks.client("eu-west-1"), "eu-west-1")
        await europe.register_task_definition(
            family="job", containerDefinitions=[{"name": "app", "image": "x", "memory": 64}]
        )
        run = await europe.run_task(taskDefinition="job")
        assert run["tasks"][0]["taskArn"].startswith("arn:aws:ecs:eu-west-1:")
        assert (await europe.list_tasks())["taskArns"] == [run["tasks"][0]["taskArn"]]
        assert (await home.list_tasks())["taskArns"] == []


@pytest.mark.asyncio
async def test_aioboto3_clients_and_other_services_through_moto(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster()
    task = ecs_tasks.run_task(runs_for=30)
    session = aioboto3.Session()
    async with session.client("s3") as s3, session.client("ecs") as ecs:
        await s3.create_bucket(Bucket="job-output")
        await s3.put_object(Bucket="job-output", Key="result.json", Body=b'{"ok": true}')
        ecs_tasks.clock.advance(minutes=3)
        described = await ecs.describe_tasks(tasks=[task["taskArn"]])
        body = (await s3.get_object(Bucket="job-output", Key="result.json"))["Body"]
        async with body as stream:
            data = await stream.read()
    assert described["tasks"][0]["lastStatus"] == "STOPPED"
    assert data == b'{"ok": true}'
    assert [call.operation for call in ecs_tasks.calls] == ["DescribeTasks"]


@pytest.mark.asyncio
async def test_aioboto3_waiter_moves_the_clock(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster()
    task = ecs_tasks.run_task(runs_for=timedelta(minutes=5))
    before = ecs_tasks.clock.now()
    async with aioboto3.Session().client("ecs") as ecs:
        await ecs.get_waiter("tasks_stopped").wait(tasks=[task["taskArn"]])
    assert ecs_tasks.clock.now() - before > timedelta(minutes=5)


@pytest.mark.asyncio
async def test_after_the_fake_stops_no_async_client_reaches_it_or_the_network(
    no_network: list[Any],
) -> None:
    async with FakeEcs() as fake:
        fake.create_cluster()
        made_inside = ecs_client()
        client = await made_inside.__aenter__()
        await client.list_tasks()
    try:
        with pytest.raises(StaleClientError, match="that fake has stopped"):
            await client.list_tasks()
    finally:
        await made_inside.__aexit__(None, None, None)
    assert [call.operation for call in fake.calls] == ["ListTasks"]
    assert no_network == []


@pytest.mark.asyncio
async def test_async_with_starts_and_stops_the_fake() -> None:
    fake = FakeEcs(region="ap-south-1")
    async with fake:
        assert fake.active
        async with ecs_client() as client:  # no region given: the fake's home region
            await client.create_cluster(clusterName="c")
            clusters = (await client.list_clusters())["clusterArns"]
            assert "arn:aws:ecs:ap-south-1:123456789012:cluster/c" in clusters
    assert not fake.active


@pytest.mark.asyncio
async def test_an_unsupported_aiobotocore_is_refused_before_the_fake_sees_the_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import aiobotocore

    monkeypatch.setattr(aiobotocore, "__version__", "2.5.0")
    async with FakeEcs() as fake:
        fake.create_cluster()
        async with ecs_client() as client:
            with pytest.raises(
                AsyncClientError, match=r"pip install 'pytest-ecs-tasks\[async\]'"
            ) as err:
                await client.list_tasks()
    assert "this process has aiobotocore 2.5.0" in str(err.value)
    assert fake.calls == []


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_fixture_from_an_anyio_test(ecs_tasks: FakeEcs, anyio_backend: str) -> None:
    ecs_tasks.create_cluster()
    task = ecs_tasks.run_task(runs_for=120)
    async with ecs_client() as client:
        await client.get_waiter("tasks_stopped").wait(tasks=[task["taskArn"]])
    assert ecs_tasks.clock.now() - task["createdAt"] > timedelta(minutes=2)


def test_a_session_made_at_import_time_before_moto_is_served(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sys
        import aioboto3
        import pytest

        assert "moto" not in sys.modules  # the plugin imports nothing heavy at start
        SESSION = aioboto3.Session(region_name="us-east-1")

        @pytest.mark.asyncio
        async def test_module_level_session(ecs_tasks):
            ecs_tasks.create_cluster()
            task = ecs_tasks.run_task(runs_for=60)
            async with SESSION.client("ecs") as ecs:
                await ecs.get_waiter("tasks_stopped").wait(tasks=[task["taskArn"]])
                answer = await ecs.describe_tasks(tasks=[task["taskArn"]])
            assert answer["tasks"][0]["lastStatus"] == "STOPPED"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_fake_and_fixture_in_pytest_asyncio_and_anyio_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from aiobotocore.session import get_session
        from pytest_ecs_tasks import FakeEcs

        @pytest.mark.asyncio
        async def test_fixture_asyncio(ecs_tasks, ecs_clock):
            ecs_tasks.create_cluster()
            async with get_session().create_client("ecs") as ecs:
                assert (await ecs.list_clusters())["clusterArns"]

        @pytest.mark.anyio
        async def test_fixture_anyio(ecs_tasks):
            async with get_session().create_client("ecs") as ecs:
                assert (await ecs.list_tasks())["taskArns"] == []

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.asyncio
        async def test_async_with_fake():
            async with FakeEcs(region="eu-north-1") as fake:
                async with get_session().create_client("ecs") as ecs:
                    await ecs.create_cluster(clusterName="a")
                assert [call.operation for call in fake.calls] == ["CreateCluster"]
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


@pytest.mark.asyncio
async def test_sleeps_in_moves_the_clock_for_the_named_module_only(ecs_tasks: FakeEcs) -> None:
    import types

    poller = types.ModuleType("poller_under_test")
    exec(
        "import asyncio, time\n"
        "async def poll(n):\n"
        "    for _ in range(n):\n"
        "        await asyncio.sleep(30)\n"
        "def poll_sync(n):\n"
        "    for _ in range(n):\n"
        "        time.sleep(30)\n",
        poller.__dict__,
    )
    before = ecs_tasks.clock.now()
    wall = time.monotonic()
    with ecs_tasks.clock.sleeps_in(poller):
        await poller.poll(10)
        poller.poll_sync(10)
        await asyncio.sleep(0.01)  # this module's own sleep: real, and the clock stays
    assert ecs_tasks.clock.now() - before == timedelta(minutes=10)
    assert time.monotonic() - wall < 5
    assert poller.asyncio is asyncio and poller.time is time  # put back on leaving


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
async def test_every_retry_mode_backs_off_in_virtual_time(ecs_tasks: FakeEcs, mode: str) -> None:
    from aiobotocore.config import AioConfig

    ecs_tasks.create_cluster()
    ecs_tasks.fail("ListTasks", "ThrottlingException", times=2)
    before = ecs_tasks.clock.now()
    config = AioConfig(retries={"mode": mode, "max_attempts": 5})
    async with aiobotocore_session.get_session().create_client("ecs", config=config) as client:
        answer = await client.list_tasks()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert ecs_tasks.clock.now() > before


def test_a_boto3_client_made_in_the_fake_is_kept_from_aws_after_it_stops(
    no_network: list[Any],
) -> None:
    import boto3

    with FakeEcs() as fake:
        client = boto3.client("ecs")
        client.list_tasks()
    with pytest.raises(StaleClientError, match="that fake has stopped"):
        client.list_tasks()
    assert len(fake.calls) == 1
    assert no_network == []


def _python(code: str) -> str:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_starting_the_fake_imports_no_aiobotocore() -> None:
    # aiobotocore and aiohttp take some 200 ms to import: only code that uses them pays.
    out = _python(
        "import sys\n"
        "from pytest_ecs_tasks import FakeEcs\n"
        "with FakeEcs() as fake:\n"
        "    fake.client().list_tasks()\n"
        "print('aiobotocore' in sys.modules, 'aiohttp' in sys.modules)\n"
    )
    assert out == "False False"


def test_aiobotocore_first_imported_inside_the_fake_is_served_and_put_back_after() -> None:
    out = _python(
        "import asyncio, sys\n"
        "from pytest_ecs_tasks import FakeEcs\n"
        "async def main():\n"
        "    async with FakeEcs() as fake:\n"
        "        from aiobotocore.session import get_session\n"
        "        import aiobotocore.endpoint as endpoint\n"
        "        patched = endpoint.AioEndpoint._send\n"
        "        fake.create_cluster()\n"
        "        task = fake.run_task(runs_for=300)\n"
        "        async with get_session().create_client('ecs') as ecs:\n"
        "            await ecs.get_waiter('tasks_stopped').wait(tasks=[task['taskArn']])\n"
        "        moved = fake.clock.now() - task['createdAt']\n"
        "    print(moved.total_seconds() > 300, endpoint.AioEndpoint._send is not patched,\n"
        "          endpoint.asyncio is asyncio,\n"
        "          any(type(f).__name__ == '_Watcher' for f in sys.meta_path))\n"
        "asyncio.run(main())\n"
    )
    assert out == "True True True False"


@pytest.mark.asyncio
async def test_a_client_without_credentials_is_served(
    ecs_tasks: FakeEcs, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fake puts moto's keys in the environment; code that finds none (a session
    # made elsewhere, a cleared environment) is served all the same.
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    task = ecs_tasks.run_task()
    session = aiobotocore_session.get_session()
    assert await session.get_credentials() is None
    async with session.create_client("ecs") as client:
        answer = await client.describe_tasks(tasks=[task["taskArn"]])
    assert [t["taskArn"] for t in answer["tasks"]] == [task["taskArn"]]


@pytest.mark.asyncio
async def test_events_and_log_lines_reach_async_clients_as_the_waiter_moves_the_clock(
    ecs_tasks: FakeEcs,
) -> None:
    import json

    with_container_instance(ecs_tasks)  # the EC2 launch type needs one
    session = aiobotocore_session.get_session()
    async with (
        session.create_client("ecs", region_name="us-east-1") as ecs,
        session.create_client("logs", region_name="us-east-1") as logs,
        session.create_client("sqs", region_name="us-east-1") as sqs,
        session.create_client("events", region_name="us-east-1") as events,
    ):
        queue = (await sqs.create_queue(QueueName="ecs"))["QueueUrl"]
        attributes = await sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
        await events.put_rule(Name="ecs", EventPattern=json.dumps({"source": ["aws.ecs"]}))
        await events.put_targets(
            Rule="ecs", Targets=[{"Id": "q", "Arn": attributes["Attributes"]["QueueArn"]}]
        )
        await ecs.register_task_definition(
            family="job",
            requiresCompatibilities=["EC2"],
            containerDefinitions=[awslogs_container()],
        )
        ecs_tasks.plan_runs(runs_for="1m", times=1, logs={"app": ["hello", "bye"]})
        task = (await ecs.run_task(taskDefinition="job"))["tasks"][0]
        task_id = task["taskArn"].rsplit("/", 1)[1]
        await ecs.get_waiter("tasks_stopped").wait(tasks=[task["taskArn"]])
        lines = await logs.get_log_events(
            logGroupName="/ecs/job", logStreamName=f"ecs/app/{task_id}", startFromHead=True
        )
        received = await sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
    assert [e["message"] for e in lines["events"]] == ["hello", "bye"]
    statuses = [json.loads(m["Body"])["detail"]["lastStatus"] for m in received["Messages"]]
    assert statuses[0] == "PENDING" and statuses[-1] == "STOPPED"
    assert len(statuses) == len(ecs_tasks.events)


@pytest.mark.asyncio
async def test_a_client_made_before_the_fake_parses_timestamps_the_fast_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An aiobotocore client made before the fake started reads the fake's answers
    with the fake's timestamp parsing (botocore's results), as a boto3 client does."""
    import botocore.parsers

    slow_calls: list[object] = []
    own = botocore.parsers.DEFAULT_TIMESTAMP_PARSER

    def counted(value: str) -> Any:
        slow_calls.append(value)
        return own(value)

    monkeypatch.setattr(botocore.parsers, "DEFAULT_TIMESTAMP_PARSER", counted)
    async with ecs_client("us-east-1") as early:
        with FakeEcs() as fake:
            arn = fake.run_task(runs_for=60)["taskArn"]
            fake.clock.advance(minutes=5)
            expected = fake.client().describe_tasks(tasks=[arn])["tasks"][0]
            (got,) = (await early.describe_tasks(tasks=[arn]))["tasks"]

    assert slow_calls == []
    assert got["stoppedAt"] == expected["stoppedAt"]
    assert got == expected
