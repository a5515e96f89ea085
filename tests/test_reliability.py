"""Reliability: thread safety, hostile input, no escape to real AWS, no leaks.

These are the "Quality bars" of DESIGN.md that are about staying up and
staying contained rather than about what ECS does:

* many threads running, stopping and describing tasks while another moves the
  clock lose nothing, duplicate nothing and never see a task's version go back;
* whatever bytes reach an operation the fake serves, the answer is a
  well-formed ECS response or ECS error (never a crash), and a rejected request
  leaves the fake's state exactly as it was;
* while the fake is active no socket is ever connected and the credentials
  requests are signed with are never the machine's own;
* running the fixture many times leaves botocore, moto, boto3, the environment,
  the clock registry and the thread list exactly as they were.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import re
import socket
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.model import ListShape, MapShape, Shape, StringShape, StructureShape
from botocore.parsers import create_parser
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pytest_ecs_tasks import FakeEcs
from pytest_ecs_tasks import _model as model
from pytest_ecs_tasks._model import validate_output
from pytest_ecs_tasks._service import SERVED_OPERATIONS, EcsService
from pytest_ecs_tasks._service.dispatch import TaskPlan

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_ecs.literals import DesiredStatusType

HOME = "us-east-1"
ACCOUNT = "123456789012"

# -- shared set-up ------------------------------------------------------------------------------


def _register_web(client: ECSClient, family: str = "web") -> None:
    """A bridge-mode EC2 task definition, registered through moto (RunTask needs no network)."""
    client.register_task_definition(
        family=family,
        networkMode="bridge",
        requiresCompatibilities=["EC2"],
        containerDefinitions=[
            {"name": "web", "image": "nginx", "essential": True, "memory": 128},
            {"name": "sidecar", "image": "busybox", "essential": False, "memory": 64},
        ],
    )


def _paginate_list_tasks(client: ECSClient, cluster: str, desired: DesiredStatusType) -> list[str]:
    arns: list[str] = []
    paginator = client.get_paginator("list_tasks")
    pages = paginator.paginate(
        cluster=cluster, desiredStatus=desired, PaginationConfig={"PageSize": 37}
    )
    for page in pages:
        arns += page["taskArns"]
    return arns


# == 1. Thread safety ==========================================================================

WORKERS = 8
OPS_PER_WORKER = 80
STRESS_SECONDS = 2.5


class _Worker:
    """One thread's share of the stress test: what it started, stopped and saw."""

    def __init__(self, number: int, client: ECSClient, fake: FakeEcs, shared: _Shared) -> None:
        self.number = number
        self.client = client
        self.fake = fake
        self.shared = shared
        self.rng = random.Random(number)
        self.started: list[str] = []
        self.stopped: set[str] = set()
        self.versions: dict[str, int] = {}
        self.went_back: list[tuple[str, int, int]] = []
        self.boto_calls = 0
        self.raw_calls = 0
        client.meta.events.register("after-call.ecs", self._count)

    def _count(self, **_: Any) -> None:
        self.boto_calls += 1

    def _saw(self, task: Any) -> None:
        arn, version = task["taskArn"], task["version"]
        last = self.versions.get(arn)
        if last is not None and version < last:
            self.went_back.append((arn, last, version))
        self.versions[arn] = max(version, last or 0)

    def run(self, deadline: float) -> None:
        for _ in range(OPS_PER_WORKER):
            if time.monotonic() > deadline:
                return
            self.step()

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.4 and self.started:
            self._raw_request()
            return
        roll = self.rng.random()
        if roll < 0.25 or not self.started:
            answer = self.client.run_task(
                cluster="stress",
                taskDefinition="web",
                count=self.rng.randint(1, 3),
                startedBy=f"worker-{self.number}",
            )
            assert answer["failures"] == []
            for task in answer["tasks"]:
                self._started(task["taskArn"])
                self._saw(task)
        elif roll < 0.4:
            record = self.fake.run_task(
                "stress",
                task_definition="web",
                runs_for=self.rng.choice([None, 30.0, 600.0]),
                exit_code=self.rng.choice([0, 1]),
                started_by=f"worker-{self.number}",
            )
            self._started(record["taskArn"])
            self._saw(record)
        elif roll < 0.55:
            arn = self.rng.choice(self.started)
            if self.rng.random() < 0.5:
                stopped = self.client.stop_task(cluster="stress", task=arn, reason="stress")["task"]
            else:
                stopped = self.fake.stop_task(arn, reason="stress")
            self.stopped.add(arn)
            self._saw(stopped)
        elif roll < 0.75:
            others = self.shared.sample(self.rng, 20)
            wanted = list(dict.fromkeys(self.rng.sample(self.started, min(20, len(self.started)))))
            answer = self.client.describe_tasks(
                cluster="stress", tasks=list(dict.fromkeys(wanted + others))[:100]
            )
            assert answer["failures"] == [], answer["failures"]
            for task in answer["tasks"]:
                self._saw(task)
        elif roll < 0.9:
            [cluster] = self.client.describe_clusters(clusters=["stress"])["clusters"]
            assert cluster["runningTasksCount"] + cluster["pendingTasksCount"] >= 0
        else:
            statuses: list[DesiredStatusType] = ["RUNNING", "STOPPED"]
            page = self.client.list_tasks(
                cluster="stress",
                desiredStatus=self.rng.choice(statuses),
                maxResults=self.rng.randint(1, 100),
            )
            assert len(page["taskArns"]) == len(set(page["taskArns"]))

    def _raw_request(self) -> None:
        """A request as the transport hands it over, from this thread: no boto3 in between,
        so the threads meet inside the service far more often."""
        operation = self.rng.choice(["DescribeTasks", "ListTasks", "DescribeClusters"])
        tasks = self.rng.sample(self.started, min(10, len(self.started)))
        body = {"cluster": "stress", "clusters": ["stress"], "tasks": tasks}
        self.raw_calls += 1
        answer = self.fake._service.dispatch(HOME, operation, json.dumps(body).encode())
        assert answer is not None
        status, _, raw = answer
        assert status == 200, raw
        if operation == "DescribeTasks":
            described = model.from_wire(operation, raw)
            assert described["failures"] == []
            for task in described["tasks"]:
                self._saw(task)

    def _started(self, arn: str) -> None:
        self.started.append(arn)
        self.shared.add(arn)


class _Shared:
    """The task ARNs every worker has started so far (for cross-thread describes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arns: list[str] = []

    def add(self, arn: str) -> None:
        with self._lock:
            self._arns.append(arn)

    def sample(self, rng: random.Random, k: int) -> list[str]:
        with self._lock:
            arns = list(self._arns)
        return rng.sample(arns, min(k, len(arns)))


def test_threads_running_stopping_and_describing_while_the_clock_moves() -> None:
    """8 threads run (boto3 RunTask and FakeEcs.run_task), stop and describe tasks while a
    ninth thread moves the clock: no thread raises, no task is lost or duplicated, every
    answered call is recorded once, and no thread ever sees a task's version go down."""
    # Every call kept, so the log can be checked for lost or doubled calls.
    with FakeEcs(retention=timedelta(days=3650), calls_limit=1_000_000) as fake:
        # one container instance: RunTask's default launch type (EC2) needs a host
        fake.create_cluster("stress", container_instances=1)
        setup = fake.client()
        _register_web(setup)
        # boto3 sessions are not thread-safe: clients are made here, then used one per thread.
        shared = _Shared()
        workers = [_Worker(n, fake.client(), fake, shared) for n in range(WORKERS)]
        errors: list[BaseException] = []
        done = threading.Event()
        clock_moves = 0

        def guarded(body: Callable[[], None]) -> Callable[[], None]:
            def run() -> None:
                try:
                    body()
                except BaseException as exc:  # report any failure of any thread
                    errors.append(exc)

            return run

        def move_clock() -> None:
            nonlocal clock_moves
            rng = random.Random(99)
            while not done.is_set():
                fake.clock.advance(seconds=rng.uniform(0, 3))
                clock_moves += 1
                time.sleep(0.0005)

        deadline = time.monotonic() + STRESS_SECONDS
        threads = [
            threading.Thread(target=guarded(partial(w.run, deadline)), name=f"worker-{w.number}")
            for w in workers
        ]
        ticker = threading.Thread(target=guarded(move_clock), name="clock")
        # Switch threads every 10 us instead of every 5 ms, so they interleave inside the
        # service's operations rather than one whole request at a time.
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-5)
        try:
            ticker.start()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        finally:
            done.set()
            ticker.join(timeout=30)
            sys.setswitchinterval(switch_interval)

        assert not any(t.is_alive() for t in [*threads, ticker]), "a thread hung"
        assert errors == [], errors
        assert clock_moves > 10, "the clock thread never ran"
        went_back = [w for worker in workers for w in worker.went_back]
        assert went_back == [], f"versions went down (arn, seen, then): {went_back[:5]}"

        started = [arn for worker in workers for arn in worker.started]
        assert len(started) >= WORKERS * 3, "the workers barely ran"
        assert len(started) == len(set(started)), "a task id was handed out twice"
        # Every answered boto3 call is in fake.calls, exactly once.
        assert len(fake.calls) == sum(w.boto_calls + w.raw_calls for w in workers)
        assert fake._service.calls_total == len(fake.calls)

        listed = _paginate_list_tasks(setup, "stress", "RUNNING") + _paginate_list_tasks(
            setup, "stress", "STOPPED"
        )
        counts = Counter(listed)
        assert [arn for arn, n in counts.items() if n > 1] == [], "listed twice"
        assert set(listed) == set(started), "ListTasks lost or invented tasks"

        described: list[str] = []
        for at in range(0, len(started), 100):
            answer = setup.describe_tasks(cluster="stress", tasks=started[at : at + 100])
            assert answer["failures"] == []
            described += [t["taskArn"] for t in answer["tasks"]]
            for task in answer["tasks"]:
                stopped_by_a_worker = any(task["taskArn"] in w.stopped for w in workers)
                if stopped_by_a_worker:
                    assert task["desiredStatus"] == "STOPPED"
                    assert task["stopCode"] in ("UserInitiated", "EssentialContainerExited")
        assert described == started, "DescribeTasks lost, duplicated or reordered tasks"


# == 2. Hostile input ==========================================================================

#: Codes any JSON 1.1 AWS service may answer with, declared by the model or not.
_COMMON_CODES = frozenset(
    {
        "SerializationException",
        "ThrottlingException",
        "AccessDeniedException",
        "UnknownOperationException",
        "ValidationException",
        "ServerException",
    }
)
_ERROR_CODE = re.compile(r"[A-Z][A-Za-z]*(Exception|Error|Fault)")
_MUTATING = frozenset(
    {"RunTask", "StopTask", "CreateCluster", "DeleteCluster", "TagResource", "UntagResource"}
)
_REGIONS = ("us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "local")
_ODD_STRINGS = (
    "",
    " ",
    "\x00",
    "\ud800",
    "\udfff",
    "\u202e\u0644\u0627",
    "\ufeff",
    "\uffff",
    "\U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c\U0001d521\U0001d522",
    "🐳" * 40,
    "e\u0301" * 20,
    "default\x00",
    "DEFAULT",
    "default ",
    "../default",
    "%2F",
    "arn:",
    "arn:aws:ecs:::",
    "arn:aws:ecs:us-east-1:123456789012:",
    "arn:aws:ecs:us-east-1:123456789012:task/",
    "arn:aws:ecs:us-east-1:123456789012:task//",
    "arn:aws:ecs:us-east-1:123456789012:task/a/b/c",
    "arn:aws:ecs:us-east-1:123456789012:cluster/",
    "arn:aws:ecs:us-east-1:123456789012:cluster/a/b",
    "arn:aws:sqs:us-east-1:123456789012:queue",
    "arn:aws:iam::123456789012:role/x",
    "aws:reserved",
    "AWS:Reserved",
    "x" * 37,
    "0" * 32,
    "1e999",
    "-0",
    "NaN",
    "TAGS",
    "tags",
    "RUNNING",
    "STOPPED",
    "PENDING",
    "FARGATE",
    "FARGATE_SPOT",
    "EC2",
    "EXTERNAL",
    "web",
    "web:1",
    "web:999",
    "app:1",
)


def _next_tokens() -> list[str]:
    texts = [
        '{"start": 1e999}',
        '{"start": -1e999}',
        '{"start": NaN}',
        '{"start": 1e300}',
        '{"start": -1}',
        '{"start": 10000000000000000000000}',
        '{"start": "1"}',
        '{"start": "x"}',
        '{"start": null}',
        '{"start": [1]}',
        '{"start": true}',
        '{"start": 1.5}',
        '{"begin": 1}',
        "[1]",
        '"start"',
        "1",
        "\xff\xfe",
        "[" * 5000,
    ]
    tokens = [base64.b64encode(t.encode("utf-8", "surrogatepass")).decode() for t in texts]
    return [*tokens, "!!not base64!!", "e30", "e30=", "====", "A"]


def _variants(arn: str) -> list[str]:
    """``arn`` and near misses of it: other partitions, regions, accounts, formats."""
    out = [arn]
    for partition in ("aws-cn", "aws-us-gov", "aws-iso", "AWS"):
        out.append(re.sub(r"^arn:[^:]+:", f"arn:{partition}:", arn))
    for region in ("cn-north-1", "us-gov-west-1", "eu-west-1", "US-EAST-1", ""):
        out.append(arn.replace(f":{HOME}:", f":{region}:"))
    for account in ("000000000000", "12345678901", "1234567890123", ""):
        out.append(arn.replace(f":{ACCOUNT}:", f":{account}:"))
    out += [arn.upper(), arn + "/", arn + " ", arn.replace(":ecs:", ":ECS:"), arn[:-1]]
    if ":task/" in arn:
        cluster_and_id = arn.split(":task/", 1)[1]
        task_id = cluster_and_id.rsplit("/", 1)[-1]
        prefix = arn.split(":task/", 1)[0]
        out += [f"{prefix}:task/{task_id}", f"{prefix}:task/other/{task_id}", task_id]
        out += [task_id.upper(), task_id[:-1], task_id + "0", f"{prefix}:cluster/{task_id}"]
    return out


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        st.sampled_from(_ODD_STRINGS),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=12), children, max_size=4),
        ),
        max_leaves=25,
    )


JSON_VALUES = _json_values()
WRONG_TYPES: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


Mode = Literal["aimed", "odd", "hostile"]


class _Requests:
    """Hypothesis strategies for requests to one operation, from botocore's input shape.

    ``aimed``: every member of the right type, aimed at what exists (resources and
    their near misses, enum values, small numbers), so that requests get through.
    ``odd``: the right types with odd values (unicode, huge strings and lists,
    out-of-range numbers, broken pagination tokens). ``hostile``: like ``odd``, but
    any member may also be of the wrong type or any JSON at all.
    """

    def __init__(self, interesting: list[str], aims: dict[str, list[str]]) -> None:
        self.aimed_strings = st.sampled_from(interesting)
        #: For members by name (``cluster``, ``tasks``, ...): what to aim at.
        self.aims = {name: st.sampled_from(values) for name, values in aims.items()}
        self.strings = st.one_of(
            st.sampled_from(interesting),
            st.sampled_from(_ODD_STRINGS),
            st.sampled_from(_next_tokens()),
            st.text(st.characters(exclude_categories=()), max_size=40),
            st.builds(
                lambda c, n: c * n,
                st.sampled_from(["a", "é", "\U0001d518", "\x00", "-"]),
                st.integers(100, 5000),
            ),
        )
        self.integers = st.one_of(
            st.sampled_from([0, -1, 1, 2, 10, 11, 37, 100, 101, 2**31, 2**63, -(2**63), 10**30]),
            st.integers(),
        )

    def params(self, operation: str, mode: Mode) -> st.SearchStrategy[dict[str, Any]]:
        shape = model.operation_model(operation).input_shape
        assert isinstance(shape, StructureShape)
        return self._structure(shape, 0, mode, top=True)

    def _value(
        self, shape: Shape, depth: int, mode: Mode, name: str = ""
    ) -> st.SearchStrategy[Any]:
        fitting = self._fitting(shape, depth, mode)
        target = self.aims.get(name)
        if target is not None and mode != "hostile":
            aim: st.SearchStrategy[Any] = target
            if isinstance(shape, ListShape):
                aim = st.lists(target, min_size=1, max_size=3)
            fitting = st.one_of(aim, fitting) if mode == "odd" else aim
        if mode == "hostile":
            return st.one_of(fitting, WRONG_TYPES, JSON_VALUES)
        return fitting

    def _structure(
        self, shape: StructureShape, depth: int, mode: Mode, *, top: bool = False
    ) -> st.SearchStrategy[dict[str, Any]]:
        if depth > 4:
            return st.just({})
        members = {
            name: self._value(member, depth + 1, mode, name)
            for name, member in shape.members.items()
        }
        required = {name: members[name] for name in shape.required_members}
        optional = {name: s for name, s in members.items() if name not in required}
        with_required = st.fixed_dictionaries(required, optional=optional)
        if mode == "aimed":
            # The required members and at most two others: requests that can get through.
            return (
                st.sets(st.sampled_from(sorted(optional)), max_size=2).flatmap(
                    lambda names: st.fixed_dictionaries(
                        {**required, **{n: optional[n] for n in names}}
                    )
                )
                if optional
                else st.fixed_dictionaries(required)
            )
        anything = st.fixed_dictionaries({}, optional=members)
        if top and mode == "hostile":
            extra = st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=2)
            return st.builds(lambda a, b: {**b, **a}, with_required, extra)
        return st.one_of(with_required, anything)

    def _fitting(self, shape: Shape, depth: int, mode: Mode) -> st.SearchStrategy[Any]:
        kind = shape.type_name
        aimed = mode == "aimed"
        if isinstance(shape, StructureShape):
            return self._structure(shape, depth, mode)
        if isinstance(shape, ListShape):
            member = self._value(shape.member, depth + 1, mode)
            if aimed:
                return st.lists(member, min_size=1, max_size=3)
            huge = st.builds(lambda x, n: [x] * n, member, st.integers(101, 250))
            return st.one_of(st.lists(member, max_size=4), huge)
        if isinstance(shape, MapShape):
            strings = self.aimed_strings if aimed else self.strings
            return st.dictionaries(strings, self._value(shape.value, depth + 1, mode), max_size=3)
        if isinstance(shape, StringShape):
            strings = self.aimed_strings if aimed else self.strings
            if shape.enum:
                enum = st.sampled_from(list(shape.enum))
                return enum if aimed else st.one_of(enum, strings)
            return strings
        if kind in ("integer", "long"):
            return st.integers(0, 12) if aimed else self.integers
        if kind == "boolean":
            return st.booleans()
        if kind in ("float", "double"):
            return st.floats(0, 100) if aimed else st.floats(allow_nan=True, allow_infinity=True)
        if kind == "timestamp":
            return st.floats(0, 2e9) if aimed else st.one_of(st.floats(), self.strings)
        return st.one_of(self.strings, JSON_VALUES)  # blob and anything newer


def _encodings(params: Any) -> st.SearchStrategy[bytes]:
    """``params`` as JSON bytes in the encodings a client might (mis)use."""
    return st.sampled_from(
        [
            json.dumps(params).encode(),
            json.dumps(params, ensure_ascii=False).encode("utf-8", "surrogatepass"),
            json.dumps(params).encode("utf-16"),
            json.dumps(params).encode("utf-32-le"),
            b"\xef\xbb\xbf" + json.dumps(params).encode(),
        ]
    )


_GARBAGE = (
    b"",
    b"{",
    b"}",
    b"null",
    b"[]",
    b"0",
    b'"text"',
    b"true",
    b"{}" * 3,
    b"\xff\xfe\xfd",
    b"\x00" * 16,
    b"[" * 100_000,
    b'{"a":' * 100_000,
    b"[" * 900 + b"]" * 900,
    b'{"tasks": [' + b"1" * 10_000 + b"]}",
    b'{"tasks": ["\\ud800"]}',
    b'{"cluster": "default", "cluster": 1}',
    b"NaN",
    b'{"count": Infinity}',
)


def _bodies(requests: _Requests, operation: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        requests.params(operation, "aimed").map(lambda p: json.dumps(p).encode()),
        st.one_of(
            requests.params(operation, "odd").flatmap(_encodings),
            requests.params(operation, "hostile").map(lambda p: json.dumps(p).encode()),
        ),
        st.one_of(
            JSON_VALUES.map(lambda v: json.dumps(v).encode()),
            st.binary(max_size=64),
            st.sampled_from(_GARBAGE),
        ),
    )


def _ask(service: EcsService, region: str, operation: str, params: dict[str, Any]) -> Any:
    """What the service answers, errors included, without recording the call."""
    try:
        return service.handle(region, operation, params, record=False)
    except Exception as exc:
        return ("error", type(exc).__name__, getattr(exc, "code", None), str(exc))


def _service_view(service: EcsService, regions: list[str]) -> Any:
    """Everything the API shows of the fake in ``regions``: clusters, tasks, tags."""
    view: dict[str, Any] = {}
    for region in regions:
        region_state = service.region_state(region)
        names = sorted(region_state.clusters)
        tasks_by_cluster: dict[str, list[str]] = {}
        for entry in list(region_state.tasks.values()):
            tasks_by_cluster.setdefault(entry.cluster.name, []).append(entry.arn)
        clusters: dict[str, Any] = {}
        for name in names:
            arns = tasks_by_cluster.get(name, [])
            clusters[name] = {
                "describe": _ask(
                    service,
                    region,
                    "DescribeClusters",
                    {"clusters": [name], "include": ["TAGS", "SETTINGS", "STATISTICS"]},
                ),
                "tags": _ask(
                    service,
                    region,
                    "ListTagsForResource",
                    {"resourceArn": region_state.clusters[name][-1].arn},
                ),
                "running": _ask(service, region, "ListTasks", {"cluster": name}),
                "stopped": _ask(
                    service, region, "ListTasks", {"cluster": name, "desiredStatus": "STOPPED"}
                ),
                "tasks": [
                    _ask(
                        service,
                        region,
                        "DescribeTasks",
                        {"cluster": name, "tasks": arns[at : at + 100], "include": ["TAGS"]},
                    )
                    for at in range(0, len(arns), 100)
                ],
                "task_tags": [
                    _ask(service, region, "ListTagsForResource", {"resourceArn": arn})
                    for arn in arns
                ],
            }
        view[region] = {
            "list": _ask(service, region, "ListClusters", {}),
            "clusters": clusters,
        }
    return view


def _state(service: EcsService) -> Any:
    """The fake's state itself, deep-copied: what a request must not touch if rejected."""
    state: dict[str, Any] = {}
    for region_state in service.region_states():
        state[region_state.region] = {
            "clusters": {
                name: [
                    (c.status, c.deleted_at, c.tags, c.settings, list(c.task_ids))
                    for c in incarnations
                ]
                for name, incarnations in region_state.clusters.items()
            },
            "tasks": {
                task_id: (
                    entry.arn,
                    entry.cluster.name,
                    region_state.clusters[entry.cluster.name].index(entry.cluster),
                    entry.static,
                    entry.timeline,
                    entry.exits,
                    entry.tags,
                    entry.invisible_for,
                )
                for task_id, entry in region_state.tasks.items()
            },
        }
    return copy.deepcopy(state)


def _check_answer(operation: str, params: Any, answer: tuple[int, dict[str, str], bytes]) -> bool:
    """Assert ``answer`` is a well-formed ECS response or error; True if it is an error."""
    status, headers, body = answer
    assert isinstance(status, int)
    assert isinstance(body, bytes)
    assert headers.get("Content-Type") == "application/x-amz-json-1.1"
    assert headers.get("x-amzn-RequestId")
    output_shape = model.operation_model(operation).output_shape
    assert output_shape is not None
    parsed = create_parser("json").parse(
        {"body": body, "headers": headers, "status_code": status}, output_shape
    )
    raw = json.loads(body)
    assert isinstance(raw, dict)
    if status == 200:
        assert "Error" not in parsed, parsed
        parsed.pop("ResponseMetadata", None)
        validate_output(operation, parsed)
        return False
    assert status in (400, 500), status
    assert set(raw) == {"__type", "message"}, raw
    code, message = raw["__type"], raw["message"]
    assert isinstance(code, str)
    assert isinstance(message, str)
    assert _ERROR_CODE.fullmatch(code), code
    assert "pytest-ecs-tasks internal error" not in message, (operation, params, message)
    declared = {s.name for s in model.operation_model(operation).error_shapes}
    assert code in declared | _COMMON_CODES, (operation, code, message)
    assert (status == 500) == (code in ("ServerException", "ServiceUnavailableException"))
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == message
    return True


def _populate(fake: FakeEcs) -> tuple[list[str], dict[str, list[str]]]:
    """Clusters and tasks in every state; returns the names and ARNs worth aiming at,
    all together and by the request member they suit."""
    client = fake.client()
    _register_web(client)
    # one container instance: the boto3 RunTask below (EC2, the default) needs a host
    fake.create_cluster("prod", tags={"team": "a"}, container_instances=1)
    fake.create_cluster("old")
    fake.delete_cluster("old")
    fake.create_cluster("again")
    fake.run_task("again", tags={"k": "v"}, runs_for=1)
    fake.clock.advance(minutes=5)
    fake.delete_cluster("again")
    fake.create_cluster("again")
    running = fake.run_task("prod", task_definition="web:1", tags={"team": "a"})
    finished = fake.run_task("prod", runs_for=10, exit_code=3)
    failed = fake.run_task(fail_to_start="CannotPullContainerError: nope")
    boto_task = client.run_task(cluster="prod", taskDefinition="web", count=2)["tasks"][0]
    fake.clock.advance(minutes=3)
    expiring = fake.run_task(runs_for=1)
    fake.clock.advance(minutes=2)
    fake.stop_task(running, cluster="prod", reason="bye")
    added = fake.add_task(cluster="prod")
    foreign = fake._service.start_task(
        "cn-north-1",
        "default",
        task_definition="app:1",
        containers=None,
        launch_type="FARGATE",
        tags=[{"key": "x", "value": "y"}],
        started_by=None,
        group=None,
        plan=TaskPlan(),
    )
    fake.clock.advance(minutes=61)  # `expiring` is now past retention
    arns = [t["taskArn"] for t in (running, finished, failed, boto_task, expiring, added)] + [
        foreign.arn
    ]
    clusters = [
        f"arn:{p}:ecs:{r}:{ACCOUNT}:cluster/{n}"
        for p, r in (("aws", HOME), ("aws-cn", "cn-north-1"), ("aws-us-gov", "us-gov-west-1"))
        for n in ("default", "prod", "old", "again", "nope")
    ]
    names = ["default", "prod", "old", "again", "nope"]
    task_refs = [ref for arn in arns for ref in _variants(arn)]
    cluster_refs = names + [ref for arn in clusters for ref in _variants(arn)]
    # The exact references twice over: half the aimed requests name what exists.
    exact_tasks = [
        ref
        for t in (finished, boto_task, added)
        for ref in (t["taskArn"], t["taskArn"].rsplit("/", 1)[1])
    ]
    task_refs = [*exact_tasks * (len(task_refs) // len(exact_tasks)), *task_refs]
    cluster_refs = [*(["prod", clusters[1]] * (len(cluster_refs) // 2)), *cluster_refs]
    aims = {
        "cluster": cluster_refs,
        "clusters": cluster_refs,
        "clusterName": [*names, "new-1", "new_2", "N" * 255],
        "task": task_refs,
        "tasks": task_refs,
        "taskDefinition": ["web", "web:1", "web:2", "app:1", "nope"],
        "family": ["web", "app"],
        "resourceArn": [*task_refs, *cluster_refs, "arn:aws:sqs:us-east-1:123456789012:q"],
        "key": ["team", "k", "new", "aws:x", "t" * 129],
        "value": ["a", "", "v" * 300],
        "tagKeys": ["team", "k", "x", "nope"],
        "startedBy": ["me"],
        "reason": ["because"],
    }
    interesting = ["web", "web:1", *task_refs, *cluster_refs]
    return list(dict.fromkeys(interesting)), aims


_OPERATIONS = sorted(SERVED_OPERATIONS)


def test_hostile_requests_get_well_formed_answers_and_change_nothing_when_rejected() -> None:
    """Arbitrary bytes at every served operation: always a well-formed ECS answer
    (never a crash, never the safety net's internal error), and a rejected request
    leaves the fake exactly as it was, as the API shows it and inside."""
    with FakeEcs(retention=timedelta(hours=1)) as fake:
        interesting, aims = _populate(fake)
        service = fake._service
        requests = _Requests(interesting, aims)
        request = st.one_of(
            *[
                st.tuples(st.just(op), st.sampled_from(_REGIONS), _bodies(requests, op))
                for op in _OPERATIONS
            ]
        )
        seen: Counter[tuple[str, str]] = Counter()

        @settings(
            max_examples=300,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(request)
        @example(("ListTasks", HOME, json.dumps({"nextToken": _next_tokens()[0]}).encode()))
        @example(("DescribeTasks", HOME, b"[" * 100_000))
        @example(("RunTask", HOME, b'{"taskDefinition": "web", "count": ' + b"[" * 50_000))
        @example(
            (
                "DescribeTasks",
                HOME,
                json.dumps({"cluster": "prod", "tasks": [_variants(interesting[-1])[1]]}).encode(),
            )
        )
        def throw(call: tuple[str, str, bytes]) -> None:
            operation, region, body = call
            regions = sorted({HOME, "cn-north-1", region})
            service.region_state(
                region
            )  # a region comes to be, default cluster and all, when first used
            view = _service_view(service, regions) if operation in _MUTATING else None
            state = _state(service)
            answer = service.dispatch(region, operation, body)
            try:
                params = json.loads(body)
            except (ValueError, RecursionError):
                params = None
            if answer is None:
                # Only a tagging call about something that is not an ECS cluster or task
                # goes on to moto.
                assert operation in ("TagResource", "UntagResource", "ListTagsForResource")
                assert isinstance(params, dict)
                resource = params.get("resourceArn")
                assert isinstance(resource, str)
                assert not (
                    resource.startswith("arn:")
                    and (":cluster/" in resource or ":task/" in resource)
                )
                seen[operation, "moto"] += 1
                return
            rejected = _check_answer(operation, params, answer)
            seen[operation, "error" if rejected else "ok"] += 1
            if rejected or operation not in _MUTATING:
                assert _state(service) == state, f"{operation} changed the state: {body[:300]!r}"
            if rejected and view is not None:
                assert _service_view(service, regions) == view, (
                    f"a rejected {operation} changed what the API shows: {body[:300]!r}"
                )

        throw()
        # The run reached every operation, and some requests of each kind got through.
        assert {op for op, _ in seen} == set(_OPERATIONS), seen
        assert sum(n for (_, outcome), n in seen.items() if outcome == "ok") > 20, seen
        assert sum(n for (_, outcome), n in seen.items() if outcome == "error") > 100, seen


def test_unserved_operations_are_left_to_moto_whatever_the_body() -> None:
    service = FakeEcs()._service
    for operation in ("RegisterTaskDefinition", "DescribeCapacityProviders", "", "describe_tasks"):
        for body in (b"", b"{", b"[]", b"\xff", b"[" * 100_000):
            assert service.dispatch(HOME, operation, body) is None


@pytest.mark.parametrize(
    ("partition", "region"),
    [("aws-cn", HOME), ("aws-us-gov", HOME), ("aws", "cn-north-1"), ("aws-cn", "us-gov-west-1")],
)
def test_arns_of_another_partition_name_nothing_here(partition: str, region: str) -> None:
    """An ARN whose partition is not its region's names no resource of the fake:
    its tasks are MISSING, its clusters not found, its resources not taggable."""
    with FakeEcs(region) as fake:
        client = fake.client()
        fake.create_cluster("prod")
        task = fake.run_task("prod")
        task_id = task["taskArn"].rsplit("/", 1)[1]
        prefix = f"arn:{partition}:ecs:{region}:{ACCOUNT}"
        task_arn, cluster_arn = f"{prefix}:task/prod/{task_id}", f"{prefix}:cluster/prod"

        answer = client.describe_tasks(cluster="prod", tasks=[task_arn])
        assert answer["tasks"] == []
        assert answer["failures"] == [{"arn": task_arn, "reason": "MISSING"}]
        with pytest.raises(ClientError) as raised:
            client.describe_tasks(cluster=cluster_arn, tasks=[task_id])
        assert raised.value.response["Error"]["Code"] == "ClusterNotFoundException"
        clusters = client.describe_clusters(clusters=[cluster_arn])
        assert clusters["clusters"] == []
        assert clusters["failures"] == [{"arn": cluster_arn, "reason": "MISSING"}]
        for resource in (task_arn, cluster_arn):
            with pytest.raises(ClientError):
                client.tag_resource(resourceArn=resource, tags=[{"key": "a", "value": "b"}])
        with pytest.raises(ClientError) as raised:
            client.stop_task(cluster="prod", task=task_arn)
        assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
        assert client.describe_tasks(cluster="prod", tasks=[task_id])["tasks"][0]["tags"] == []
        assert fake.client().describe_tasks(cluster="prod", tasks=[task_id])["failures"] == []


# == 3. No escape ==============================================================================

_SENTINEL_ENV_KEY = "AKIASENTINELENVIRONMENT"
_SENTINEL_FILE_KEY = "AKIASENTINELCREDFILE"
_SENTINEL_CONFIG_KEY = "AKIASENTINELCONFIGFILE"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any attempt to resolve a name or connect a socket is recorded and refused."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> Any:
        attempts.append(args)
        raise OSError("network access is disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture
def sentinel_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> set[str]:
    """The machine's "real" credentials: in the environment and in both config files."""
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[default]\n"
        f"aws_access_key_id = {_SENTINEL_FILE_KEY}\n"
        "aws_secret_access_key = sentinel-file-secret\n"
    )
    config = tmp_path / "config"
    config.write_text(
        "[default]\n"
        "region = eu-central-1\n"
        f"aws_access_key_id = {_SENTINEL_CONFIG_KEY}\n"
        "aws_secret_access_key = sentinel-config-secret\n"
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", _SENTINEL_ENV_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sentinel-env-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "sentinel-env-token")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_PROFILE", raising=False)
    return {_SENTINEL_ENV_KEY, _SENTINEL_FILE_KEY, _SENTINEL_CONFIG_KEY}


def test_nothing_reaches_the_network_and_real_credentials_are_never_used(
    no_network: list[object], sentinel_credentials: set[str]
) -> None:
    """With sockets refused and sentinel credentials everywhere, served ECS calls,
    fall-through ECS calls, a waiter and other services all work, no socket is
    connected, and no request is signed with a sentinel key."""
    signed_with: list[str] = []

    def record_signature(request: Any, **_: Any) -> None:
        authorization = request.headers.get("Authorization", b"")
        if isinstance(authorization, bytes):
            authorization = authorization.decode()
        match = re.search(r"Credential=([^/]+)/", authorization)
        signed_with.append(match[1] if match else "<unsigned>")

    with FakeEcs() as fake:
        ecs = fake.client()
        custom = boto3.client("ecs", region_name=HOME, endpoint_url="http://127.0.0.1:9")
        other_region = boto3.client("ecs", region_name="eu-west-1")
        sqs = boto3.client("sqs", region_name=HOME)
        s3 = boto3.client("s3", region_name=HOME)
        sts = boto3.client("sts", region_name=HOME)
        for client in (ecs, custom, other_region, sqs, s3, sts):
            client.meta.events.register("request-created", record_signature)

        # Served by the fake (the container instance: a host for the EC2 RunTask below).
        fake.create_cluster("prod", container_instances=1)
        task = fake.run_task("prod", runs_for=300)
        assert ecs.describe_tasks(cluster="prod", tasks=[task["taskArn"]])["failures"] == []
        ecs.get_waiter("tasks_stopped").wait(cluster="prod", tasks=[task["taskArn"]])
        assert custom.list_tasks(cluster="prod", desiredStatus="STOPPED")["taskArns"]
        assert other_region.list_clusters()["clusterArns"]
        # Left to moto.
        _register_web(ecs)
        assert ecs.list_task_definitions()["taskDefinitionArns"]
        assert ecs.run_task(cluster="prod", taskDefinition="web")["tasks"]
        # Other services, as under mock_aws.
        queue = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        sqs.send_message(QueueUrl=queue, MessageBody="hello")
        assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == "hello"
        s3.create_bucket(Bucket="artifacts")
        s3.put_object(Bucket="artifacts", Key="k", Body=b"v")
        assert s3.get_object(Bucket="artifacts", Key="k")["Body"].read() == b"v"
        assert sts.get_caller_identity()["Account"]

    assert no_network == [], f"socket activity while the fake was active: {no_network}"
    assert len(signed_with) >= 12
    assert "<unsigned>" not in signed_with
    assert not set(signed_with) & sentinel_credentials, set(signed_with)


def test_a_waiter_in_virtual_time_does_not_touch_the_network_either(
    no_network: list[object], sentinel_credentials: set[str]
) -> None:
    with FakeEcs() as fake:
        client = fake.client()
        task = fake.run_task()
        started = time.monotonic()
        client.get_waiter("tasks_running").wait(tasks=[task["taskArn"]])
        assert time.monotonic() - started < 5
    assert no_network == []


# == 4. No leaks ===============================================================================

_LEAK_CONFTEST = """
from __future__ import annotations

import os
import threading
import time

import boto3
import botocore.endpoint
import botocore.waiter
from botocore.handlers import BUILTIN_HANDLERS
from botocore.retries import bucket, standard
from moto.core.models import MockAWS, botocore_stubber

import pytest_ecs_tasks._clock
from pytest_ecs_tasks._transport import moto_bridge, virtual_time


def snapshot():
    return {
        "waiter time": botocore.waiter.time,
        "endpoint time": botocore.endpoint.time,
        "bucket Clock": bucket.Clock,
        "bucket threading": bucket.threading,
        "retry defaults": standard.RetryHandler.__init__.__defaults__,
        "stubber own process_request": vars(botocore_stubber).get("process_request"),
        "stubber process_request": type(botocore_stubber).process_request,
        "stubber enabled": botocore_stubber.enabled,
        "default session": boto3.DEFAULT_SESSION,
        "setup_default_session": boto3.setup_default_session,
        "aws env": {k: v for k, v in os.environ.items() if k.startswith("AWS_")},
        "active clocks": list(pytest_ecs_tasks._clock._active),
        "routes": list(moto_bridge._routes),
        "sleepers": list(virtual_time._installed),
        "moto nesting": (MockAWS._nested_count, MockAWS._mocks_active),
        "builtin handlers": len(BUILTIN_HANDLERS),
        "threads": sorted(t.ident for t in threading.enumerate()),
    }


boto3.setup_default_session(region_name="ap-south-1")
os.environ["AWS_ACCESS_KEY_ID"] = "AKIAOUTSIDE"
os.environ.pop("AWS_SECRET_ACCESS_KEY", None)
BEFORE = snapshot()
assert BEFORE["waiter time"] is time
assert BEFORE["endpoint time"] is time
assert BEFORE["stubber own process_request"] is None
assert BEFORE["stubber enabled"] is False
assert BEFORE["active clocks"] == []
"""

_LEAK_TESTS = """
from __future__ import annotations

import threading
from datetime import timedelta

import boto3
import pytest
from moto import mock_aws

from pytest_ecs_tasks import FakeEcs

from conftest import BEFORE, snapshot


@pytest.mark.parametrize("n", range(50))
def test_uses_the_fixture(ecs_tasks, ecs_clock, n):
    client = ecs_tasks.client()
    kind = n % 5
    if kind == 0:
        task = ecs_tasks.run_task(runs_for=120, exit_code=n)
        client.get_waiter("tasks_stopped").wait(tasks=[task["taskArn"]])
        [done] = client.describe_tasks(tasks=[task["taskArn"]])["tasks"]
        assert done["containers"][0]["exitCode"] == n
    elif kind == 1:
        ecs_tasks.create_cluster(container_instances=1)  # a host: RunTask's default is EC2
        client.register_task_definition(
            family="web", networkMode="bridge",
            containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}],
        )
        [task] = client.run_task(taskDefinition="web")["tasks"]
        client.stop_task(task=task["taskArn"])
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName=f"q{n}")
    elif kind == 2:
        ecs_tasks.fail("DescribeTasks", "ThrottlingException", times=2)
        assert client.describe_tasks(tasks=["0" * 32])["failures"]
    elif kind == 3:
        with FakeEcs(region="eu-west-1") as inner:
            inner.run_task()
            assert inner.client().list_tasks()["taskArns"]
        assert client.list_tasks()["taskArns"] == []
    else:
        errors = []

        def poll():
            try:
                for _ in range(5):
                    client.list_clusters()
                    ecs_clock.advance(seconds=1)
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=poll) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []


@pytest.mark.xfail(raises=RuntimeError, strict=True)
def test_fails_while_the_fake_is_active(ecs_tasks):
    ecs_tasks.run_task()
    raise RuntimeError("boom")


@mock_aws
def test_joins_a_mock_aws(ecs_tasks):
    ecs_tasks.run_task()
    assert ecs_tasks.client().list_tasks()["taskArns"]


def test_zz_nothing_leaked():
    after = snapshot()
    changed = {k: (BEFORE[k], after[k]) for k in BEFORE if BEFORE[k] != after[k]}
    assert changed == {}
    assert after["default session"] is BEFORE["default session"]
    assert after["setup_default_session"] is BEFORE["setup_default_session"]
"""


def test_running_the_fixture_many_times_leaks_nothing(pytester: pytest.Pytester) -> None:
    """52 tests using ecs_tasks (waiters, fall-through, faults, nested fakes, threads,
    a failing test, a test inside mock_aws), then a check that botocore, moto, boto3,
    os.environ, the clock registry and the thread list are exactly as before."""
    pytester.makeconftest(textwrap.dedent(_LEAK_CONFTEST))
    pytester.makepyfile(test_many=textwrap.dedent(_LEAK_TESTS))
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=52, xfailed=1)
