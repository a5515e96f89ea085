"""Section 7 of the benchmarks: async clients, and boto3 clients of both kinds.

* DescribeTasks of 100 RUNNING tasks through the fake, from an aiobotocore
  client and from boto3 clients of both kinds (made inside the fake; a default
  client made before it), against each one's floor: the same call answered by
  a canned HTTP response at ``before-send``, parsed the way that client parses
  through the fake (serialise, sign and parse still happen; nothing else does).
  Interleaved, round after round.
* The ``tasks_stopped`` waiter on a task that runs 5 simulated minutes, from an
  aiobotocore client and from boto3 clients of both kinds, in wall ms, against
  the same number of DescribeTasks calls of that one task at each one's floor.

The floor clients come from sessions without moto's stubber among their
handlers, so nothing but the canned answer serves them. While a fake is active,
every client it answers, aiobotocore's and boto3's, made inside it or before it,
parses timestamps with the fake's parser; so do the floors (their parser is set on
their sessions, active fake or not). One more boto3 floor parses with botocore's
own parser: what the client made before the fake costs outside it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

import clients
from harness import Results, Samples, Target, ms
from plans import Plan
from profiling import profile

from pytest_ecs_tasks import FakeEcs

REGION = "us-east-1"
CLUSTER = "default"


# -- the floors: canned answers at before-send --------------------------------------------


class _AsyncBody:
    """What aiobotocore reads a response body through (an aiohttp response's part)."""

    def __init__(self, payload: bytes, headers: dict[str, str]) -> None:
        self._payload = payload
        self.raw_headers = [(k.encode(), v.encode()) for k, v in headers.items()]

    async def read(self) -> bytes:
        return self._payload


async def async_floor_client(payload: bytes) -> tuple[Any, Any]:
    """An aiobotocore ECS client answered by ``payload`` at before-send, and its context."""
    from aiobotocore.awsrequest import AioAWSResponse
    from aiobotocore.session import AioSession

    session = clients.without_moto(clients.pin_parser(AioSession(), "fake"))
    context = session.create_client("ecs", region_name=REGION, **clients.KEYS)
    client = await context.__aenter__()

    def canned(request: Any, **kwargs: Any) -> Any:
        return AioAWSResponse(
            request.url, 200, clients.JSON_HEADERS, _AsyncBody(payload, clients.JSON_HEADERS)
        )

    client.meta.events.register("before-send.ecs", canned)
    return client, context


# -- measuring ----------------------------------------------------------------------------


async def _timed(call: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await call()
    return (time.perf_counter() - start) * 1000.0


def _timed_sync(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000.0


#: The clients measured: (name, its library and kind as the page says it).
CLIENTS = (
    ("async", "aiobotocore"),
    ("sync", f"boto3, {clients.LABEL['inside']}"),
    ("before", f"boto3, {clients.LABEL['before']}"),
)


def describe_100(rounds: int, calls: int) -> dict[str, Samples]:
    """DescribeTasks of 100 RUNNING tasks: the fake via aiobotocore and via boto3
    clients of both kinds, and each one's floor; ``calls`` of each per round, interleaved."""
    return asyncio.run(_describe_100(rounds, calls))


async def _describe_100(rounds: int, calls: int) -> dict[str, Samples]:
    from aiobotocore.session import get_session

    samples: dict[str, list[float]] = {}
    before = clients.before_client()  # made before the fake started
    fake = FakeEcs(region=REGION).start()
    try:
        arns = [str(fake.run_task(runs_for=None)["taskArn"]) for _ in range(100)]
        fake.clock.advance(minutes=2)
        payload = clients.payload(fake, arns, CLUSTER)
        floor, floor_context = await async_floor_client(payload)
        sync_calls: dict[str, Any] = {
            "sync, fake": fake.client(),
            "sync, floor": clients.floor_client(payload, "fake"),
            "before, fake": before,
            "botocore, floor": clients.floor_client(payload, "botocore"),
        }
        async with get_session().create_client("ecs", region_name=REGION) as async_fake:
            async_calls = {"async, fake": async_fake, "async, floor": floor}
            for round_ in range(rounds + 1):  # the first round is a warm-up
                for _ in range(calls if round_ else 2):
                    for name, client in async_calls.items():
                        took = await _timed(
                            partial(client.describe_tasks, cluster=CLUSTER, tasks=arns)
                        )
                        if round_:
                            samples.setdefault(name, []).append(took)
                    for name, client in sync_calls.items():
                        took = _timed_sync(
                            partial(client.describe_tasks, cluster=CLUSTER, tasks=arns)
                        )
                        if round_:
                            samples.setdefault(name, []).append(took)
        await floor_context.__aexit__(None, None, None)
    finally:
        fake.stop()
    return {name: Samples(values) for name, values in samples.items()}


def waiters(repeats: int) -> dict[str, Any]:
    """``tasks_stopped`` on a 5-minute task from aiobotocore and boto3 clients of both
    kinds, wall ms, and the same number of one-task DescribeTasks calls at each one's floor."""
    return asyncio.run(_waiters(repeats))


async def _wait(kind: str, before: Any, fake: FakeEcs, arn: str) -> float:
    """Wall ms of one ``tasks_stopped`` wait from a client of ``kind``."""
    from aiobotocore.session import get_session

    if kind == "async":
        async with get_session().create_client("ecs", region_name=REGION) as client:
            waiter = client.get_waiter("tasks_stopped")
            start = time.perf_counter()
            await waiter.wait(cluster=CLUSTER, tasks=[arn])
            return (time.perf_counter() - start) * 1000.0
    sync_waiter = (fake.client() if kind == "sync" else before).get_waiter("tasks_stopped")
    return _timed_sync(lambda: sync_waiter.wait(cluster=CLUSTER, tasks=[arn]))


async def _waiters(repeats: int) -> dict[str, Any]:
    walls: dict[str, list[float]] = {kind: [] for kind, _ in CLIENTS}
    polls: dict[str, int] = {}
    simulated: dict[str, float] = {}
    payload = b""
    before = clients.before_client()  # made before any of the fakes started
    for round_ in range(repeats + 1):  # the first round is a warm-up
        for kind in walls:
            fake = FakeEcs(region=REGION).start()
            try:
                task = fake.run_task(runs_for=300)
                arn = str(task["taskArn"])
                started = fake.clock.now()
                wall = await _wait(kind, before, fake, arn)
                if round_:
                    walls[kind].append(wall)
                polls[kind] = len(fake.calls)
                simulated[kind] = (fake.clock.now() - started).total_seconds()
                if not payload:
                    payload = clients.payload(fake, [arn], CLUSTER)
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
    """Each client's floor for as many one-task DescribeTasks calls as its waiter made."""
    sync_floors = {
        "sync": clients.floor_client(payload, "fake"),
        "before": clients.floor_client(payload, "fake"),  # as it parses through the fake
    }
    floor, context = await async_floor_client(payload)
    one = ["x" * 32]
    params = {"cluster": CLUSTER, "tasks": one}
    results: dict[str, list[float]] = {kind: [] for kind, _ in CLIENTS}
    try:
        for round_ in range(repeats + 1):
            start = time.perf_counter()
            for _ in range(polls["async"]):
                await floor.describe_tasks(**params)
            elapsed = (time.perf_counter() - start) * 1000.0
            if round_:
                results["async"].append(elapsed)
            for kind, client in sync_floors.items():
                start = time.perf_counter()
                for _ in range(polls[kind]):
                    client.describe_tasks(cluster=CLUSTER, tasks=one)
                elapsed = (time.perf_counter() - start) * 1000.0
                if round_:
                    results[kind].append(elapsed)
    finally:
        await context.__aexit__(None, None, None)
    return {kind: Samples(values) for kind, values in results.items()}


def report(
    results: Results,
    plan: Plan,
    describe: Mapping[str, Samples],
    waiters: Mapping[str, Any],
    one_wait: Callable[[], object],
) -> None:
    sec = "7. Async clients (aiobotocore)"
    fake, floor = describe["async, fake"].median, describe["async, floor"].median
    sync_fake, sync_floor = describe["sync, fake"].median, describe["sync, floor"].median
    results.row(
        sec,
        "DescribeTasks of 100 RUNNING tasks, aiobotocore: fake / floor",
        f"{fake / floor:.2f}x",
        f"{ms(fake)} / {ms(floor)} (floor: a canned answer at before-send)",
    )
    results.target(
        Target(
            "async_describe_floor",
            "async DescribeTasks of 100 through the fake / aiobotocore's floor",
            fake / floor,
            1.5,
            "<=",
            "x",
        )
    )
    results.row(
        sec,
        "the same call, aiobotocore / boto3 client, both through the fake",
        f"{fake / sync_fake:.2f}x",
        f"{ms(fake)} / {ms(sync_fake)} ({clients.LABEL['inside']}); "
        f"boto3 at its own floor: {ms(sync_floor)}",
    )
    own_floor = describe["botocore, floor"].median
    for kind in ("sync", "before"):
        through = describe[f"{kind}, fake"].median
        results.row(
            sec,
            f"the same call, boto3 {dict(CLIENTS)[kind].split(', ', 1)[1]}: fake / floor",
            f"{through / sync_floor:.2f}x",
            f"{ms(through)} / {ms(sync_floor)} (floor parsed with the fake's parser, "
            "as this client parses through the fake)"
            + (
                f"; {through / sync_fake:.2f}x the {clients.LABEL['inside']}; the floor "
                f"parsed with botocore's own parser, as it parses outside the fake: "
                f"{ms(own_floor)}"
                if kind == "before"
                else ""
            ),
        )
    walls, floors, polls = waiters["wall_ms"], waiters["floor_ms"], waiters["polls"]
    for kind, library in CLIENTS:
        wall, floor_ms = walls[kind].median, floors[kind].median
        name = "boto3" if kind == "sync" else library
        floor_of = "its floor (the fake's parser)" if kind == "before" else f"{name}'s floor"
        results.row(
            sec,
            f"tasks_stopped waiter on a 5-minute task, {name}, wall",
            ms(wall),
            f"{polls[kind]} polls over {waiters['simulated_s'][kind]:.0f} simulated s; "
            f"{polls[kind]} calls at {floor_of}: {ms(floor_ms)} ({wall / floor_ms:.2f}x)",
        )
        if kind == "before":  # shown, not a target: see the page's note on client kinds
            continue
        t = results.target(
            Target(
                f"waiter_{kind}",
                f"tasks_stopped waiter ({name}) / as many DescribeTasks at its floor",
                wall / floor_ms,
                1.5,
                "<=",
                "x",
            )
        )
        if kind == "sync" and not t.passed:
            t.profile = profile(one_wait, max(3, plan.profile_calls // 5))
    results.data["async"] = {
        "describe_100_ms": {k: round(v.median, 3) for k, v in describe.items()},
        "waiter_ms": {k: round(v.median, 2) for k, v in walls.items()},
        "waiter_floor_ms": {k: round(v.median, 2) for k, v in floors.items()},
        "waiter_polls": dict(polls),
    }
