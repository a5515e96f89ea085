"""Section 2 of the benchmarks: what a test using the fake costs.

In process: ``FakeEcs().start()``, ``boto3.client("ecs")``, one DescribeTasks,
``stop()``, against the same under a bare ``mock_aws`` (moto's defaults) and under
``mock_aws`` tuned with ``reset_boto3_session: False``, interleaved. Through
pytest: files of N tests (using ``ecs_tasks``; under a bare ``mock_aws``; under the
tuned ``mock_aws``; empty), each run with ``pytest -p no:randomly -q`` in a
subprocess. Each test makes its client inside its mock (the client made inside the
fake, for the fake's tests).

Tuned moto leaves ``boto3.DEFAULT_SESSION`` alone, so only the first client of the
process loads botocore's model; its price is that the default session made inside
a mock (moto's fake credentials cached in it) stays the default after the mock
ends. ``measure`` puts back the default session it found.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import boto3
from botocore.exceptions import ClientError
from harness import (
    BENCH_DIR,
    CLUSTER,
    REGION,
    Results,
    Target,
    Timing,
    measure_interleaved,
    ms,
    pytest_env,
)
from moto import mock_aws
from moto.core.config import DefaultConfig
from plans import Plan
from profiling import profile

from pytest_ecs_tasks import FakeEcs

MISSING_TASK = "0123456789abcdef0123456789abcdef"  # the one task id of the per-test benchmark
#: moto's documented setting that keeps boto3's default session between mocks.
TUNED: DefaultConfig = {"core": {"reset_boto3_session": False}}


def fake_test() -> None:
    """What an ``ecs_tasks`` test with one client and one call costs."""
    fake = FakeEcs(region=REGION)
    fake.start()
    try:
        client = boto3.client("ecs", region_name=REGION)
        client.describe_tasks(cluster=CLUSTER, tasks=[MISSING_TASK])
    finally:
        fake.stop()


def moto_test(config: DefaultConfig | None = None) -> None:
    """The same test under a bare ``mock_aws`` (moto knows no default cluster: an error reply)."""
    mock = mock_aws(config=config)
    mock.start()
    try:
        client = boto3.client("ecs", region_name=REGION)
        with contextlib.suppress(ClientError):
            client.describe_tasks(cluster=CLUSTER, tasks=[MISSING_TASK])
    finally:
        mock.stop()


def moto_tuned_test() -> None:
    """The same test under ``mock_aws(config=TUNED)``: the default session is kept."""
    moto_test(TUNED)


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

_TEST_MOTO_TUNED = _TEST_MOTO.replace(
    "with mock_aws():", 'with mock_aws(config={{"core": {{"reset_boto3_session": False}}}}):'
)


def pytest_runs(plan: Plan) -> dict[str, Timing]:
    """Wall time of ``pytest -p no:randomly -q`` over N tests: empty, ecs_tasks, mock_aws
    (moto's defaults), mock_aws_tuned (``reset_boto3_session: False``)."""
    n = plan.pytest_tests
    files = {
        "empty": _TEST_EMPTY.format(n=n),
        "ecs_tasks": _TEST_FIXTURE.format(n=n, task=MISSING_TASK),
        "mock_aws": _TEST_MOTO.format(n=n, task=MISSING_TASK),
        "mock_aws_tuned": _TEST_MOTO_TUNED.format(n=n, task=MISSING_TASK),
    }
    env = pytest_env()
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
        order = ["empty", "ecs_tasks", "mock_aws_tuned", "mock_aws"] * plan.pytest_moto_repeats
        order += ["empty", "ecs_tasks", "mock_aws_tuned"] * (
            plan.pytest_repeats - plan.pytest_moto_repeats
        )
        samples: dict[str, list[float]] = {name: [] for name in files}
        for name in order:
            start = time.perf_counter()
            run(name)()
            samples[name].append((time.perf_counter() - start) * 1000.0)
        return {name: Timing(values) for name, values in samples.items()}


def measure(plan: Plan) -> tuple[dict[str, Timing], dict[str, Timing]]:
    """In process (interleaved), then through pytest. The default session found is put
    back afterwards (tuned moto leaves its own in place: comparison row M2)."""
    saved = boto3.DEFAULT_SESSION
    try:
        per_test = measure_interleaved(
            {"ecs_tasks": fake_test, "mock_aws": moto_test, "mock_aws_tuned": moto_tuned_test},
            plan.per_test_repeats,
        )
    finally:
        boto3.DEFAULT_SESSION = saved
    return per_test, pytest_runs(plan)


def report(
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
    tuned_ms = per_test["mock_aws_tuned"].median
    results.row(
        sec,
        "in process: the same under mock_aws tuned (reset_boto3_session: False)",
        ms(tuned_ms),
        f"fake/tuned moto {fake_ms / tuned_ms:.2f}x; default moto/tuned {moto_ms / tuned_ms:.1f}x",
    )
    n = plan.pytest_tests
    base = runs["empty"].median
    per = {
        name: (runs[name].median - base) / n for name in ("ecs_tasks", "mock_aws", "mock_aws_tuned")
    }
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
    results.row(
        sec,
        f"pytest, {n} tests under mock_aws tuned (reset_boto3_session: False): per test",
        ms(per["mock_aws_tuned"]),
        f"fake/tuned moto {per['ecs_tasks'] / per['mock_aws_tuned']:.2f}x; "
        f"whole run {runs['mock_aws_tuned'].median / 1000:.2f} s",
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
