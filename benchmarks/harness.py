"""The shared harness of the benchmarks: timing loops, their statistics, memory
probes, the machine and package versions, and the results every section adds to.

The statistics are the standard library's (``statistics.median`` and
``statistics.quantiles``); nothing here is specific to one figure.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_JSON = BENCH_DIR / "results" / "latest.json"
PLOT_SVG = ROOT / "docs" / "img" / "benchmark-describe.svg"
DOCS_MD = ROOT / "docs" / "benchmarks.md"

SEED = 20240601
REGION = "us-east-1"
CLUSTER = "default"

#: The packages whose versions a run records: (label on the page, distribution name).
PACKAGES = (
    ("boto3", "boto3"),
    ("botocore", "botocore"),
    ("moto", "moto"),
    ("aiobotocore", "aiobotocore"),
    ("factory-boy", "factory_boy"),
    ("faker", "faker"),
    ("pytest", "pytest"),
)


# -- timing -------------------------------------------------------------------------------


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
    def worst(self) -> float:
        return max(self.samples_ms)

    @property
    def iqr(self) -> tuple[float, float]:
        """The first and third quartiles (the extremes when there are fewer than 4 samples)."""
        if len(self.samples_ms) < 4:
            return self.minimum, self.worst
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


#: The name the section modules use for a list of samples.
Samples = Timing


def elapsed_ms(fn: Callable[[], object]) -> float:
    """Wall milliseconds of one ``fn()``."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def measure(fn: Callable[[], object], repeats: int, *, warmup: int = 2) -> Timing:
    """Time ``fn()`` ``repeats`` times after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    return Timing([elapsed_ms(fn) for _ in range(repeats)])


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
            samples[name].append(elapsed_ms(fn))
    return {name: Timing(values) for name, values in samples.items()}


# -- memory -------------------------------------------------------------------------------


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


# -- the machine, the code, the packages --------------------------------------------------


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _git(*args: str, strip: bool = True) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if strip else done.stdout


def commit() -> dict[str, Any]:
    """``git rev-parse --short HEAD``, and the tracked files changed since (the tree is
    dirty if there are any)."""
    status = _git("status", "--porcelain", "--untracked-files=no", strip=False)
    changed = [line[3:] for line in status.splitlines() if line.strip()]
    return {"commit": _git("rev-parse", "--short", "HEAD") or "unknown", "dirty": changed}


def environment() -> dict[str, Any]:
    env: dict[str, Any] = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "loadavg_start": loadavg(),
        **commit(),
    }
    for label, dist in PACKAGES:
        try:
            env[label] = version(dist)
        except PackageNotFoundError:
            env[label] = "not installed"
    return env


def pytest_env() -> dict[str, str]:
    """The environment of the pytest subprocesses: no AWS settings but moto's test keys."""
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


# -- results ------------------------------------------------------------------------------


@dataclass
class Target:
    """A target of this project (stated on the page), checked against this run."""

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
            "unit": self.unit,
            "status": self.status,
            "profile": self.profile,
            "finding": self.finding,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Target:
        return cls(
            data["key"],
            data["target"],
            data["value"],
            data["limit"],
            data["op"],
            data.get("unit", ""),
            data.get("profile"),
            data.get("finding", ""),
        )


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
    """Announce a section on stderr and record how long it took."""
    print(f"[{time.strftime('%H:%M:%S')}] {name} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    try:
        yield
    finally:
        results.section_seconds[name] = round(time.perf_counter() - start, 2)
