#!/usr/bin/env python
"""Speed and memory of pytest-ecs-tasks, side by side with moto and botocore's Stubber.

    python benchmarks/run.py            # or: nox -s benchmarks
    python benchmarks/run.py --only timeline   # one section; writes nothing
    python benchmarks/run.py --only services   # section 10 alone; writes nothing

Everything is measured in this one process (the pytest runs of section 2 are
subprocesses, timed from here), so every ratio compares figures taken on the
same machine, minutes apart. Timings are ``time.perf_counter`` medians over
repeats; memory is ``tracemalloc`` and the resident set size.

1. DescribeTasks of 100 full tasks through a real boto3 client, with 1k, 5k,
   10k and 100k tasks stored: added records (``TaskFactory`` + ``add_task``)
   and tasks started with ``run_task``; against botocore's ``Stubber`` serving
   the same 100 records (measured interleaved with the fake, call by call) and
   against plain moto 5.2 with 1k and 5k tasks.
2. Cost per test of the ``ecs_tasks`` fixture (one client, one call) against a
   bare ``mock_aws`` test, in this process and through pytest itself.
3. ``TaskFactory`` throughput, per trait.
4. A ``tasks_stopped`` waiter on a 5-minute simulated task.
5. Memory with 100,000 tasks stored.
6. The edges (``edges.py``): what an installed plugin adds to a pytest run that
   does not use it, ``ecs-tasks --help``, RSS over 20,000 DescribeTasks calls,
   ListTasks with 50,000 expired tasks against none.
7. Async clients (``aio.py``) and 8. ``serve`` (``serve.py``).
9. Clock moves (``timeline.py``): one ``clock.advance`` stopping 10 tasks in a
   fake that also holds 10,000 idle RUNNING tasks against one holding only the
   10, without and with an EventBridge rule delivering the events to SQS.
10. Clock moves with services (``services.py``): the clock moves that take one
   service's rolling deployment (10 tasks) from its start to COMPLETED, in a fake
   that also holds 199 steady services of 10 tasks against one holding only it.

Results: a table on stdout, ``benchmarks/results/latest.json``,
``docs/img/benchmark-describe.svg`` and ``docs/benchmarks.md``. A target that
fails is profiled with cProfile and the profile is printed and saved.
Nothing here leaves loopback (see ``benchmarks/netguard.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import ctypes
import dataclasses
import gc
import json
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import netguard  # noqa: E402  (before anything that could open a socket)

netguard.install()
# No credential lookups beyond the environment: never the instance metadata service.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

import aio  # noqa: E402
import boto3  # noqa: E402
import edges  # noqa: E402
import serve  # noqa: E402
import services  # noqa: E402
import timeline  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from botocore.stub import Stubber  # noqa: E402
from moto import mock_aws  # noqa: E402

from pytest_ecs_tasks import FakeEcs, TaskFactory  # noqa: E402
from pytest_ecs_tasks._factories import reseed  # noqa: E402

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient

RESULTS_JSON = BENCH_DIR / "results" / "latest.json"
PLOT_SVG = ROOT / "docs" / "img" / "benchmark-describe.svg"
DOCS_MD = ROOT / "docs" / "benchmarks.md"

SEED = 20240601
REGION = "us-east-1"
CLUSTER = "default"
PROBES = 100  # tasks per DescribeTasks call (the API's maximum)
MISSING_TASK = "0123456789abcdef0123456789abcdef"  # the one task id of the per-test benchmark
TRAITS = (
    "running",
    "stopped",
    "failed_to_start",
    "essential_exited",
    "spot_interrupted",
    "ec2",
    "tagged",
    "service",
)


# ---------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How much to measure: the default run, or ``--quick`` for a smoke test."""

    sizes: tuple[int, ...] = (1_000, 5_000, 10_000, 100_000)
    moto_sizes: tuple[int, ...] = (1_000, 5_000)
    describe_repeats: int = 40
    moto_repeats: int = 12
    per_test_repeats: int = 25
    pytest_tests: int = 200
    pytest_repeats: int = 3
    pytest_moto_repeats: int = 1
    factory_batch: int = 1_000
    factory_repeats: int = 2
    trait_batch: int = 200
    waiter_repeats: int = 9
    traced_tasks: int = 10_000  # tasks stored under tracemalloc (100k with --full-memory)
    profile_calls: int = 30
    startup_repeats: int = 15
    long_run_calls: int = 20_000  # DescribeTasks calls of 100 ids, RSS measured over them
    long_run_checkpoint: int = 2_000  # where RSS is first read (the calls log is full by then)
    expired_tasks: int = 50_000
    list_rounds: int = 5
    list_calls: int = 40
    async_rounds: int = 8  # 7. async DescribeTasks: rounds of interleaved calls
    async_calls: int = 10
    async_waiter_repeats: int = 7
    serve_rounds: int = 5  # 8. serve: rounds of kept-alive calls against in-process ones
    serve_calls: int = 100
    serve_connections: int = 100
    serve_requests: int = 20_000
    serve_checkpoint: int = 2_000
    timeline_stored: int = 10_000  # 9. clock moves: idle RUNNING tasks stored
    timeline_changing: int = 10  # tasks stopping in the timed move
    timeline_rounds: int = 60  # timed moves per fake, no rule
    timeline_rule_rounds: int = 7  # timed moves per fake, SQS rule (moto's delivery is slow)
    services_stored: int = 200  # 10. clock moves with services: services in the big fake
    services_tasks: int = 10  # tasks per service
    services_rounds: int = 40  # deployments timed per fake and variant

    @property
    def stored(self) -> int:
        return self.sizes[-1]


QUICK = Plan(
    sizes=(1_000, 5_000, 10_000),
    moto_sizes=(1_000, 5_000),
    describe_repeats=10,
    moto_repeats=4,
    per_test_repeats=8,
    pytest_tests=40,
    pytest_repeats=1,
    factory_batch=200,
    factory_repeats=1,
    trait_batch=40,
    waiter_repeats=3,
    traced_tasks=2_000,
    profile_calls=10,
    startup_repeats=3,
    long_run_calls=3_000,
    long_run_checkpoint=1_500,
    expired_tasks=5_000,
    list_rounds=2,
    list_calls=10,
    async_rounds=2,
    async_calls=3,
    async_waiter_repeats=2,
    serve_rounds=2,
    serve_calls=20,
    serve_connections=100,
    serve_requests=3_000,
    serve_checkpoint=1_000,
    timeline_stored=2_000,
    timeline_changing=10,
    timeline_rounds=6,
    timeline_rule_rounds=2,
    services_stored=50,
    services_tasks=10,
    services_rounds=6,
)


# ---------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------


@dataclass
class Timing:
    """Wall-clock samples of one operation, in milliseconds."""

    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def minimum(self) -> float:
        return min(self.samples_ms)

    @property
    def iqr(self) -> tuple[float, float]:
        if len(self.samples_ms) < 4:
            return self.minimum, max(self.samples_ms)
        q = statistics.quantiles(self.samples_ms, n=4)
        return q[0], q[2]

    def as_json(self) -> dict[str, Any]:
        low, high = self.iqr
        return {
            "median_ms": round(self.median, 4),
            "min_ms": round(self.minimum, 4),
            "q1_ms": round(low, 4),
            "q3_ms": round(high, 4),
            "n": len(self.samples_ms),
        }


def measure(fn: Callable[[], object], repeats: int, *, warmup: int = 2) -> Timing:
    """Time ``fn()`` ``repeats`` times after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return Timing(samples)


def measure_interleaved(
    fns: Mapping[str, Callable[[], object]], repeats: int, *, warmup: int = 2
) -> dict[str, Timing]:
    """Time several operations in turn, round after round, so drift hits them alike."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - start) * 1000.0)
    return {name: Timing(values) for name, values in samples.items()}


def rss_bytes() -> int:
    """This process's resident set size now (Linux ``/proc``; else the peak so far)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return max_rss_bytes()


def max_rss_bytes() -> int:
    """The peak resident set size of this process so far."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


def release_memory() -> None:
    """Collect garbage and hand free heap back to the OS, so RSS deltas start clean."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


# ---------------------------------------------------------------------------------------
# Profiling (only for targets that fail)
# ---------------------------------------------------------------------------------------


def _short(path: str) -> str:
    for marker in ("site-packages/", "lib/python3.", str(ROOT) + "/"):
        if marker in path:
            tail = path.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker.startswith("lib/python3.") else tail
    return path


def _package(path: str) -> str:
    if path.startswith("~") or path.startswith("<"):
        return "builtins (C)"
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if path.startswith(str(ROOT) + "/"):
        return path[len(str(ROOT)) + 1 :].split("/", 1)[0].removesuffix(".py")
    if "lib/python3." in path:
        tail = path.split("lib/python3.", 1)[1].split("/", 1)[1]
        return "stdlib " + tail.split("/", 1)[0].removesuffix(".py")
    return path


#: Where a call's time goes, by stage: (label, file suffix, function); cumulative shares.
PHASES: tuple[tuple[str, str, str], ...] = (
    ("botocore: serialise + sign the request", "botocore/endpoint.py", "create_request"),
    (
        "before-send hook: moto's BotocoreStubber.__call__ (fake or moto inside)",
        "moto/core/botocore_stubber.py",
        "__call__",
    ),
    (
        "fake service: EcsService.dispatch (all of it)",
        "pytest_ecs_tasks/service/ecs.py",
        "dispatch",
    ),
    (
        "  fake: validate the request (model.validate_input)",
        "pytest_ecs_tasks/model.py",
        "validate_input",
    ),
    (
        "  fake: render the records (TaskEntry.describe)",
        "pytest_ecs_tasks/service/state.py",
        "describe",
    ),
    ("  fake: encode the JSON body (model.dumps)", "pytest_ecs_tasks/model.py", "dumps"),
    (
        "moto: answer the request (BotocoreStubber.process_request)",
        "moto/core/botocore_stubber.py",
        "process_request",
    ),
    ("botocore: parse the response (ResponseParser.parse)", "botocore/parsers.py", "parse"),
    ("  botocore: decode the JSON body", "botocore/parsers.py", "_parse_body_as_json"),
    (
        "  botocore: timestamps to datetime (utils.parse_timestamp)",
        "botocore/utils.py",
        "parse_timestamp",
    ),
    ("boto3.client(): build a client", "boto3/__init__.py", "client"),
    ("FakeEcs.start()", "pytest_ecs_tasks/fake.py", "start"),
    ("FakeEcs.stop()", "pytest_ecs_tasks/fake.py", "stop"),
    ("waiter: virtual sleeps (Clock.sleep)", "pytest_ecs_tasks/clock.py", "sleep"),
)

#: cProfile's raw entries: (file, line, function) -> (calls, primitive calls, own s, cumulative s, callers).
RawStats = dict[tuple[str, int, str], tuple[int, int, float, float, Any]]


def profile(fn: Callable[[], object], calls: int, *, top: int = 14) -> dict[str, Any]:
    """Where ``calls`` calls of ``fn`` spend their time: shares by stage (cumulative),
    by package (own time), and the functions with the most own time."""
    fn()  # warm
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    raw: RawStats = vars(pstats.Stats(profiler))["stats"]
    total = sum(entry[2] for entry in raw.values()) or 1e-12

    def share(seconds: float) -> float:
        return round(100.0 * seconds / total, 1)

    by_package: dict[str, float] = {}
    functions = []
    for (path, line, name), (cc, nc, tt, ct, _) in raw.items():
        package = _package(path)
        by_package[package] = by_package.get(package, 0.0) + tt
        label = name if path == "~" else f"{_short(path)}:{line}({name})"
        ncalls = str(nc) if cc == nc else f"{nc}/{cc}"
        functions.append((label, ncalls, tt, ct))
    phases = []
    for label, suffix, name in PHASES:
        seconds = sum(
            entry[3]
            for (path, _, func), entry in raw.items()
            if func == name and path.endswith(suffix)
        )
        if seconds > 0:
            phases.append({"stage": label, "share_pct": share(seconds)})
    return {
        "calls_profiled": calls,
        "profiled_ms_per_call": round(total * 1000.0 / calls, 3),
        "stages": phases,
        "by_package": [
            {"package": pkg, "share_pct": share(t)}
            for pkg, t in sorted(by_package.items(), key=lambda kv: -kv[1])[:8]
        ],
        "own_time": [
            {"function": label, "ncalls": ncalls, "share_pct": share(tt)}
            for label, ncalls, tt, _ in sorted(functions, key=lambda f: -f[2])[:top]
        ],
    }


def format_profile(found: Mapping[str, Any]) -> list[str]:
    lines = [
        f"    cProfile over {found['calls_profiled']} calls "
        f"({found['profiled_ms_per_call']} ms/call under the profiler)",
        "    by stage (cumulative share of the call):",
    ]
    lines += [f"      {p['share_pct']:5.1f}%  {p['stage']}" for p in found["stages"]]
    lines.append(
        "    by package (own time): "
        + ", ".join(f"{p['package']} {p['share_pct']}%" for p in found["by_package"])
    )
    lines.append("    functions with the most own time:")
    lines += [
        f"      {f['share_pct']:5.1f}%  {f['function']}  [{f['ncalls']} calls]"
        for f in found["own_time"]
    ]
    return lines


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------


@dataclass
class Target:
    """A quality bar of DESIGN.md, checked against this run."""

    key: str
    text: str
    value: float
    limit: float
    op: str  # "<=", ">=" or "<"
    unit: str = ""
    profile: dict[str, Any] | None = None
    finding: str = ""

    @property
    def passed(self) -> bool:
        if self.op == "<=":
            return self.value <= self.limit
        if self.op == ">=":
            return self.value >= self.limit
        return self.value < self.limit

    @property
    def status(self) -> str:
        return "PASS" if self.passed else "FAIL"

    def measured(self) -> str:
        return (
            f"{self.value:.2f}{self.unit}" if self.unit == "x" else f"{self.value:.1f}{self.unit}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "target": self.text,
            "value": round(self.value, 4),
            "limit": self.limit,
            "op": self.op,
            "status": self.status,
            "profile": self.profile,
            "finding": self.finding,
        }


@dataclass
class Row:
    """One line of the results table."""

    section: str
    measurement: str
    figure: str
    compared: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    section_seconds: dict[str, float] = field(default_factory=dict)

    def row(self, section: str, measurement: str, figure: str, compared: str = "") -> None:
        self.rows.append(Row(section, measurement, figure, compared))

    def target(self, target: Target) -> Target:
        self.targets.append(target)
        return target


def ms(value: float) -> str:
    return f"{value:.3f} ms" if value < 10 else f"{value:.1f} ms"


def mib(value: float) -> str:
    return f"{value / 2**20:.1f} MiB"


@contextlib.contextmanager
def section(results: Results, name: str) -> Iterator[None]:
    print(f"[{time.strftime('%H:%M:%S')}] {name} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    try:
        yield
    finally:
        results.section_seconds[name] = round(time.perf_counter() - start, 2)


# ---------------------------------------------------------------------------------------
# 1. DescribeTasks
# ---------------------------------------------------------------------------------------

KINDS = ("added", "run")
KIND_LABEL = {"added": "added records", "run": "run_task tasks"}


def _task_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def _copy(value: Any, old: str, new: str) -> Any:
    """A deep copy of a record with task id ``old`` replaced by ``new``.

    Generated values (strings with digits: ids, ARNs, addresses, digests) and
    timestamps become new objects, as in a record built from scratch; the fixed
    vocabulary (``"RUNNING"``, ``"FARGATE"``, ...) stays shared, as it is
    between records ``TaskFactory`` builds.
    """
    if isinstance(value, str):
        if old in value:
            return value.replace(old, new)
        if any(c.isdigit() for c in value):
            return (value + "\0")[:-1]
        return value
    if isinstance(value, dict):
        return {k: _copy(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v, old, new) for v in value]
    if isinstance(value, datetime):
        return value + timedelta(0)
    return value


class Store:
    """A ``FakeEcs`` holding tasks of one kind, the 100 probe tasks first.

    ``added``: the probes are 100 ``TaskFactory`` records; the other tasks are
    copies of them under a new task id (building 100k records with the factory
    would take over a minute). ``run``: every task is started with
    ``FakeEcs.run_task``. Either way every task goes in through the public API.
    """

    def __init__(self, kind: str, probes: Sequence[Mapping[str, Any]]) -> None:
        self.kind = kind
        self.fake = FakeEcs(region=REGION)
        self.templates = list(probes)
        self.count = 0
        self.probe_arns: list[str] = []
        self.ids = random.Random(f"{SEED} {kind}")  # task ids of the copies

    def fill_to(self, n: int) -> None:
        fake = self.fake
        if self.kind == "added":
            while self.count < n:
                i = self.count
                template = self.templates[i % len(self.templates)]
                if i < len(self.templates):
                    fake.add_task(template)
                    self.probe_arns.append(str(template["taskArn"]))
                else:
                    old = _task_id(str(template["taskArn"]))
                    fake.add_task(_copy(template, old, f"{self.ids.getrandbits(128):032x}"))
                self.count += 1
        else:
            while self.count < n:
                task = fake.run_task()
                if self.count < PROBES:
                    self.probe_arns.append(str(task["taskArn"]))
                self.count += 1
            # Let the probes reach RUNNING (their records are then complete).
            fake.clock.advance(minutes=2)


class Switch:
    """Which ``FakeEcs`` answers ECS requests now; ``None``: plain moto (``mock_aws``).

    Inside an active ``mock_aws``, a started ``FakeEcs`` joins it and answers ECS;
    stopping it hands ECS back to moto. Switching happens between timed calls,
    so the fakes of every size, moto and the
    Stubber can be timed call by call, in turn, with one boto3 client.
    """

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
    switch: bool = True  # False: the call never reaches ECS (the Stubber)
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


def record_size(record: Any) -> dict[str, int]:
    """How many values (leaves) and timestamps a record carries."""
    if isinstance(record, dict):
        parts = [record_size(v) for v in record.values()]
    elif isinstance(record, list):
        parts = [record_size(v) for v in record]
    else:
        return {"values": 1, "timestamps": int(isinstance(record, datetime))}
    return {k: sum(p[k] for p in parts) for k in ("values", "timestamps")}


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


class MotoStore:
    """Plain moto: a registered Fargate task definition, a cluster, and
    ``run_task(count=10)`` batches until the wanted number of tasks is stored."""

    def __init__(self, client: ECSClient) -> None:
        self.client = client
        client.create_cluster(clusterName=CLUSTER)
        client.register_task_definition(
            family="app",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[
                {"name": "app", "image": "nginx:1.27", "memory": 512, "essential": True}
            ],
        )
        # Fargate needs awsvpc: moto gives each task an ENI in the default VPC.
        ec2 = boto3.client("ec2", region_name=REGION)
        self.subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        groups = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"]
        self.group = groups[0]["GroupId"]
        self.arns: list[str] = []
        self.fill_seconds: dict[int, float] = {}
        self._spent = 0.0

    def fill_to(self, n: int) -> None:
        start = time.perf_counter()
        while len(self.arns) < n:
            response = self.client.run_task(
                cluster=CLUSTER,
                taskDefinition="app",
                count=10,
                launchType="FARGATE",
                networkConfiguration={
                    "awsvpcConfiguration": {
                        "subnets": [self.subnet],
                        "securityGroups": [self.group],
                        "assignPublicIp": "DISABLED",
                    }
                },
            )
            self.arns.extend(t["taskArn"] for t in response["tasks"])
        self._spent += time.perf_counter() - start
        self.fill_seconds[n] = self._spent

    @property
    def probe_arns(self) -> list[str]:
        return self.arns[:PROBES]


@dataclass
class DescribeResults:
    """Section 1's figures; every ``Timing`` of one size comes from the same rounds."""

    #: size -> candidate name -> timing. Names: "fake added", "ref added" (the 1k
    #: reference fake timed in the same rounds), "stubber added", the same for
    #: "run", and "moto".
    rounds: dict[int, dict[str, Timing]] = field(default_factory=dict)
    #: The same rounds' server side (before-send -> before-parse), fakes and moto only.
    server: dict[int, dict[str, Timing]] = field(default_factory=dict)
    fill_seconds: dict[str, dict[int, float]] = field(default_factory=dict)
    moto_fill_seconds: dict[int, float] = field(default_factory=dict)
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Per answer: how many values (leaves) and timestamps one task record carries.
    record_size: dict[str, dict[str, int]] = field(default_factory=dict)

    def fake(self, kind: str, size: int) -> Timing:
        got = self.rounds[size]
        return got.get(f"fake {kind}") or got[f"ref {kind}"]

    def fake_sizes(self) -> list[int]:
        return sorted(self.rounds)

    def moto(self) -> dict[int, Timing]:
        return {size: got["moto"] for size, got in sorted(self.rounds.items()) if "moto" in got}

    def stubber(self, kind: str) -> Timing:
        """Every Stubber sample of this kind, from all rounds."""
        return Timing(
            [s for got in self.rounds.values() for s in got[f"stubber {kind}"].samples_ms]
        )

    def flatness(self, kind: str, size: int) -> float:
        """Median at ``size`` over median of the 1k reference fake, timed in the same rounds."""
        got = self.rounds[size]
        if f"fake {kind}" not in got:
            return 1.0
        return got[f"fake {kind}"].median / got[f"ref {kind}"].median

    def vs_stubber(self, kind: str, size: int) -> float:
        return self.fake(kind, size).median / self.rounds[size][f"stubber {kind}"].median

    def fake_server(self, kind: str, size: int) -> Timing:
        got = self.server[size]
        return got.get(f"fake {kind}") or got[f"ref {kind}"]

    def moto_over_fake(self, kind: str, size: int) -> float | None:
        moto = self.rounds[size].get("moto")
        return None if moto is None else moto.median / self.fake(kind, size).median


def fake_client() -> ECSClient:
    """An ECS client as a test using ``ecs_tasks`` gets one: made while a fake is
    started, in a fresh default session (inside the already active ``mock_aws``)."""
    saved = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = None
    try:
        with FakeEcs():
            return boto3.client("ecs", region_name=REGION)
    finally:
        boto3.DEFAULT_SESSION = saved


def describe_section(plan: Plan) -> DescribeResults:
    """DescribeTasks of 100 tasks: the fakes at each size, a 1k reference fake, the
    Stubber and moto, all timed in the same rounds. Each side gets the client a
    test of its own would get: moto's a client made under a bare ``mock_aws``, the
    fakes' one made while a fake is started (as in the ``ecs_tasks`` fixture)."""
    out = DescribeResults()
    reseed(SEED)
    first, stored = plan.sizes[0], plan.stored
    with mock_aws():
        client = boto3.client("ecs", region_name=REGION)  # moto's, as under a bare mock_aws
        timer = ServerTimer(client)
        fclient = fake_client()  # the fakes', as under the ecs_tasks fixture
        ftimer = ServerTimer(fclient)
        moto = MotoStore(client)
        switch = Switch()
        stub_client, stubber = _stubber_client()
        probes = [dict(t) for t in TaskFactory.build_batch(PROBES, now=FakeEcs().clock.now())]

        refs: dict[str, Store] = {}
        stubs: dict[str, Callable[[], object]] = {}
        for kind in KINDS:
            start = time.perf_counter()
            ref = refs[kind] = Store(kind, probes)
            ref.fill_to(first)
            out.fill_seconds[kind] = {first: time.perf_counter() - start}
            records = checked_records(switch, ref.fake, fclient, ref.probe_arns, f"fake ({kind})")
            out.record_size[kind] = record_size(records[0])
            stubs[kind] = stubber_call(stub_client, stubber, ref.probe_arns, records)

        def base_candidates() -> list[Candidate]:
            found = []
            for kind in KINDS:
                ref = refs[kind]
                found.append(
                    Candidate(
                        f"ref {kind}",
                        describe_call(fclient, ref.probe_arns),
                        ref.fake,
                        server=ftimer,
                    )
                )
                found.append(Candidate(f"stubber {kind}", stubs[kind], switch=False))
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
            return profile(describe_call(fclient, store.probe_arns), plan.profile_calls)

        # The sizes below the largest: one growing fake per kind.
        growers = {kind: Store(kind, probes) for kind in KINDS}
        for size in plan.sizes[:-1]:
            candidates = base_candidates()
            if size > first:
                for kind, grower in growers.items():
                    start = time.perf_counter()
                    grower.fill_to(size)
                    out.fill_seconds[kind][size] = time.perf_counter() - start
                    checked_records(switch, grower.fake, fclient, grower.probe_arns, kind)
                    candidates.append(
                        Candidate(
                            f"fake {kind}",
                            describe_call(fclient, grower.probe_arns),
                            grower.fake,
                            server=ftimer,
                        )
                    )
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
            bigs[kind], out.memory[kind], seconds = fill_measuring_memory(kind, probes, plan)
            out.fill_seconds[kind][stored] = seconds
            checked_records(switch, bigs[kind].fake, fclient, bigs[kind].probe_arns, kind)
        candidates = base_candidates() + [
            Candidate(
                f"fake {kind}", describe_call(fclient, big.probe_arns), big.fake, server=ftimer
            )
            for kind, big in bigs.items()
        ]
        out.rounds[stored], out.server[stored] = measure_candidates(
            switch, candidates, plan.describe_repeats
        )
        for kind, big in bigs.items():  # kept in the JSON; printed only for failing targets
            out.profiles[f"{kind} {stored}"] = profile_fake(big)
        switch.use(None)
        del bigs
    release_memory()
    return out


def fill_measuring_memory(
    kind: str, probes: Sequence[Mapping[str, Any]], plan: Plan
) -> tuple[Store, dict[str, Any], float]:
    """Fill a fresh fake to the largest size, measuring the RSS before and after.

    ``tracemalloc`` runs on a separate fake filled with the first
    ``plan.traced_tasks`` tasks (tracing slows storing about fivefold, and its own
    tables would stay in the RSS)."""
    traced = min(plan.traced_tasks, plan.stored)
    release_memory()
    sample = Store(kind, probes)
    tracemalloc.start()
    sample.fill_to(traced)
    current, peak = tracemalloc.get_traced_memory()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    top = snapshot.statistics("lineno")[:8]
    by_package: dict[str, int] = {}
    for stat in snapshot.statistics("filename"):
        where = _package(stat.traceback[0].filename)
        if where == "benchmarks":
            where = "the records (built by the benchmark)"
        by_package[where] = by_package.get(where, 0) + stat.size
    del snapshot, sample
    release_memory()
    rss_before = rss_bytes()
    start = time.perf_counter()
    store = Store(kind, probes)
    store.fill_to(plan.stored)
    seconds = time.perf_counter() - start
    release_memory()
    rss_after = rss_bytes()
    scale = plan.stored / traced
    memory = {
        "tasks": plan.stored,
        "traced_tasks": traced,
        "tracemalloc_current_bytes": current,
        "tracemalloc_peak_bytes": peak,
        "tracemalloc_bytes_per_task": current / traced,
        "tracemalloc_peak_at_stored_bytes": peak * scale,
        "peak_scaled": traced < plan.stored,
        "rss_delta_bytes": rss_after - rss_before,
        "rss_bytes_per_task": (rss_after - rss_before) / plan.stored,
        "max_rss_bytes": max_rss_bytes(),
        "allocated_by_package": [
            {"package": pkg, "share_pct": round(100.0 * size / max(current, 1), 1)}
            for pkg, size in sorted(by_package.items(), key=lambda kv: -kv[1])[:6]
        ],
        "top_allocations": [
            {
                "where": f"{_short(s.traceback[0].filename)}:{s.traceback[0].lineno}",
                "bytes": s.size,
                "share_pct": round(100.0 * s.size / max(current, 1), 1),
            }
            for s in top
        ],
    }
    return store, memory, seconds


def _stubber_client() -> tuple[ECSClient, Stubber]:
    client = boto3.client(
        "ecs",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        endpoint_url="http://127.0.0.1:9",  # never used: the Stubber answers before sending
    )
    stubber = Stubber(client)
    stubber.activate()
    return client, stubber


# ---------------------------------------------------------------------------------------
# 2. Cost per test
# ---------------------------------------------------------------------------------------


def fake_test() -> None:
    """What an ``ecs_tasks`` test with one client and one call costs."""
    fake = FakeEcs(region=REGION)
    fake.start()
    try:
        client = boto3.client("ecs", region_name=REGION)
        client.describe_tasks(cluster=CLUSTER, tasks=[MISSING_TASK])
    finally:
        fake.stop()


def moto_test() -> None:
    """The same test under a bare ``mock_aws`` (moto knows no default cluster: an error reply)."""
    mock = mock_aws()
    mock.start()
    try:
        client = boto3.client("ecs", region_name=REGION)
        with contextlib.suppress(ClientError):
            client.describe_tasks(cluster=CLUSTER, tasks=[MISSING_TASK])
    finally:
        mock.stop()


_CONFTEST = """\
import sys

sys.path.insert(0, {bench_dir!r})
import netguard

netguard.install()
"""

_TEST_EMPTY = """\
import pytest


@pytest.mark.parametrize("i", range({n}))
def test_empty(i):
    pass
"""

_TEST_FIXTURE = """\
import boto3
import pytest


@pytest.mark.parametrize("i", range({n}))
def test_describe(i, ecs_tasks):
    client = boto3.client("ecs", region_name="us-east-1")
    response = client.describe_tasks(cluster="default", tasks=["{task}"])
    assert response["failures"][0]["reason"] == "MISSING"
"""

_TEST_MOTO = """\
import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws


@pytest.mark.parametrize("i", range({n}))
def test_describe(i):
    with mock_aws():
        client = boto3.client("ecs", region_name="us-east-1")
        with pytest.raises(ClientError):
            client.describe_tasks(cluster="default", tasks=["{task}"])
"""


def _pytest_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "PYTEST_")) and k not in ("BOTO_CONFIG",)
    }
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


def pytest_runs(plan: Plan) -> dict[str, Timing]:
    """Wall time of ``pytest -p no:randomly -q`` over N tests: empty, ecs_tasks, mock_aws."""
    n = plan.pytest_tests
    files = {
        "empty": _TEST_EMPTY.format(n=n),
        "ecs_tasks": _TEST_FIXTURE.format(n=n, task=MISSING_TASK),
        "mock_aws": _TEST_MOTO.format(n=n, task=MISSING_TASK),
    }
    env = _pytest_env()
    with tempfile.TemporaryDirectory(prefix="ecs-tasks-bench-") as tmp:
        folder = Path(tmp)
        (folder / "conftest.py").write_text(_CONFTEST.format(bench_dir=str(BENCH_DIR)))
        for name, source in files.items():
            (folder / f"test_{name}.py").write_text(source)

        def run(name: str) -> Callable[[], object]:
            def call() -> object:
                done = subprocess.run(
                    [sys.executable, "-m", "pytest", "-p", "no:randomly", "-q", f"test_{name}.py"],
                    cwd=folder,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0 or f"{n} passed" not in done.stdout:
                    raise SystemExit(
                        f"pytest run of test_{name}.py failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}"
                    )
                return done

            return call

        run("empty")()  # warm the OS file cache
        # Interleaved; the long mock_aws file runs plan.pytest_moto_repeats times (25 s each).
        order = ["empty", "ecs_tasks", "mock_aws"] * plan.pytest_moto_repeats
        order += ["empty", "ecs_tasks"] * (plan.pytest_repeats - plan.pytest_moto_repeats)
        samples: dict[str, list[float]] = {name: [] for name in files}
        for name in order:
            start = time.perf_counter()
            run(name)()
            samples[name].append((time.perf_counter() - start) * 1000.0)
        return {name: Timing(values) for name, values in samples.items()}


# ---------------------------------------------------------------------------------------
# 3. Factories, 4. waiter
# ---------------------------------------------------------------------------------------


def factory_throughput(plan: Plan) -> dict[str, Any]:
    """records/s of ``TaskFactory.build_batch``: with no trait, then with each of
    TaskFactory's traits (``build_batch(n, trait=True)``), each timed as a median
    of ``factory_repeats`` batches of ``factory_batch`` records from the same seed."""
    traits = (
        "running",
        "pending",
        "provisioning",
        "stopped",
        "failed_to_start",
        "essential_exited",
        "user_stopped",
        "spot_interrupted",
        "fargate",
        "ec2",
        "tagged",
        "service",
        "old_arn_format",
    )
    now = FakeEcs().clock.now()
    batch = plan.factory_batch
    out: dict[str, Any] = {}
    for name in ("default", *traits):
        kwargs: dict[str, Any] = {"now": now} if name == "default" else {name: True, "now": now}

        def build(kwargs: dict[str, Any] = kwargs) -> object:
            reseed(SEED)
            return TaskFactory.build_batch(batch, **kwargs)

        timing = measure(build, plan.factory_repeats, warmup=1 if name == "default" else 0)
        out[name] = {
            "batch": batch,
            "records_per_s": batch / (timing.median / 1000.0),
            "us_per_record": timing.median * 1000.0 / batch,
        }
    return out


@dataclass
class WaiterRun:
    fake: FakeEcs
    client: ECSClient
    arn: str


def _waiter_setup() -> WaiterRun:
    fake = FakeEcs(region=REGION).start()
    task = fake.run_task(runs_for=300)
    return WaiterRun(fake, fake.client(), str(task["taskArn"]))


def waiter_bench(plan: Plan) -> tuple[Timing, dict[str, Any], Callable[[], object]]:
    """``tasks_stopped`` on a task that runs 5 simulated minutes: wall ms of ``wait()``."""
    samples = []
    polls = simulated = 0.0
    for _ in range(plan.waiter_repeats + 1):  # the first is a warm-up
        run = _waiter_setup()
        try:
            started = run.fake.clock.now()
            waiter = run.client.get_waiter("tasks_stopped")
            t0 = time.perf_counter()
            waiter.wait(cluster=CLUSTER, tasks=[run.arn])
            samples.append((time.perf_counter() - t0) * 1000.0)
            polls = len(run.fake.calls)
            simulated = (run.fake.clock.now() - started).total_seconds()
        finally:
            run.fake.stop()

    def one_wait() -> object:
        run = _waiter_setup()
        try:
            run.client.get_waiter("tasks_stopped").wait(cluster=CLUSTER, tasks=[run.arn])
        finally:
            run.fake.stop()
        return None

    return (
        Timing(samples[1:]),
        {"describe_polls": polls, "simulated_seconds": simulated},
        one_wait,
    )


# ---------------------------------------------------------------------------------------
# Output: table, JSON, SVG, docs
# ---------------------------------------------------------------------------------------


def print_table(results: Results) -> str:
    headers = ("Section", "Measurement", "Figure", "Compared / ratio")
    rows = [(r.section, r.measurement, r.figure, r.compared) for r in results.rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = []

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines.append(line(headers))
    lines.append(line(["-" * w for w in widths]))
    last = ""
    for r in rows:
        lines.append(line((r[0] if r[0] != last else "", *r[1:])))
        last = r[0]
    lines.append("")
    lines.append("Targets (DESIGN.md, quality bars)")
    twidth = max(len(t.text) for t in results.targets)
    for t in results.targets:
        lines.append(
            f"  {t.status}  {t.text.ljust(twidth)}  measured {t.measured()} (limit {t.op} {t.limit:g}{t.unit})"
        )
    for t in results.targets:
        if not t.passed and t.profile is not None:
            lines.append("")
            lines.append(f"Profile of the failing target: {t.text}")
            lines += format_profile(t.profile)
            if t.finding:
                lines.append("    finding: " + t.finding)
    text = "\n".join(lines)
    print(text)
    return text


def write_svg(
    path: Path,
    series: Sequence[tuple[str, str, str, Sequence[tuple[float, float]]]],
    marks: Sequence[tuple[float, float, str]] = (),
) -> None:
    """A log-log plot of DescribeTasks ms per call against tasks stored, as plain SVG.

    ``series``: ``(label, colour, dash pattern, [(tasks stored, ms)])``; ``marks``:
    ``(tasks stored, ms, label)`` drawn as a short bar with its label (a target).
    """
    import math

    width, height = 720, 440
    left, right, top, bottom = 70, 200, 40, 60
    pw, ph = width - left - right, height - top - bottom
    xs = [x for *_, pts in series for x, _ in pts]
    ys = [y for *_, pts in series for _, y in pts]
    x0, x1 = math.log10(min(xs)) - 0.15, math.log10(max(xs)) + 0.15
    y0 = math.floor(math.log10(min(ys) / 1.5))
    y1 = math.ceil(math.log10(max(ys) * 1.5))

    def px(x: float) -> float:
        return left + (math.log10(x) - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return top + ph - (math.log10(y) - y0) / (y1 - y0) * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        "<title>DescribeTasks of 100 tasks: milliseconds per call against tasks stored</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">'
        "DescribeTasks of 100 tasks through boto3: ms per call (median)</text>",
    ]
    for decade in range(y0, y1 + 1):
        for m in (1, 2, 5):
            value = m * 10.0**decade
            if not 10.0**y0 <= value <= 10.0**y1:
                continue
            y = py(value)
            stroke = "#bbb" if m == 1 else "#e6e6e6"
            out.append(
                f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="{stroke}"/>'
            )
            label = f"{value:g}"
            out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    ticks = sorted({x for *_, pts in series for x, _ in pts})
    for x in ticks:
        xp = px(x)
        out.append(
            f'<line x1="{xp:.1f}" x2="{xp:.1f}" y1="{top}" y2="{top + ph}" stroke="#e6e6e6"/>'
        )
        out.append(
            f'<text x="{xp:.1f}" y="{top + ph + 18}" text-anchor="middle">{x / 1000:g}k</text>'
        )
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    out.append(
        f'<text x="{left + pw / 2:.0f}" y="{height - 18}" text-anchor="middle">'
        "tasks stored (log scale)</text>"
    )
    out.append(
        f'<text transform="translate(18 {top + ph / 2:.0f}) rotate(-90)" text-anchor="middle">'
        "ms per call (log scale)</text>"
    )
    for i, (label, colour, dash, pts) in enumerate(series):
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        out.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        for x, y in pts:
            out.append(
                f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{colour}">'
                f"<title>{label}: {y:.3g} ms with {x:,.0f} stored</title></circle>"
            )
        ly = top + 14 + i * 20
        lx = left + pw + 14
        out.append(
            f'<line x1="{lx}" x2="{lx + 24}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        )
        out.append(f'<text x="{lx + 30}" y="{ly}">{label}</text>')
    for x, y, text in marks:
        xp, yp = px(x), py(y)
        out.append(
            f'<line x1="{xp - 14:.1f}" x2="{xp + 14:.1f}" y1="{yp:.1f}" y2="{yp:.1f}" '
            'stroke="#d62728" stroke-width="2" stroke-dasharray="2 2"/>'
        )
        out.append(
            f'<line x1="{xp:.1f}" x2="{xp:.1f}" y1="{yp:.1f}" y2="{yp + 30:.1f}" '
            'stroke="#d62728" stroke-dasharray="2 2"/>'
        )
        out.append(
            f'<text x="{xp + 4:.1f}" y="{yp + 42:.1f}" fill="#d62728" font-size="11">{text}</text>'
        )
    out.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n")


def moto_gap(d: DescribeResults, kind: str, size: int = 5_000) -> dict[str, float]:
    """The figures behind moto / fake at ``size``: whole calls, server sides, client sides."""
    fake_size = d.record_size.get(kind, {"values": 0, "timestamps": 0})
    moto_size = d.record_size.get("moto", {"values": 0, "timestamps": 0})
    moto = d.rounds[size]["moto"].median
    moto_server = d.server[size]["moto"].median
    fake = d.fake(kind, size).median
    fake_server = d.fake_server(kind, size).median
    return {
        "moto_ms": moto,
        "moto_server_ms": moto_server,
        "moto_client_ms": moto - moto_server,
        "fake_ms": fake,
        "fake_server_ms": fake_server,
        "fake_client_ms": fake - fake_server,
        "stubber_ms": d.rounds[size][f"stubber {kind}"].median,
        "server_ratio": moto_server / fake_server,
        "ratio": moto / fake,
        "ratio_if_fake_server_free": moto / (fake - fake_server),
        "fake_values_per_task": fake_size["values"],
        "fake_timestamps_per_task": fake_size["timestamps"],
        "moto_values_per_task": moto_size["values"],
        "moto_timestamps_per_task": moto_size["timestamps"],
    }


def write_docs(
    path: Path, results: Results, table_text: str, plan: Plan, d: DescribeResults
) -> None:
    data = results.data
    env = data["environment"]
    lines = [
        "# Benchmarks",
        "",
        "<!-- Written by benchmarks/run.py from its last full run: edit the script, not this page. -->",
        "",
        "How fast the fake ECS service answers, what a test using it costs and how much",
        "memory it holds, measured side by side with plain moto and botocore's `Stubber`",
        "in one process. Figures are medians of repeated `time.perf_counter`",
        "measurements; every ratio compares figures taken in the same run, and the",
        "DescribeTasks figures of one table row come from the same rounds of calls.",
        "",
        "## Reproduce",
        "",
        "```",
        "python benchmarks/run.py                 # or: nox -s benchmarks",
        "python benchmarks/run.py --quick         # a smoke run; writes nothing",
        "python benchmarks/run.py --full-memory   # trace all 100,000 tasks (2 more minutes)",
        "python benchmarks/run.py --check         # exit 1 if a target fails",
        "```",
        "",
        "A run takes two to three minutes on two cores. It writes",
        "`benchmarks/results/latest.json` (medians, quartiles, profiles), the plot",
        "below and this page. It never leaves loopback: name lookups and connections",
        "to anything else raise (`benchmarks/netguard.py`).",
        "",
        f"This run: {env['when']}; Python {env['python']}, boto3 {env['boto3']}, "
        f"botocore {env['botocore']}, moto {env['moto']}, pytest {env['pytest']}; "
        f"{env['cpus']} CPUs, {env['platform']}; load average "
        f"{env['loadavg_start']} at the start; {data['duration_s']:.0f} s in all.",
        "",
        "## Targets",
        "",
        "| Target (DESIGN.md, quality bars) | Measured | Limit | |",
        "| --- | --- | --- | --- |",
    ]
    for t in results.targets:
        lines.append(f"| {t.text} | {t.measured()} | {t.op} {t.limit:g}{t.unit} | **{t.status}** |")
    lines += [
        "",
        "## Figures",
        "",
        "| Section | Measurement | Figure | Compared / ratio |",
        "| --- | --- | --- | --- |",
    ]
    last = ""
    for r in results.rows:
        cell = r.section if r.section != last else ""
        last = r.section
        lines.append(f"| {cell} | {r.measurement} | {r.figure} | {r.compared} |")
    lines += [
        "",
        "![DescribeTasks of 100 tasks: ms per call against tasks stored]"
        "(img/benchmark-describe.svg)",
        "",
    ]
    moto_failed = [t for t in results.targets if t.key.startswith("moto_") and not t.passed]
    if moto_failed and 5_000 in d.rounds and "moto" in d.rounds[5_000]:
        g = moto_gap(d, "added")
        lines += [
            "## Why moto / fake stays under 10x at 5k",
            "",
            f"With 5,000 tasks stored, moto's DescribeTasks of 100 tasks costs {g['moto_ms']:.0f} ms:",
            f"{g['moto_server_ms']:.0f} ms on its server side (it compares every stored task",
            "with every requested id) and about "
            f"{g['moto_client_ms']:.1f} ms in the client. The fake's server side",
            f"(transport and service) costs {g['fake_server_ms']:.1f} ms, "
            f"{g['server_ratio']:.0f} times less than moto's, but",
            f"its whole call costs {g['fake_ms']:.1f} ms, because about "
            f"{g['fake_client_ms']:.1f} ms go to botocore",
            "parsing the response into boto3's shape. moto's records are skeletal "
            f"({g['moto_values_per_task']:.0f} values,",
            f"{g['moto_timestamps_per_task']:.0f} timestamps a task); the fake's are complete "
            f"({g['fake_values_per_task']:.0f} values, {g['fake_timestamps_per_task']:.0f} timestamps:",
            "the containers, the ENI attachment, every lifecycle instant), and parsing them",
            "costs what it costs against the real service. The `Stubber`, which skips the",
            "wire and the parsing (but",
            f"validates the records), takes {g['stubber_ms']:.1f} ms. Even a fake whose server side",
            f"cost nothing would be {g['ratio_if_fake_server_free']:.1f}x faster than moto here.",
            "See the profiles below.",
            "",
        ]
    lines += [
        "## What is measured",
        "",
        "1. **DescribeTasks of 100 full tasks** through a real boto3 client, with 1k, 5k,",
        "   10k and 100k tasks stored. *Added records*: the 100 described tasks are",
        "   `TaskFactory` records stored with `FakeEcs.add_task`; the other stored tasks",
        "   are copies of them under fresh task ids, also stored with `add_task`",
        "   (building 100,000 records with the factory would take over a minute).",
        "   *run_task tasks*: every task is started with `FakeEcs.run_task`, and the",
        "   clock moves 2 minutes on so that the 100 described tasks are RUNNING.",
        "   Everything runs inside one `mock_aws` with one boto3 client: a started",
        "   `FakeEcs` joins the mock and answers ECS, a stopped one hands ECS back to",
        "   moto. So in each round, call after call, the run times: a reference fake",
        "   with 1k tasks of each kind, the fake of the size being measured, botocore's",
        "   `Stubber` (`add_response('describe_tasks', response, expected_params)` then",
        "   the call, serving the very records the fake returned: no wire, no parsing,",
        "   the floor), and at 1k and 5k plain moto (a registered Fargate task",
        "   definition, a cluster, `run_task(count=10)` until that many tasks are",
        "   stored). Flatness is the size's median over the 1k reference's from the",
        "   same rounds. *Server side* is the time from botocore's `before-send` event,",
        "   where moto (and the fake, through moto) answers, to `before-parse`.",
        "2. **Cost per test**: in process, `FakeEcs().start()`, `boto3.client('ecs')`,",
        "   one `describe_tasks`, `stop()`, against `mock_aws().start()`, the same client",
        "   and call, `stop()` (moto has no `default` cluster, so its call answers",
        "   `ClusterNotFoundException`; either way the cost is mostly creating the",
        "   client), interleaved. Through pytest: three files of "
        f"{plan.pytest_tests} tests each (using",
        "   `ecs_tasks`; under a bare `mock_aws`; empty), each run with",
        "   `pytest -p no:randomly -q` in a subprocess, interleaved, "
        f"{plan.pytest_repeats} times each",
        f"   ({plan.pytest_moto_repeats} for the long `mock_aws` file); ms per test is "
        "(the file's wall time -",
        "   the empty file's) / N.",
        "3. **Factory throughput**: `TaskFactory.build_batch`, by default and per trait.",
        "4. **Waiter**: `client.get_waiter('tasks_stopped').wait(...)` on a task started",
        "   with `run_task(runs_for=300)`: the waiter's 6-second sleeps move the fake",
        "   clock, so it polls through the whole simulated lifecycle at once. Its bar is",
        "   checked in section 7, against botocore's floor for as many polls.",
        "5. **Memory with 100,000 tasks stored**, in a fresh fake per kind: the resident",
        "   set size before and after storing them (each after `gc.collect()` and",
        "   `malloc_trim`); and `tracemalloc` over a separate fake filled with the first",
        f"   {plan.traced_tasks:,} tasks, scaled to 100,000 (tracing makes storing five times",
        "   slower; `--full-memory` traces all 100,000, and per task it comes out the same",
        "   within 1.5%). For added records, most of the memory is the records themselves,",
        "   which the fake keeps: `add_task` copies the top level of each record only.",
        "6. **Edges** (`benchmarks/edges.py`). *Start-up*: `pytest -q -p no:randomly` on",
        "   one trivial test that does not use the plugin, with the plugin installed and",
        f"   with `-p no:ecs_tasks`, in subprocesses, interleaved {plan.startup_repeats} times",
        "   (with `ecs-tasks --help` and `python -c pass` in the same rounds). *Long runs*:",
        "   one fake answers "
        f"{plan.long_run_calls:,} DescribeTasks requests of 100 running task ids as",
        "   the transport hands them over (`FakeEcs._service.dispatch`, the bytes a boto3",
        "   client sends), and the resident set size is read at call "
        f"{plan.long_run_checkpoint:,} (the calls",
        "   log is full by then) and at the end. *Expired tasks*: ListTasks through a boto3",
        "   client on a fake where "
        f"{plan.expired_tasks:,} tasks ran, stopped and passed their hour",
        "   of retention, against a fake that never had them, both with 10 running tasks;",
        f"   {plan.list_rounds} rounds of {plan.list_calls} calls on each in turn.",
        "7. **Async clients** (`benchmarks/aio.py`). DescribeTasks of 100 RUNNING tasks",
        "   through the fake from an aiobotocore client and from a boto3 client, and the",
        "   same call at each library's floor: a client whose session has no moto stubber,",
        "   answered at `before-send` by the fake's own response bytes (serialise, sign and",
        f"   parse still run); {plan.async_rounds} rounds of {plan.async_calls} calls of each in turn.",
        "   The `tasks_stopped` waiter on a `run_task(runs_for=300)` task from each kind of",
        "   client, against as many one-task DescribeTasks calls at that library's floor",
        "   (DESIGN.md's bar: at most 1.5x, for sync and async clients alike);",
        f"   {plan.async_waiter_repeats} waits of each after a warm-up.",
        "8. **serve** (`benchmarks/serve.py`): an `EcsServer` on 127.0.0.1 in this",
        "   process. *Latency*: DescribeTasks of one RUNNING task from a boto3 client",
        "   with `endpoint_url` (one kept-alive connection) against the same call from an",
        f"   in-process client, {plan.serve_rounds} rounds of {plan.serve_calls} calls each in turn.",
        f"   *Bursts*: {plan.serve_connections} threads open a connection at once and send",
        "   one DescribeTasks each. *Memory*: another process sends "
        f"{plan.serve_requests:,} DescribeTasks",
        "   requests (a new connection every 500), and this process's RSS is read after",
        f"   {plan.serve_checkpoint:,} and at the end.",
        "9. **Clock moves** (`benchmarks/timeline.py`): one `clock.advance(120)` during",
        f"   which {plan.timeline_changing} tasks (`run_task(runs_for=60)`, RUNNING before it,",
        "   untimed) go through their stop transitions, 5 ECS Task State Change events",
        f"   each, in a fake that also holds {plan.timeline_stored:,} RUNNING tasks that never",
        "   change again, against a fake holding only those tasks; the two fakes in turn,",
        f"   {plan.timeline_rounds} moves each. Then {plan.timeline_rule_rounds} moves each with an",
        '   EventBridge rule (`{"source": ["aws.ecs"]}`) targeting an SQS queue in moto, so',
        "   the move includes moto's delivery (the queue is checked and drained after each).",
        "   Wall times on a busy machine vary by move; the Python function calls of one",
        "   move in each fake (cProfile) do not, and show whether the idle tasks cost anything.",
        "10. **Clock moves with services** (`benchmarks/services.py`): a fake with "
        f"{plan.services_stored}",
        f"   services of {plan.services_tasks} Fargate tasks each, all steady (every task RUNNING",
        "   and healthy, every deployment COMPLETED), against a fake with only the first of",
        "   them. Untimed, `update_service` deploys the other revision to that service",
        "   (`web:1` and `web:2` in turn); timed, one `clock.advance(120)` takes the rolling",
        "   deployment from its start to COMPLETED (and, separately, 24 moves of 5 s,",
        "   summed). After each: one COMPLETED deployment on the new revision, no task or",
        "   service left to wake, as many events in both fakes. The fakes in turn, "
        f"{plan.services_rounds}",
        "   deployments each per variant; the Python function calls of one deployment in",
        "   each fake (cProfile) show whether the steady services cost anything.",
        "",
    ]
    failing = [t for t in results.targets if not t.passed]
    if failing:
        lines += ["## Failing targets: where the time goes", ""]
        for t in failing:
            lines += [f"### {t.text}", ""]
            if t.finding:
                lines += [t.finding, ""]
            if t.profile is not None:
                lines += ["```", *(x.rstrip() for x in format_profile(t.profile)), "```", ""]
    lines += ["## Full output of this run", "", "```", table_text, "```", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


# ---------------------------------------------------------------------------------------
# Findings for failing targets (read off the profiles)
# ---------------------------------------------------------------------------------------


def finding(found: Mapping[str, Any]) -> str:
    """A one-paragraph reading of a profile: the stages and packages that dominate."""
    stages = "; ".join(
        f"{p['stage'].strip()} {p['share_pct']}%" for p in found["stages"] if p["share_pct"] >= 3
    )
    packages = ", ".join(f"{p['package']} {p['share_pct']}%" for p in found["by_package"][:4])
    own = "; ".join(f"{f['function']} {f['share_pct']}%" for f in found["own_time"][:4])
    return (
        f"Stages (cumulative): {stages}. Own time by package: {packages}. "
        f"Top functions by own time: {own}."
    )


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


def report_describe(results: Results, plan: Plan, d: DescribeResults) -> None:
    sec = "1. DescribeTasks, 100 tasks"
    stored, first = plan.stored, plan.sizes[0]
    for kind in KINDS:
        results.row(
            sec,
            f"Stubber, the same 100 records as {KIND_LABEL[kind]} (add_response + call)",
            ms(d.stubber(kind).median),
            "the floor",
        )
    for kind in KINDS:
        for size in d.fake_sizes():
            parts = [f"fake/stubber {d.vs_stubber(kind, size):.2f}x"]
            if size > first:
                parts.append(f"{size // 1000}k/1k {d.flatness(kind, size):.2f}x")
            moto_ratio = d.moto_over_fake(kind, size)
            if moto_ratio is not None:
                parts.append(f"moto/fake {moto_ratio:.1f}x")
            parts.append(f"server side {ms(d.fake_server(kind, size).median)}")
            results.row(
                sec,
                f"fake, {KIND_LABEL[kind]}, {size:,} stored",
                ms(d.fake(kind, size).median),
                "; ".join(parts),
            )
    for size, timing in d.moto().items():
        moto_server = d.server[size]["moto"].median
        server_ratios = ", ".join(
            f"{moto_server / d.fake_server(kind, size).median:.0f}x ({KIND_LABEL[kind]})"
            for kind in KINDS
        )
        results.row(
            sec,
            f"moto {version('moto')}, {size:,} stored",
            ms(timing.median),
            f"server side {ms(moto_server)}: moto/fake server side {server_ratios}; "
            f"filled by run_task(count=10) x {size // 10} in {d.moto_fill_seconds[size]:.1f} s",
        )
    for kind in KINDS:
        t = results.target(
            Target(
                f"flat_{kind}",
                f"DescribeTasks flat: {stored // 1000}k / 1k stored ({KIND_LABEL[kind]})",
                d.flatness(kind, stored),
                1.5,
                "<=",
                "x",
            )
        )
        if not t.passed:
            t.profile = d.profiles.get(f"{kind} {stored}")
        t = results.target(
            Target(
                f"stubber_{kind}",
                f"fake / Stubber, {stored // 1000}k stored ({KIND_LABEL[kind]})",
                d.vs_stubber(kind, stored),
                2.0,
                "<=",
                "x",
            )
        )
        if not t.passed:
            t.profile = d.profiles.get(f"{kind} {stored}")
        moto_ratio = d.moto_over_fake(kind, 5_000) if 5_000 in d.rounds else None
        if moto_ratio is not None:
            t = results.target(
                Target(
                    f"moto_{kind}",
                    f"moto / fake, 5k stored ({KIND_LABEL[kind]})",
                    moto_ratio,
                    10.0,
                    ">=",
                    "x",
                )
            )
            if not t.passed:
                t.profile = d.profiles.get(f"{kind} 5000")
                moto_profile = d.profiles.get("moto")
                if moto_profile is not None:
                    t.finding = "moto's own call, for comparison: " + finding(moto_profile)
    results.data["describe"] = {
        "rounds": {
            str(size): {name: t.as_json() for name, t in got.items()}
            for size, got in sorted(d.rounds.items())
        },
        "fill_seconds": {
            kind: {str(s): round(v, 2) for s, v in sizes.items()}
            for kind, sizes in d.fill_seconds.items()
        },
        "server_side": {
            str(size): {name: t.as_json() for name, t in got.items()}
            for size, got in sorted(d.server.items())
        },
        "moto_fill_seconds": {str(s): round(v, 2) for s, v in d.moto_fill_seconds.items()},
        "moto_gap_5k": (
            {kind: {k: round(v, 3) for k, v in moto_gap(d, kind).items()} for kind in KINDS}
            if 5_000 in d.server and "moto" in d.server[5_000]
            else None
        ),
        "record_size": d.record_size,
        "profiles": d.profiles,
    }
    sec = f"5. Memory, {plan.stored:,} tasks stored"
    for kind in KINDS:
        m = d.memory[kind]
        scaled = (
            f" (x{m['tasks'] // m['traced_tasks']} of {m['traced_tasks']:,})"
            if m["peak_scaled"]
            else ""
        )
        results.row(
            sec,
            f"{KIND_LABEL[kind]}: RSS delta",
            mib(m["rss_delta_bytes"]),
            f"{m['rss_bytes_per_task'] / 1024:.1f} KiB/task",
        )
        results.row(
            sec,
            f"{KIND_LABEL[kind]}: tracemalloc peak{scaled}",
            mib(m["tracemalloc_peak_at_stored_bytes"]),
            f"{m['tracemalloc_bytes_per_task'] / 1024:.1f} KiB/task; allocated by "
            + ", ".join(f"{a['package']} {a['share_pct']}%" for a in m["allocated_by_package"][:3]),
        )
    results.data["memory"] = d.memory


def report_per_test(
    results: Results, plan: Plan, per_test: Mapping[str, Timing], runs: Mapping[str, Timing]
) -> None:
    sec = "2. Cost per test (1 client, 1 call)"
    fake_ms, moto_ms = per_test["ecs_tasks"].median, per_test["mock_aws"].median
    results.row(
        sec,
        "in process: FakeEcs start, client, describe_tasks, stop",
        ms(fake_ms),
        f"fake/moto {fake_ms / moto_ms:.2f}x",
    )
    results.row(sec, "in process: mock_aws start, client, describe_tasks, stop", ms(moto_ms))
    n = plan.pytest_tests
    base = runs["empty"].median
    per = {name: (runs[name].median - base) / n for name in ("ecs_tasks", "mock_aws")}
    results.row(sec, f"pytest, {n} empty tests: whole run (the baseline)", ms(base))
    results.row(
        sec,
        f"pytest, {n} tests using ecs_tasks: per test",
        ms(per["ecs_tasks"]),
        f"fake/moto {per['ecs_tasks'] / per['mock_aws']:.2f}x; "
        f"whole run {runs['ecs_tasks'].median / 1000:.2f} s",
    )
    results.row(
        sec,
        f"pytest, {n} tests under mock_aws: per test",
        ms(per["mock_aws"]),
        f"whole run {runs['mock_aws'].median / 1000:.2f} s",
    )
    t = results.target(
        Target(
            "per_test",
            "ecs_tasks test / bare mock_aws test, in process",
            fake_ms / moto_ms,
            0.5,
            "<=",
            "x",
        )
    )
    if not t.passed:
        t.profile = profile(fake_test, plan.profile_calls)
    t2 = results.target(
        Target(
            "per_test_pytest",
            "ecs_tasks test / bare mock_aws test, through pytest",
            per["ecs_tasks"] / per["mock_aws"],
            0.5,
            "<=",
            "x",
        )
    )
    if not t2.passed:
        t2.profile = t.profile or profile(fake_test, plan.profile_calls)
    results.data["per_test"] = {
        "in_process": {k: v.as_json() for k, v in per_test.items()},
        "pytest_runs": {k: v.as_json() for k, v in runs.items()},
        "pytest_ms_per_test": {k: round(v, 3) for k, v in per.items()},
        "pytest_tests": n,
    }


def report_factories(results: Results, factories: Mapping[str, Mapping[str, Any]]) -> None:
    sec = "3. TaskFactory throughput"
    for name, fig in factories.items():
        what = f"build_batch({fig['batch']})" + ("" if name == "default" else f", {name}=True")
        results.row(
            sec,
            what,
            f"{fig['records_per_s']:,.0f} records/s",
            f"{fig['us_per_record']:.0f} µs/record",
        )
    results.data["factories"] = {
        k: {kk: round(vv, 2) if isinstance(vv, float) else vv for kk, vv in v.items()}
        for k, v in factories.items()
    }


def report_waiter(
    results: Results,
    plan: Plan,
    waiter: Timing,
    info: Mapping[str, float],
    one_wait: Callable[[], object],
) -> None:
    sec = "4. tasks_stopped waiter"
    results.row(
        sec,
        "run_task(runs_for=300), then wait()",
        ms(waiter.median),
        f"{info['describe_polls']:.0f} DescribeTasks polls over "
        f"{info['simulated_seconds']:.0f} simulated s",
    )
    # The bar (DESIGN.md) is a ratio to botocore's floor for as many polls, measured
    # in section 7 of this same run for boto3 and aiobotocore clients alike.
    results.data["waiter"] = {**waiter.as_json(), **info}


def report_edges(
    results: Results,
    startup: Mapping[str, edges.Samples],
    loaded: Sequence[str],
    memory: Mapping[str, Any],
    listing: Mapping[str, Any],
) -> None:
    sec = "6. Edges: start-up and long runs"
    with_plugin = startup["pytest, plugin installed"].median
    without = startup["pytest -p no:ecs_tasks"].median
    results.row(
        sec,
        "pytest, one trivial test, plugin installed / -p no:ecs_tasks",
        f"{with_plugin / without:.3f}x",
        f"{ms(with_plugin)} / {ms(without)}; importing the plugin loads "
        + (", ".join(loaded) if loaded else "none of boto3, botocore, moto, Faker, factory_boy"),
    )
    results.target(
        Target(
            "startup",
            "pytest run not using the plugin: installed / -p no:ecs_tasks",
            with_plugin / without,
            1.05,
            "<=",
            "x",
        )
    )
    results.row(
        sec,
        "ecs-tasks --help",
        ms(startup["ecs-tasks --help"].median),
        f"python -c pass: {ms(startup['python -c pass'].median)}",
    )
    growth = memory["growth_bytes"]
    results.row(
        sec,
        f"RSS over DescribeTasks calls {memory['checkpoint']:,} to {memory['calls']:,} "
        "(100 ids each)",
        f"{growth / 2**20:+.1f} MiB",
        f"RSS {mib(memory['rss_at_checkpoint'])} -> {mib(memory['rss_at_end'])}; "
        f"calls kept: {memory['calls_kept']:,}",
    )
    results.target(
        Target(
            "long_run_rss",
            f"RSS growth over DescribeTasks calls {memory['checkpoint']:,} to {memory['calls']:,}",
            growth / 2**20,
            5.0,
            "<=",
            " MiB",
        )
    )
    timing = listing["median_ms"]
    results.row(
        sec,
        f"ListTasks, {listing['expired']:,} expired tasks / none ({listing['live']} live)",
        f"{timing['expired'] / timing['none']:.2f}x",
        f"{ms(timing['expired'])} / {ms(timing['none'])}; tasks kept in memory after "
        f"expiry: {listing['stored_after']:,}",
    )
    results.target(
        Target(
            "list_expired",
            f"ListTasks with {listing['expired']:,} expired tasks / none",
            timing["expired"] / timing["none"],
            1.2,
            "<=",
            "x",
        )
    )
    results.data["edges"] = {
        "startup_ms": {k: round(v.median, 2) for k, v in startup.items()},
        "plugin_imports": list(loaded),
        "describe_memory": dict(memory),
        "list_tasks_expired": dict(listing),
    }


def report_async(
    results: Results,
    plan: Plan,
    describe: Mapping[str, edges.Samples],
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
        f"{ms(fake)} / {ms(sync_fake)}; boto3 at its own floor: {ms(sync_floor)}",
    )
    walls, floors, polls = waiters["wall_ms"], waiters["floor_ms"], waiters["polls"]
    for kind, library in (("async", "aiobotocore"), ("sync", "boto3")):
        wall, floor_ms = walls[kind].median, floors[kind].median
        results.row(
            sec,
            f"tasks_stopped waiter on a 5-minute task, {library}, wall",
            ms(wall),
            f"{polls[kind]} polls over {waiters['simulated_s'][kind]:.0f} simulated s; "
            f"{polls[kind]} calls at {library}'s floor: {ms(floor_ms)} ({wall / floor_ms:.2f}x)",
        )
        t = results.target(
            Target(
                f"waiter_{kind}",
                f"tasks_stopped waiter ({library}) / as many DescribeTasks at its floor",
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


def report_serve(
    results: Results,
    latency: Mapping[str, edges.Samples],
    burst: Mapping[str, Any],
    memory: Mapping[str, Any],
) -> None:
    sec = "8. serve (EcsServer over HTTP)"
    remote, local = latency["HTTP, kept alive"].median, latency["in-process"].median
    results.row(
        sec,
        "DescribeTasks of one task, one kept-alive connection / in-process",
        f"{remote / local:.2f}x",
        f"{ms(remote)} / {ms(local)} per call (boto3 client, endpoint_url)",
    )
    results.target(
        Target(
            "serve_latency",
            "serve: a call on a kept-alive connection / the in-process call",
            remote / local,
            2.0,
            "<=",
            "x",
        )
    )
    answered = burst["answered"]
    results.row(
        sec,
        f"{burst['connections']} connections at once, one DescribeTasks each",
        f"{answered} answered",
        f"p50 {ms(burst['ms'].median)}, worst {ms(burst['ms'].worst)}"
        + (f"; failures: {', '.join(sorted(set(burst['failures'])))}" if burst["failures"] else ""),
    )
    results.target(
        Target(
            "serve_burst",
            f"serve: {burst['connections']} simultaneous connections answered",
            float(answered),
            float(burst["connections"]),
            ">=",
        )
    )
    growth = memory["growth_bytes"] / 2**20
    results.row(
        sec,
        f"server RSS over requests {memory['checkpoint']:,} to {memory['requests']:,}",
        f"{growth:+.1f} MiB",
        f"RSS {mib(memory['rss_at_checkpoint'])} -> {mib(memory['rss_after'])} "
        f"(before any: {mib(memory['rss_before'])}); {memory['requests_per_s']:,.0f} "
        "requests/s from another process",
    )
    results.target(
        Target(
            "serve_rss",
            f"serve: RSS growth over requests {memory['checkpoint']:,} to {memory['requests']:,}",
            growth,
            30.0,
            "<=",
            " MiB",
        )
    )
    results.data["serve"] = {
        "latency_ms": {k: round(v.median, 4) for k, v in latency.items()},
        "burst": {
            "connections": burst["connections"],
            "answered": answered,
            "p50_ms": round(burst["ms"].median, 2),
            "worst_ms": round(burst["ms"].worst, 2),
            "failures": burst["failures"],
        },
        "memory": dict(memory),
    }


def report_timeline(results: Results, moves: Mapping[str, Any]) -> None:
    sec = "9. Clock moves (events)"
    stored, changing = moves["stored"], moves["changing"]
    medians = moves["median_ms"]
    for variant, label in (("no_rule", "no EventBridge rule"), ("sqs_rule", "a rule to SQS")):
        with_idle, alone = medians[variant]["stored"], medians[variant]["only"]
        results.row(
            sec,
            f"clock move, {changing} of {stored:,} tasks changing / only those {changing}, "
            + label,
            f"{with_idle / alone:.2f}x",
            f"{ms(with_idle)} / {ms(alone)} per move ({moves['events_per_move']} events)",
        )
    calls = moves["calls_per_move"]
    results.row(
        sec,
        "Python function calls in that move (cProfile), no rule",
        f"{calls['stored']:,}",
        f"only those {changing}: {calls['only']:,}",
    )
    plain = medians["no_rule"]
    results.target(
        Target(
            "clock_move_10_of_10k",
            f"clock move, {changing} of {stored:,} tasks changing / only those {changing}",
            plain["stored"] / plain["only"],
            1.5,
            "<=",
            "x",
        )
    )
    results.data["timeline"] = dict(moves)


def report_services(results: Results, moves: Mapping[str, Any]) -> None:
    sec = "10. Clock moves (services)"
    stored, tasks = moves["services"], moves["tasks_per_service"]
    medians, calls = moves["median_ms"], moves["calls_per_deployment"]
    events = moves["events_per_deployment"]
    variants = (
        (
            "one_move",
            f"clock move, 1 of {stored} services ({tasks} tasks each) deploying / only that one",
            "one advance(120)",
        ),
        (
            "steps_5s",
            f"the same deployment in 24 moves of 5 s, summed: {stored} services / only that one",
            "24 advances of 5 s",
        ),
    )
    for variant, label, how in variants:
        with_steady, alone = medians[variant]["stored"], medians[variant]["only"]
        results.row(
            sec,
            label,
            f"{with_steady / alone:.2f}x",
            f"{ms(with_steady)} / {ms(alone)} per deployment, start to COMPLETED: {how} "
            f"({events} events)",
        )
        results.row(
            sec,
            f"Python function calls in that deployment (cProfile), {how}",
            f"{calls[variant]['stored']:,}",
            f"only that one: {calls[variant]['only']:,}",
        )
    update = moves["update_service_median_ms"]
    results.row(
        sec,
        "UpdateService starting the deployment (untimed above)",
        ms(update["stored"]),
        f"only that one: {ms(update['only'])}; building the {stored} services "
        f"({stored * tasks:,} tasks) and settling them: {moves['build_s']['stored']:.1f} s",
    )
    one = medians["one_move"]
    results.target(
        Target(
            "clock_move_1_of_200_services",
            f"clock move, 1 of {stored} services ({tasks} tasks each) deploying / only that one",
            one["stored"] / one["only"],
            1.5,
            "<=",
            "x",
        )
    )
    results.data["services"] = dict(moves)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Speed and memory of pytest-ecs-tasks, against moto and botocore's Stubber."
    )
    parser.add_argument("--quick", action="store_true", help="a small smoke run; writes nothing")
    parser.add_argument(
        "--full-memory",
        action="store_true",
        help="trace all 100,000 stored tasks with tracemalloc (about 2 more minutes)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument("--check", action="store_true", help="exit with status 1 if a target fails")
    parser.add_argument(
        "--only",
        choices=("timeline", "services"),
        help="run that one section alone; writes nothing",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else Plan()
    if args.full_memory:
        plan = dataclasses.replace(plan, traced_tasks=plan.stored)
    write = not (args.quick or args.no_write or args.only)

    began = time.perf_counter()
    results = Results()
    data = results.data
    data["plan"] = dict(plan.__dict__)
    data["environment"] = environment()

    if args.only is None:
        with section(results, "1. DescribeTasks (and 5. memory)"):
            described = describe_section(plan)
        report_describe(results, plan, described)

        with section(results, "2. cost per test"):
            per_test = measure_interleaved(
                {"ecs_tasks": fake_test, "mock_aws": moto_test}, plan.per_test_repeats
            )
            runs = pytest_runs(plan)
        report_per_test(results, plan, per_test, runs)

        with section(results, "3. factories"):
            factories = factory_throughput(plan)
        report_factories(results, factories)

        with section(results, "4. waiter"):
            waiter, waiter_info, one_wait = waiter_bench(plan)
        report_waiter(results, plan, waiter, waiter_info, one_wait)

        with section(results, "6. edges"):
            env = _pytest_env()
            startup = edges.startup(env, plan.startup_repeats)
            loaded = edges.imported_by_the_plugin(env)
            memory = edges.describe_memory(plan.long_run_calls, plan.long_run_checkpoint)
            listing = edges.list_tasks_with_expired(
                plan.expired_tasks, 10, plan.list_rounds, plan.list_calls
            )
        report_edges(results, startup, loaded, memory, listing)

        with section(results, "7. async clients"):
            async_describe = aio.describe_100(plan.async_rounds, plan.async_calls)
            async_waiters = aio.waiters(plan.async_waiter_repeats)
        report_async(results, plan, async_describe, async_waiters, one_wait)

        with section(results, "8. serve"):
            served = serve.latency(plan.serve_rounds, plan.serve_calls)
            burst = serve.burst(plan.serve_connections)
            served_memory = serve.memory(plan.serve_requests, plan.serve_checkpoint)
        report_serve(results, served, burst, served_memory)

    if args.only in (None, "timeline"):
        with section(results, "9. clock moves"):
            moves = timeline.clock_moves(
                plan.timeline_stored,
                plan.timeline_changing,
                plan.timeline_rounds,
                plan.timeline_rule_rounds,
            )
        report_timeline(results, moves)

    if args.only in (None, "services"):
        with section(results, "10. clock moves with services"):
            deploying = services.deploying_moves(
                plan.services_stored, plan.services_tasks, plan.services_rounds
            )
        report_services(results, deploying)

    # memory (5.) was measured in section 1; by number, so that 10. follows 9.
    results.rows.sort(key=lambda r: int(r.section.split(".", 1)[0]))
    for t in results.targets:
        if not t.passed and t.profile is not None:
            t.finding = " ".join(filter(None, (finding(t.profile), t.finding)))
    data["targets"] = [t.as_json() for t in results.targets]
    data["section_seconds"] = results.section_seconds
    data["duration_s"] = round(time.perf_counter() - began, 1)
    data["environment"]["loadavg_end"] = _loadavg()
    results.row(
        "11. Run",
        "whole benchmark run",
        f"{data['duration_s']:.0f} s",
        ", ".join(f"{k.split('.')[0]}: {v:.0f} s" for k, v in results.section_seconds.items())
        + f"; load average {data['environment']['loadavg_start']} -> {data['environment']['loadavg_end']}",
    )
    data["table"] = [r.__dict__ for r in results.rows]

    print()
    table_text = print_table(results)
    if write:
        RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_JSON.write_text(json.dumps(data, indent=2, default=str) + "\n")
        moto = described.moto()
        marks = (
            [(5_000.0, moto[5_000].median / 10, "target at 5k: moto / 10")] if 5_000 in moto else []
        )
        write_svg(PLOT_SVG, plot_series(plan, described), marks)
        write_docs(DOCS_MD, results, table_text, plan, described)
        print(
            f"\nwrote {RESULTS_JSON.relative_to(ROOT)}, {PLOT_SVG.relative_to(ROOT)}, "
            f"{DOCS_MD.relative_to(ROOT)}"
        )
    failed = [t for t in results.targets if not t.passed]
    return 1 if args.check and failed else 0


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def environment() -> dict[str, Any]:
    env: dict[str, Any] = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "loadavg_start": _loadavg(),
    }
    for package in ("boto3", "botocore", "moto", "pytest", "factory_boy", "faker"):
        env[package] = version(package)
    return env


def plot_series(
    plan: Plan, d: DescribeResults
) -> list[tuple[str, str, str, list[tuple[float, float]]]]:
    colours = {"added": "#1f77b4", "run": "#2ca02c"}
    series = [
        (
            f"fake, {KIND_LABEL[kind]}",
            colours[kind],
            "",
            [(float(size), d.fake(kind, size).median) for size in d.fake_sizes()],
        )
        for kind in KINDS
    ]
    stub = statistics.median(d.stubber(kind).median for kind in KINDS)
    series.append(
        (
            "Stubber (the floor)",
            "#7f7f7f",
            "6 4",
            [(float(plan.sizes[0]), stub), (float(plan.stored), stub)],
        )
    )
    series.append(
        (
            f"moto {version('moto')}",
            "#d62728",
            "",
            [(float(s), t.median) for s, t in d.moto().items()],
        )
    )
    return series


if __name__ == "__main__":
    sys.exit(main())
