"""Section 1 of the benchmarks: DescribeTasks of 100 full tasks, measured.

With 1k, 5k, 10k and 100k tasks stored (added records and ``run_task`` tasks),
every call of one size is timed in the same rounds, call after call: a 1k
reference fake, the fake of that size through both kinds of client (see
``clients.py``), botocore's ``Stubber``, a canned answer at ``before-send``
parsed with the fake's timestamp parser (as both kinds of client parse while a
fake is active) and with botocore's own (as the client made before the fake
parses outside it), and at 1k and 5k plain moto. One ``mock_aws``
holds it all: a started ``FakeEcs`` joins it and answers ECS, a stopped one hands
ECS back to moto. The rows and targets are made in ``describe_report.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import clients
import memory
from botocore.stub import Stubber
from describe_stores import KINDS, PROBES, MotoStore, Store, record_size
from harness import CLUSTER, SEED, Timing, release_memory
from moto import mock_aws
from plans import Plan
from profiling import profile

from pytest_ecs_tasks import FakeEcs, TaskFactory
from pytest_ecs_tasks._factories import reseed

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient


class Switch:
    """Which ``FakeEcs`` answers ECS requests now; ``None``: plain moto (``mock_aws``)."""

    def __init__(self) -> None:
        self.active: FakeEcs | None = None

    def use(self, fake: FakeEcs | None) -> None:
        if fake is self.active:
            return
        if self.active is not None:
            self.active.stop()
            self.active = None
        if fake is not None:
            fake.start()
            self.active = fake


class ServerTimer:
    """Times the server side of a client's DescribeTasks calls: from botocore's
    ``before-send`` event (where moto, and the fake through moto, answer) to its
    ``before-parse`` event. What is left of a call is the client's own work:
    building, signing, and parsing the response into boto3's shape."""

    def __init__(self, client: ECSClient) -> None:
        self._started = 0.0
        self.last_ms = 0.0
        events = client.meta.events
        events.register_first("before-send.ecs.DescribeTasks", self._start)
        events.register("before-parse.ecs.DescribeTasks", self._stop)

    def _start(self, **kwargs: Any) -> None:
        self._started = time.perf_counter()

    def _stop(self, **kwargs: Any) -> None:
        self.last_ms = (time.perf_counter() - self._started) * 1000.0


@dataclass
class Candidate:
    """One thing timed in a round: a call, and which fake must answer it."""

    name: str
    call: Callable[[], object]
    fake: FakeEcs | None = None
    switch: bool = True  # False: the call never reaches ECS (the Stubber, the floors)
    server: ServerTimer | None = None


def measure_candidates(
    switch: Switch, candidates: Sequence[Candidate], repeats: int, *, warmup: int = 2
) -> tuple[dict[str, Timing], dict[str, Timing]]:
    """Time every candidate once per round, round after round (drift hits all alike).
    Returns the whole calls' timings and, for candidates with a ``server`` timer,
    the server side's."""
    samples: dict[str, list[float]] = {c.name: [] for c in candidates}
    server: dict[str, list[float]] = {c.name: [] for c in candidates if c.server}
    for round_ in range(warmup + repeats):
        for c in candidates:
            if c.switch:
                switch.use(c.fake)
            start = time.perf_counter()
            c.call()
            elapsed = (time.perf_counter() - start) * 1000.0
            if round_ >= warmup:
                samples[c.name].append(elapsed)
                if c.server is not None:
                    server[c.name].append(c.server.last_ms)
    return (
        {name: Timing(values) for name, values in samples.items()},
        {name: Timing(values) for name, values in server.items()},
    )


def describe_call(client: ECSClient, arns: list[str]) -> Callable[[], object]:
    def call() -> object:
        return client.describe_tasks(cluster=CLUSTER, tasks=arns)

    return call


def stubber_call(
    client: ECSClient, stubber: Stubber, arns: list[str], records: list[dict[str, Any]]
) -> Callable[[], object]:
    """``add_response`` of the 100 records, then the call: the Stubber's cost per call."""
    response = {"tasks": records, "failures": []}
    expected = {"cluster": CLUSTER, "tasks": arns}

    def call() -> object:
        stubber.add_response("describe_tasks", response, expected)
        return client.describe_tasks(cluster=CLUSTER, tasks=arns)

    return call


def checked_records(
    switch: Switch, fake: FakeEcs | None, client: ECSClient, arns: list[str], who: str
) -> list[dict[str, Any]]:
    """The answer for the probes, checked: 100 tasks, no failures."""
    switch.use(fake)
    response = client.describe_tasks(cluster=CLUSTER, tasks=arns)
    tasks = [dict(t) for t in response["tasks"]]
    if len(tasks) != PROBES or response.get("failures"):
        raise SystemExit(
            f"{who}: DescribeTasks answered {len(tasks)} tasks and "
            f"{len(response.get('failures', []))} failures for the 100 probe tasks; "
            "the benchmark would not measure what it says"
        )
    return tasks


@dataclass
class DescribeResults:
    """Section 1's figures; every ``Timing`` of one size comes from the same rounds.

    Candidate names: ``ref {kind}`` (the 1k reference fake) and ``fake {kind}`` (the
    fake of that size), both through the client made inside the fake; ``before
    {kind}`` (the fake of that size through the default client made before the
    fake); ``stubber {kind}``; ``floor {kind} {parser}`` (``clients.PARSERS``); ``moto``."""

    rounds: dict[int, dict[str, Timing]] = field(default_factory=dict)
    #: The same rounds' server side (before-send -> before-parse), fakes and moto only.
    server: dict[int, dict[str, Timing]] = field(default_factory=dict)
    fill_seconds: dict[str, dict[int, float]] = field(default_factory=dict)
    moto_fill_seconds: dict[int, float] = field(default_factory=dict)
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Per answer: how many values (leaves) and timestamps one task record carries.
    record_size: dict[str, dict[str, int]] = field(default_factory=dict)

    def fake(self, kind: str, size: int, client: str = "inside") -> Timing:
        got = self.rounds[size]
        if client == "before":
            return got[f"before {kind}"]
        return got.get(f"fake {kind}") or got[f"ref {kind}"]

    def fake_sizes(self) -> list[int]:
        return sorted(self.rounds)

    def moto(self) -> dict[int, Timing]:
        return {size: got["moto"] for size, got in sorted(self.rounds.items()) if "moto" in got}

    def pooled(self, name: str) -> Timing:
        """Every sample of a size-independent candidate (the Stubber, a floor), all rounds."""
        return Timing([s for got in self.rounds.values() for s in got[name].samples_ms])

    def stubber(self, kind: str) -> Timing:
        return self.pooled(f"stubber {kind}")

    def floor(self, kind: str, parser: str) -> Timing:
        return self.pooled(f"floor {kind} {parser}")

    def flatness(self, kind: str, size: int) -> float:
        """Median at ``size`` over median of the 1k reference fake, timed in the same rounds."""
        got = self.rounds[size]
        if f"fake {kind}" not in got:
            return 1.0
        return got[f"fake {kind}"].median / got[f"ref {kind}"].median

    def vs_stubber(self, kind: str, size: int, client: str = "inside") -> float:
        return self.fake(kind, size, client).median / self.rounds[size][f"stubber {kind}"].median

    def vs_floor(self, kind: str, size: int, client: str = "inside", parser: str = "fake") -> float:
        """The fake through ``client`` over the floor parsed with ``parser``'s timestamps
        (both kinds of client parse with the fake's while it is active)."""
        floor = self.rounds[size][f"floor {kind} {parser}"].median
        return self.fake(kind, size, client).median / floor

    def fake_server(self, kind: str, size: int, client: str = "inside") -> Timing:
        got = self.server[size]
        if client == "before":
            return got[f"before {kind}"]
        return got.get(f"fake {kind}") or got[f"ref {kind}"]

    def moto_over_fake(self, kind: str, size: int) -> float | None:
        moto = self.rounds[size].get("moto")
        return None if moto is None else moto.median / self.fake(kind, size).median


def measure(plan: Plan) -> DescribeResults:
    """DescribeTasks of 100 tasks: the fakes at each size through both kinds of client,
    a 1k reference fake, the Stubber, the floors and moto, all timed in the same rounds.
    moto's client is made under a bare ``mock_aws``, as a moto test makes it."""
    out = DescribeResults()
    reseed(SEED)
    first, stored = plan.sizes[0], plan.stored
    with mock_aws():
        client = clients.before_client()  # moto's, as under a bare mock_aws
        timer = ServerTimer(client)
        before = clients.before_client()  # made before any fake started
        btimer = ServerTimer(before)
        inside = clients.inside_client()  # as under the ecs_tasks fixture
        itimer = ServerTimer(inside)
        moto = MotoStore(client)
        switch = Switch()
        stub_client, stubber = clients.stubber_client()
        probes = [dict(t) for t in TaskFactory.build_batch(PROBES, now=FakeEcs().clock.now())]

        refs: dict[str, Store] = {}
        fixed: list[Candidate] = []  # the Stubber and the floors, the same at every size
        for kind in KINDS:
            start = time.perf_counter()
            ref = refs[kind] = Store(kind, probes)
            ref.fill_to(first)
            out.fill_seconds[kind] = {first: time.perf_counter() - start}
            records = checked_records(switch, ref.fake, inside, ref.probe_arns, f"fake ({kind})")
            out.record_size[kind] = record_size(records[0])
            fixed.append(
                Candidate(
                    f"stubber {kind}",
                    stubber_call(stub_client, stubber, ref.probe_arns, records),
                    switch=False,
                )
            )
            switch.use(ref.fake)
            answer = clients.payload(ref.fake, ref.probe_arns, CLUSTER)
            for parser in clients.PARSERS:
                floor = clients.floor_client(answer, parser)
                fixed.append(
                    Candidate(
                        f"floor {kind} {parser}", describe_call(floor, ref.probe_arns), switch=False
                    )
                )

        def sized(stores: dict[str, Store], name: str) -> list[Candidate]:
            found = []
            for kind, store in stores.items():
                arns = store.probe_arns
                if name:
                    found.append(
                        Candidate(
                            name + kind, describe_call(inside, arns), store.fake, server=itimer
                        )
                    )
                found.append(
                    Candidate(
                        f"before {kind}", describe_call(before, arns), store.fake, server=btimer
                    )
                )
            return found

        def moto_candidate(size: int) -> list[Candidate]:
            if size not in plan.moto_sizes:
                return []
            switch.use(None)  # moto answers
            moto.fill_to(size)
            out.record_size["moto"] = record_size(
                checked_records(switch, None, client, moto.probe_arns, "moto")[0]
            )
            return [Candidate("moto", describe_call(client, moto.probe_arns), None, server=timer)]

        def profile_fake(store: Store) -> dict[str, Any]:
            switch.use(store.fake)
            return profile(describe_call(inside, store.probe_arns), plan.profile_calls)

        refs_inside = sized(refs, "ref ")
        # The sizes below the largest: one growing fake per kind.
        growers = {kind: Store(kind, probes) for kind in KINDS}
        for size in plan.sizes[:-1]:
            if size == first:  # the reference fakes are the fakes of this size
                candidates = list(refs_inside)
            else:
                candidates = [c for c in refs_inside if c.name.startswith("ref ")]
                for kind, grower in growers.items():
                    start = time.perf_counter()
                    grower.fill_to(size)
                    out.fill_seconds[kind][size] = time.perf_counter() - start
                    checked_records(switch, grower.fake, inside, grower.probe_arns, kind)
                candidates += sized(growers, "fake ")
            candidates += fixed
            repeats = plan.moto_repeats if size in plan.moto_sizes else plan.describe_repeats
            candidates += moto_candidate(size)
            out.rounds[size], out.server[size] = measure_candidates(switch, candidates, repeats)
            for kind in KINDS:
                ratio = out.moto_over_fake(kind, size)
                if size == 5_000 and ratio is not None and ratio < 10:
                    store = growers[kind] if size > first else refs[kind]
                    out.profiles[f"{kind} {size}"] = profile_fake(store)
                    if "moto" not in out.profiles:
                        switch.use(None)
                        out.profiles["moto"] = profile(
                            describe_call(client, moto.probe_arns), max(3, plan.profile_calls // 3)
                        )
        out.moto_fill_seconds = dict(moto.fill_seconds)
        switch.use(None)
        del growers
        release_memory()

        # The largest size: a fresh fake per kind, memory measured while filling it.
        bigs: dict[str, Store] = {}
        for kind in KINDS:
            bigs[kind], out.memory[kind], seconds = memory.fill_measuring_memory(kind, probes, plan)
            out.fill_seconds[kind][stored] = seconds
            checked_records(switch, bigs[kind].fake, inside, bigs[kind].probe_arns, kind)
        candidates = [c for c in refs_inside if c.name.startswith("ref ")]
        candidates += sized(bigs, "fake ") + fixed
        out.rounds[stored], out.server[stored] = measure_candidates(
            switch, candidates, plan.describe_repeats
        )
        for kind, big in bigs.items():  # kept in the JSON; printed only for failing targets
            out.profiles[f"{kind} {stored}"] = profile_fake(big)
        switch.use(None)
        del bigs
    release_memory()
    return out
