"""Section 7 of the benchmarks: async clients.

* DescribeTasks of 100 RUNNING tasks through the fake, from an aiobotocore
  client and from a boto3 client, against each library's floor: the same call
  answered by a canned HTTP response at ``before-send`` (serialise, sign and
  parse still happen; nothing else does). Interleaved, round after round.
* The ``tasks_stopped`` waiter on a task that runs 5 simulated minutes, from an
  aiobotocore client and from a boto3 client, in wall ms, against the same
  number of DescribeTasks calls of that one task at each library's floor.

The floor clients come from sessions without moto's stubber among their
handlers, so nothing but the canned answer serves them. Imported by ``run.py``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from io import BytesIO
from typing import Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from edges import Samples

from pytest_ecs_tasks import FakeEcs

REGION = "us-east-1"
CLUSTER = "default"
_HEADERS = {"Content-Type": "application/x-amz-json-1.1"}
_KEYS = {"aws_access_key_id": "FOOBARKEY", "aws_secret_access_key": "FOOBARSECRET"}


# -- the floors: canned answers at before-send --------------------------------------------


class _SyncBody(BytesIO):
    def stream(self, **kwargs: Any) -> Any:
        chunk = self.read()
        if chunk:
            yield chunk


class _AsyncBody:
    """What aiobotocore reads a response body through (an aiohttp response's part)."""

    def __init__(self, payload: bytes, headers: dict[str, str]) -> None:
        self._payload = payload
        self.raw_headers = [(k.encode(), v.encode()) for k, v in headers.items()]

    async def read(self) -> bytes:
        return self._payload


def _without_moto(session: Any) -> Any:
    """``session`` with moto's stubber taken out of its ``before-send`` handlers."""
    from moto.core.models import botocore_stubber

    session.unregister("before-send", botocore_stubber)
    return session


def sync_floor_client(payload: bytes) -> Any:
    """A boto3 ECS client whose every call is answered by ``payload`` at before-send."""
    session = _without_moto(botocore.session.Session())
    client = boto3.Session(botocore_session=session).client(
        "ecs",
        region_name=REGION,
        aws_access_key_id=_KEYS["aws_access_key_id"],
        aws_secret_access_key=_KEYS["aws_secret_access_key"],
    )

    def canned(request: Any, **kwargs: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, _HEADERS, _SyncBody(payload))  # type: ignore[arg-type]

    client.meta.events.register("before-send.ecs", canned)  # type: ignore[arg-type]
    return client


async def async_floor_client(payload: bytes) -> tuple[Any, Any]:
    """An aiobotocore ECS client answered by ``payload`` at before-send, and its context."""
    from aiobotocore.awsrequest import AioAWSResponse
    from aiobotocore.session import AioSession

    session = _without_moto(AioSession())
    context = session.create_client("ecs", region_name=REGION, **_KEYS)
    client = await context.__aenter__()

    def canned(request: Any, **kwargs: Any) -> Any:
        return AioAWSResponse(request.url, 200, _HEADERS, _AsyncBody(payload, _HEADERS))

    client.meta.events.register("before-send.ecs", canned)
    return client, context


def _payload(fake: FakeEcs, arns: list[str]) -> bytes:
    """The fake's own DescribeTasks answer for ``arns``, as the wire carries it."""
    from pytest_ecs_tasks._wire import to_wire

    answer = fake._service.handle(
        REGION, "DescribeTasks", {"cluster": CLUSTER, "tasks": arns}, record=False
    )
    return json.dumps(to_wire(answer)).encode("utf-8")


# -- measuring ----------------------------------------------------------------------------


async def _timed(call: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await call()
    return (time.perf_counter() - start) * 1000.0


def _timed_sync(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000.0


def describe_100(rounds: int, calls: int) -> dict[str, Samples]:
    """DescribeTasks of 100 RUNNING tasks: fake via aiobotocore and via boto3, and
    each library's floor; ``calls`` of each per round, interleaved."""
    return asyncio.run(_describe_100(rounds, calls))


async def _describe_100(rounds: int, calls: int) -> dict[str, Samples]:
    from aiobotocore.session import get_session

    samples: dict[str, list[float]] = {
        "async, fake": [],
        "sync, fake": [],
        "async, floor": [],
        "sync, floor": [],
    }
    fake = FakeEcs(region=REGION).start()
    try:
        arns = [str(fake.run_task(runs_for=None)["taskArn"]) for _ in range(100)]
        fake.clock.advance(minutes=2)
        payload = _payload(fake, arns)
        sync_fake = fake.client()
        sync_floor = sync_floor_client(payload)
        floor, floor_context = await async_floor_client(payload)
        async with get_session().create_client("ecs", region_name=REGION) as async_fake:
            for _ in range(2):  # warm-up
                await async_fake.describe_tasks(cluster=CLUSTER, tasks=arns)
                sync_fake.describe_tasks(cluster=CLUSTER, tasks=arns)
                await floor.describe_tasks(cluster=CLUSTER, tasks=arns)
                sync_floor.describe_tasks(cluster=CLUSTER, tasks=arns)
            for _ in range(rounds):
                for _ in range(calls):
                    samples["async, fake"].append(
                        await _timed(lambda: async_fake.describe_tasks(cluster=CLUSTER, tasks=arns))
                    )
                    samples["sync, fake"].append(
                        _timed_sync(lambda: sync_fake.describe_tasks(cluster=CLUSTER, tasks=arns))
                    )
                    samples["async, floor"].append(
                        await _timed(lambda: floor.describe_tasks(cluster=CLUSTER, tasks=arns))
                    )
                    samples["sync, floor"].append(
                        _timed_sync(lambda: sync_floor.describe_tasks(cluster=CLUSTER, tasks=arns))
                    )
        await floor_context.__aexit__(None, None, None)
    finally:
        fake.stop()
    return {name: Samples(values) for name, values in samples.items()}


def waiters(repeats: int) -> dict[str, Any]:
    """``tasks_stopped`` on a 5-minute task from aiobotocore and boto3 clients, wall ms,
    and the same number of one-task DescribeTasks calls at each library's floor."""
    return asyncio.run(_waiters(repeats))


async def _waiters(repeats: int) -> dict[str, Any]:
    from aiobotocore.session import get_session

    walls: dict[str, list[float]] = {"async": [], "sync": []}
    polls: dict[str, int] = {}
    simulated: dict[str, float] = {}
    payload = b""
    for round_ in range(repeats + 1):  # the first round is a warm-up
        for kind in ("async", "sync"):
            fake = FakeEcs(region=REGION).start()
            try:
                task = fake.run_task(runs_for=300)
                arn = str(task["taskArn"])
                started = fake.clock.now()
                if kind == "async":
                    async with get_session().create_client("ecs", region_name=REGION) as client:
                        waiter = client.get_waiter("tasks_stopped")
                        start = time.perf_counter()
                        await waiter.wait(cluster=CLUSTER, tasks=[arn])
                        wall = (time.perf_counter() - start) * 1000.0
                else:
                    waiter = fake.client().get_waiter("tasks_stopped")
                    start = time.perf_counter()
                    waiter.wait(cluster=CLUSTER, tasks=[arn])
                    wall = (time.perf_counter() - start) * 1000.0
                if round_:
                    walls[kind].append(wall)
                polls[kind] = len(fake.calls)
                simulated[kind] = (fake.clock.now() - started).total_seconds()
                if not payload:
                    payload = _payload(fake, [arn])
            finally:
                fake.stop()
    floors = await _floors(payload, polls, repeats)
    return {
        "wall_ms": {kind: Samples(values) for kind, values in walls.items()},
        "polls": polls,
        "simulated_s": simulated,
        "floor_ms": floors,
    }


async def _floors(payload: bytes, polls: dict[str, int], repeats: int) -> dict[str, Samples]:
    """Each library's floor for as many one-task DescribeTasks calls as its waiter made."""
    sync_floor = sync_floor_client(payload)
    floor, context = await async_floor_client(payload)
    params = {"cluster": CLUSTER, "tasks": ["x" * 32]}
    results: dict[str, list[float]] = {"async": [], "sync": []}
    try:
        for round_ in range(repeats + 1):
            start = time.perf_counter()
            for _ in range(polls["async"]):
                await floor.describe_tasks(**params)
            elapsed = (time.perf_counter() - start) * 1000.0
            if round_:
                results["async"].append(elapsed)
            start = time.perf_counter()
            for _ in range(polls["sync"]):
                sync_floor.describe_tasks(**params)
            elapsed = (time.perf_counter() - start) * 1000.0
            if round_:
                results["sync"].append(elapsed)
    finally:
        await context.__aexit__(None, None, None)
    return {kind: Samples(values) for kind, values in results.items()}
