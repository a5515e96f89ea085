"""The transport floor: ECS requests of real boto3 clients routed inside real moto, virtual sleeps.

No boto3, botocore or moto object is mocked here: every call goes through a real
client, botocore's serialising, signing, retrying and parsing, and moto's stubber.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, Literal

import boto3
import boto3.session
import botocore.endpoint
import botocore.waiter
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.handlers import BUILTIN_HANDLERS
from botocore.loaders import Loader
from botocore.retries import bucket, standard
from moto import mock_aws
from moto.core.models import botocore_stubber

from pytest_ecs_tasks._transport import Dispatch, EcsRoute, install_sleeper

Answer = tuple[int, dict[str, str], bytes]
Handler = Callable[[str, dict[str, Any]], Answer | None]

JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1"}
THROTTLED = (400, JSON_HEADERS, b'{"__type":"ThrottlingException","message":"Rate exceeded"}')
# Generous: without virtual time each of these tests would sleep for tens of seconds.
WALL_TIME_LIMIT = 1.0


def answer(payload: dict[str, Any], status: int = 200) -> Answer:
    """An ECS JSON response as the service sends it."""
    return status, dict(JSON_HEADERS), json.dumps(payload).encode()


TASK_ID = "0123456789abcdef0123456789abcdef"
TASK_ARN = f"arn:aws:ecs:us-east-1:123456789012:task/app/{TASK_ID}"


def task(status: str) -> dict[str, Any]:
    """A small task record as it is on the wire (timestamps as epoch seconds)."""
    return {
        "taskArn": TASK_ARN,
        "lastStatus": status,
        "createdAt": 1704110400.5,
    }


class Recorder:
    """A dispatch that records every ECS request and answers those it has a handler for."""

    def __init__(self, **handlers: Handler) -> None:
        self.handlers = handlers
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.threads: set[int] = set()

    def __call__(self, region: str, operation: str, body: bytes) -> Answer | None:
        params: dict[str, Any] = json.loads(body) if body else {}
        self.calls.append((region, operation, params))
        self.threads.add(threading.get_ident())
        handler = self.handlers.get(operation)
        return None if handler is None else handler(region, params)

    @property
    def operations(self) -> list[str]:
        """The operation names received, in order."""
        return [operation for _, operation, _ in self.calls]


def describe(status: str = "RUNNING") -> Handler:
    """A DescribeTasks handler answering one task in ``status``."""
    return lambda region, params: answer({"tasks": [task(status)], "failures": []})


def routed_default_loader() -> Loader:
    """The data loader behind the default session of a route started just for this."""
    route = EcsRoute(Recorder())
    route.start()
    try:
        boto3.client("ecs", region_name="us-east-1")
        assert boto3.DEFAULT_SESSION is not None
        return boto3.DEFAULT_SESSION._loader
    finally:
        route.stop()


def handler_names(events: Any, event_name: str) -> list[str]:
    """What handles ``event_name`` in a session's event emitter, named so sessions compare."""
    handlers = events._emitter._handlers.prefix_search(event_name)
    return [getattr(handler, "__qualname__", repr(handler)) for handler in handlers]


@pytest.fixture
def start_route() -> Iterator[Callable[[Dispatch], EcsRoute]]:
    """Start routes for the test; whatever is still active is stopped afterwards."""
    routes: list[EcsRoute] = []

    def start(dispatch: Dispatch) -> EcsRoute:
        route = EcsRoute(dispatch)
        route.start()
        routes.append(route)
        return route

    yield start
    for route in reversed(routes):
        route.stop()


@pytest.fixture
def sleeps() -> Iterator[list[float]]:
    """Install a sleeper that records the seconds botocore asks to sleep."""
    slept: list[float] = []
    uninstall = install_sleeper(slept.append)
    yield slept
    uninstall()


# --- routing -----------------------------------------------------------------------------------


def test_dispatch_answer_is_what_describe_tasks_returns(
    start_route: Callable[[Dispatch], EcsRoute],
) -> None:
    recorder = Recorder(DescribeTasks=describe())
    start_route(recorder)

    response = boto3.client("ecs", region_name="us-east-1").describe_tasks(
        cluster="app", tasks=[TASK_ID]
    )

    assert recorder.calls == [
        ("us-east-1", "DescribeTasks", {"cluster": "app", "tasks": [TASK_ID]})
    ]
    assert response["failures"] == []
    [described] = response["tasks"]
    assert described["lastStatus"] == "RUNNING"
    assert described["taskArn"] == TASK_ARN
    assert isinstance(described["createdAt"], datetime)
    assert described["createdAt"] == datetime(2024, 1, 1, 12, 0, 0, 500000, tzinfo=timezone.utc)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize(
    ("region", "config"),
    [
        pytest.param("us-west-2", None, id="us-west-2"),
        pytest.param("cn-north-1", None, id="china"),
        pytest.param("us-gov-west-1", Config(use_fips_endpoint=True), id="fips"),
        pytest.param("eu-west-1", Config(use_dualstack_endpoint=True), id="dualstack"),
    ],
)
def test_region_is_taken_from_the_endpoint(
    start_route: Callable[[Dispatch], EcsRoute], region: str, config: Config | None
) -> None:
    recorder = Recorder(DescribeTasks=describe())
    start_route(recorder)

    boto3.client("ecs", region_name=region, config=config).describe_tasks(tasks=["t"])

    assert recorder.calls == [(region, "DescribeTasks", {"tasks": ["t"]})]


def test_custom_endpoint_url_is_routed_with_the_signing_region(
    start_route: Callable[[Dispatch], EcsRoute],
) -> None:
    recorder = Recorder(DescribeTasks=describe())
    start_route(recorder)
    client = boto3.client("ecs", region_name="ap-southeast-2", endpoint_url="http://localhost:5000")

    response = client.describe_tasks(tasks=["t"])

    assert recorder.calls == [("ap-southeast-2", "DescribeTasks", {"tasks": ["t"]})]
    assert response["tasks"][0]["lastStatus"] == "RUNNING"


def test_none_falls_through_to_moto(start_route: Callable[[Dispatch], EcsRoute]) -> None:
    recorder = Recorder()
    start_route(recorder)
    client = boto3.client("ecs", region_name="eu-central-1")

    registered = client.register_task_definition(
        family="app", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}]
    )
    described = client.describe_task_definition(taskDefinition="app:1")

    arn = "arn:aws:ecs:eu-central-1:123456789012:task-definition/app:1"
    assert registered["taskDefinition"]["taskDefinitionArn"] == arn
    assert described["taskDefinition"]["taskDefinitionArn"] == arn
    assert recorder.operations == ["RegisterTaskDefinition", "DescribeTaskDefinition"]


def test_error_answer_raises_client_error(start_route: Callable[[Dispatch], EcsRoute]) -> None:
    start_route(
        Recorder(
            DescribeTasks=lambda region, params: answer(
                {"__type": "ClusterNotFoundException", "message": "Cluster not found."}, 400
            )
        )
    )
    client = boto3.client("ecs", region_name="us-east-1")

    with pytest.raises(client.exceptions.ClusterNotFoundException) as raised:
        client.describe_tasks(cluster="gone", tasks=["t"])

    assert isinstance(raised.value, ClientError)
    assert raised.value.response["Error"] == {
        "Code": "ClusterNotFoundException",
        "Message": "Cluster not found.",
    }
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_clients_created_before_start_are_routed(
    start_route: Callable[[Dispatch], EcsRoute],
) -> None:
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-2"
    )
    client = session.client("ecs")
    recorder = Recorder(DescribeTasks=describe("STOPPED"))
    start_route(recorder)

    response = client.describe_tasks(tasks=["t"])

    assert response["tasks"][0]["lastStatus"] == "STOPPED"
    assert recorder.operations == ["DescribeTasks"]


def test_requests_from_other_threads_are_routed(
    start_route: Callable[[Dispatch], EcsRoute],
) -> None:
    recorder = Recorder(DescribeTasks=describe())
    start_route(recorder)
    client = boto3.client("ecs", region_name="us-east-1")

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(
            pool.map(
                lambda _: client.describe_tasks(tasks=["t"])["tasks"][0]["lastStatus"], range(8)
            )
        )

    assert statuses == ["RUNNING"] * 8
    assert threading.get_ident() not in recorder.threads


def test_joins_the_callers_mock_aws_and_keeps_its_data(
    start_route: Callable[[Dispatch], EcsRoute],
) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="mine")
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName="made-before")
        recorder = Recorder(DescribeTasks=describe())

        route = start_route(recorder)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["mine"]
        assert ecs.describe_tasks(tasks=["t"])["tasks"][0]["lastStatus"] == "RUNNING"
        assert ecs.list_clusters()["clusterArns"] == [
            "arn:aws:ecs:us-east-1:123456789012:cluster/made-before"
        ]
        route.stop()

        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["mine"]
        assert ecs.list_clusters()["clusterArns"] == [
            "arn:aws:ecs:us-east-1:123456789012:cluster/made-before"
        ]
        assert recorder.operations == ["DescribeTasks", "ListClusters"]


def test_stop_restores_moto_and_boto3() -> None:
    shared_loader = routed_default_loader()
    setup_default_session = boto3.setup_default_session
    default_session = boto3.DEFAULT_SESSION
    environment = dict(os.environ)
    recorder = Recorder(DescribeTasks=describe())
    route = EcsRoute(recorder)

    route.start()
    try:
        assert route.active
        assert "process_request" in vars(botocore_stubber)
        assert boto3.setup_default_session is not setup_default_session
    finally:
        route.stop()

    assert not route.active
    assert "process_request" not in vars(botocore_stubber)
    assert boto3.setup_default_session is setup_default_session
    assert boto3.DEFAULT_SESSION is default_session
    assert dict(os.environ) == environment
    with mock_aws():
        client = boto3.client("ecs", region_name="us-east-1")
        assert boto3.DEFAULT_SESSION is not None
        assert boto3.DEFAULT_SESSION._loader is not shared_loader
        assert client.list_clusters()["clusterArns"] == []
    assert recorder.calls == []


def test_stop_twice_does_nothing_and_start_twice_is_refused() -> None:
    route = EcsRoute(Recorder())
    route.stop()
    route.start()
    try:
        with pytest.raises(RuntimeError, match="already started"):
            route.start()
    finally:
        route.stop()
    route.stop()

    assert not route.active
    assert "process_request" not in vars(botocore_stubber)


def test_stop_during_an_exception_restores_everything() -> None:
    route = EcsRoute(Recorder())

    def failing_test() -> None:
        route.start()
        try:
            raise ZeroDivisionError
        finally:
            route.stop()

    with pytest.raises(ZeroDivisionError):
        failing_test()

    assert not route.active
    assert "process_request" not in vars(botocore_stubber)


def test_nested_routes_innermost_wins(start_route: Callable[[Dispatch], EcsRoute]) -> None:
    outer = Recorder(DescribeTasks=describe("RUNNING"))
    inner = Recorder(DescribeTasks=describe("STOPPED"))
    start_route(outer)
    client = boto3.client("ecs", region_name="us-east-1")
    client.create_cluster(clusterName="kept")  # falls through to moto

    inner_route = start_route(inner)
    assert client.describe_tasks(tasks=["t"])["tasks"][0]["lastStatus"] == "STOPPED"
    inner_route.stop()

    assert client.describe_tasks(tasks=["t"])["tasks"][0]["lastStatus"] == "RUNNING"
    assert client.list_clusters()["clusterArns"] == [
        "arn:aws:ecs:us-east-1:123456789012:cluster/kept"
    ]
    assert inner.operations == ["DescribeTasks"]
    assert outer.operations == ["CreateCluster", "DescribeTasks", "ListClusters"]


def test_routes_may_stop_out_of_order(start_route: Callable[[Dispatch], EcsRoute]) -> None:
    environment = dict(os.environ)
    outer = Recorder(DescribeTasks=describe("RUNNING"))
    inner = Recorder(DescribeTasks=describe("STOPPED"))
    outer_route = start_route(outer)
    inner_route = start_route(inner)

    outer_route.stop()
    client = boto3.client("ecs", region_name="us-east-1")
    assert client.describe_tasks(tasks=["t"])["tasks"][0]["lastStatus"] == "STOPPED"
    inner_route.stop()

    assert "process_request" not in vars(botocore_stubber)
    assert dict(os.environ) == environment


# --- client creation ---------------------------------------------------------------------------


def test_default_sessions_share_one_loader_while_routed() -> None:
    first = routed_default_loader()
    second = routed_default_loader()

    assert first is second
    assert len(first.search_paths) == len(set(first.search_paths))


def test_each_test_still_gets_a_new_default_session(
    start_route: Callable[[Dispatch], EcsRoute],
) -> None:
    with mock_aws():
        boto3.client("ecs", region_name="us-east-1")
        users_session = boto3.DEFAULT_SESSION
    start_route(Recorder())

    boto3.client("ecs", region_name="us-east-1")

    assert boto3.DEFAULT_SESSION is not None
    assert boto3.DEFAULT_SESSION is not users_session


def test_routed_sessions_have_the_builtin_handlers_a_normal_session_has(
    start_route: Callable[[Dispatch], EcsRoute],
) -> None:
    start_route(Recorder())
    boto3.client("ecs", region_name="us-east-1")
    assert boto3.DEFAULT_SESSION is not None
    routed = boto3.DEFAULT_SESSION._session.get_component("event_emitter")
    normal = boto3.session.Session()._session.get_component("event_emitter")

    for event_name, *_ in BUILTIN_HANDLERS:
        assert handler_names(routed, event_name) == handler_names(normal, event_name), event_name


# --- virtual time ------------------------------------------------------------------------------


def test_waiter_sleeps_through_the_sleeper(
    start_route: Callable[[Dispatch], EcsRoute], sleeps: list[float]
) -> None:
    statuses = iter(["RUNNING", "RUNNING", "RUNNING", "STOPPED"])
    recorder = Recorder(
        DescribeTasks=lambda region, params: answer({"tasks": [task(next(statuses))]})
    )
    start_route(recorder)
    waiter = boto3.client("ecs", region_name="us-east-1").get_waiter("tasks_stopped")

    started = time.monotonic()
    waiter.wait(cluster="app", tasks=["t"])

    assert time.monotonic() - started < WALL_TIME_LIMIT
    assert sleeps == [6.0, 6.0, 6.0]
    assert recorder.operations == ["DescribeTasks"] * 4


def test_waiter_in_another_thread_sleeps_through_the_sleeper(
    start_route: Callable[[Dispatch], EcsRoute], sleeps: list[float]
) -> None:
    statuses = iter(["PENDING", "RUNNING"])
    start_route(
        Recorder(DescribeTasks=lambda region, params: answer({"tasks": [task(next(statuses))]}))
    )
    waiter = boto3.client("ecs", region_name="us-east-1").get_waiter("tasks_running")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(waiter.wait, tasks=["t"]).result()

    assert time.monotonic() - started < WALL_TIME_LIMIT
    assert sleeps == [6.0]


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_throttling_retries_sleep_through_the_sleeper(
    start_route: Callable[[Dispatch], EcsRoute],
    sleeps: list[float],
    mode: Literal["legacy", "standard", "adaptive"],
) -> None:
    recorder = Recorder(ListTasks=lambda region, params: THROTTLED)
    start_route(recorder)
    config = Config(retries={"mode": mode, "total_max_attempts": 5})
    client = boto3.client("ecs", region_name="us-east-1", config=config)

    started = time.monotonic()
    for _ in range(3):
        with pytest.raises(ClientError) as raised:
            client.list_tasks(cluster="app")
        assert raised.value.response["Error"]["Code"] == "ThrottlingException"

    assert time.monotonic() - started < WALL_TIME_LIMIT
    assert recorder.operations == ["ListTasks"] * 15
    # 4 back-offs per call; adaptive mode also waits for its token bucket to refill.
    assert len(sleeps) >= 12 if mode == "adaptive" else len(sleeps) == 12
    assert all(seconds >= 0 for seconds in sleeps)
    assert sum(sleeps) > 1.0


def test_adaptive_rate_limiter_sees_virtual_time_pass(
    start_route: Callable[[Dispatch], EcsRoute], sleeps: list[float]
) -> None:
    throttles = iter([THROTTLED] * 6)
    start_route(
        Recorder(ListTasks=lambda region, params: next(throttles, answer({"taskArns": []})))
    )
    config = Config(retries={"mode": "adaptive", "total_max_attempts": 10})
    client = boto3.client("ecs", region_name="us-east-1", config=config)

    started = time.monotonic()
    for _ in range(5):
        assert client.list_tasks()["taskArns"] == []

    assert time.monotonic() - started < WALL_TIME_LIMIT
    assert sum(sleeps) > 2.0  # a rate limited to under 1 request/s must wait whole seconds


def test_nested_sleepers_innermost_wins(start_route: Callable[[Dispatch], EcsRoute]) -> None:
    outer: list[float] = []
    inner: list[float] = []
    statuses = iter(["RUNNING", "STOPPED", "RUNNING", "STOPPED"])
    start_route(
        Recorder(DescribeTasks=lambda region, params: answer({"tasks": [task(next(statuses))]}))
    )
    waiter = boto3.client("ecs", region_name="us-east-1").get_waiter("tasks_stopped")
    uninstall_outer = install_sleeper(outer.append)
    try:
        uninstall_inner = install_sleeper(inner.append)
        try:
            waiter.wait(tasks=["t"])
        finally:
            uninstall_inner()
        waiter.wait(tasks=["t"])
    finally:
        uninstall_outer()

    assert inner == [6.0]
    assert outer == [6.0]


def test_uninstall_restores_botocore_exactly() -> None:
    retry_handler_init = vars(standard.RetryHandler)["__init__"]
    retry_defaults = retry_handler_init.__defaults__
    bucket_clock = vars(bucket)["Clock"]
    uninstall = install_sleeper(lambda seconds: None)
    try:
        assert vars(botocore.waiter)["time"] is not time
        assert vars(botocore.endpoint)["time"] is not time
        assert vars(bucket)["Clock"] is not bucket_clock
        assert vars(bucket)["threading"] is not threading
        assert time.sleep not in (retry_handler_init.__defaults__ or ())
    finally:
        uninstall()
    uninstall()

    assert vars(botocore.waiter)["time"] is time
    assert vars(botocore.endpoint)["time"] is time
    assert vars(bucket)["Clock"] is bucket_clock
    assert vars(bucket)["threading"] is threading
    assert retry_handler_init.__defaults__ == retry_defaults
    # botocore 1.34 (the oldest supported) has no sleep default to swap
    assert retry_defaults is None or time.sleep in retry_defaults


def test_real_sleep_once_uninstalled(
    start_route: Callable[[Dispatch], EcsRoute], monkeypatch: pytest.MonkeyPatch
) -> None:
    start_route(Recorder(ListTasks=lambda region, params: THROTTLED))
    config = Config(retries={"mode": "standard", "total_max_attempts": 2})
    client = boto3.client("ecs", region_name="us-east-1", config=config)
    virtual: list[float] = []
    install_sleeper(virtual.append)()
    real: list[float] = []
    monkeypatch.setattr(time, "sleep", real.append)

    with pytest.raises(ClientError):
        client.list_tasks()

    assert virtual == []
    assert len(real) == 1


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_fast_timestamp_parsing_gives_botocores_results(
    zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random
    import time as time_module

    from botocore.utils import parse_timestamp

    from pytest_ecs_tasks._transport.moto_bridge import _parse_timestamp

    monkeypatch.setenv("TZ", zone)
    time_module.tzset()
    try:
        rng = random.Random(7)
        values: list[object] = [rng.uniform(0, 2.2e9) for _ in range(2000)]
        values += [round(v, 3) for v in values[:500]]  # type: ignore[call-overload]
        values += [0, 1704110400, "2025-02-03T16:01:58.863000-05:00", "2024-01-01T12:00:00Z"]
        for value in values:
            fast, slow = _parse_timestamp(value), parse_timestamp(value)  # type: ignore[arg-type]
            # (in a DST fold, datetimes with two tzlocal() instances never compare equal:
            # PEP 495; so compare the instant, the offset and the fields)
            assert fast.timestamp() == slow.timestamp()
            assert fast.fold == slow.fold
            assert fast.utcoffset() == slow.utcoffset()
            assert fast.replace(tzinfo=None) == slow.replace(tzinfo=None)
            assert type(fast.tzinfo) is type(slow.tzinfo)
    finally:
        monkeypatch.undo()
        time_module.tzset()


def test_a_client_made_before_the_fake_parses_timestamps_as_fast_and_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A default client made before the fake started gets the fake's timestamp
    parsing (botocore's results, faster) while the fake runs, and botocore's own
    again once it stops; a client given its own parser keeps it."""
    import botocore.parsers

    from pytest_ecs_tasks import FakeEcs

    slow_calls: list[object] = []
    own = botocore.parsers.DEFAULT_TIMESTAMP_PARSER

    def counted(value: str) -> datetime:
        slow_calls.append(value)
        parsed: datetime = own(value)
        return parsed

    monkeypatch.setattr(botocore.parsers, "DEFAULT_TIMESTAMP_PARSER", counted)
    early = boto3.session.Session().client("ecs", region_name="us-east-1")
    own_parser: list[object] = []
    session = botocore.session.Session()
    factory = session.get_component("response_parser_factory")

    def chosen(value: str) -> datetime:
        own_parser.append(value)
        parsed: datetime = own(value)
        return parsed

    factory.set_parser_defaults(timestamp_parser=chosen)
    mine = boto3.session.Session(botocore_session=session).client("ecs", region_name="us-east-1")

    with FakeEcs() as fake:
        arn = fake.run_task(runs_for=60)["taskArn"]
        fake.clock.advance(minutes=5)
        inside = fake.client()
        expected = inside.describe_tasks(tasks=[arn])["tasks"][0]
        got = early.describe_tasks(tasks=[arn])["tasks"][0]
        assert slow_calls == []
        assert got == expected
        assert got["stoppedAt"] == expected["stoppedAt"]
        assert type(got["stoppedAt"].tzinfo) is type(expected["stoppedAt"].tzinfo)
        mine.describe_tasks(tasks=[arn])
        assert own_parser  # a parser the user chose is theirs to keep

    # The fake has stopped: botocore's own parsing again.
    parser = botocore.parsers.ResponseParserFactory().create_parser("json")
    assert parser._timestamp_parser is counted  # type: ignore[attr-defined]
