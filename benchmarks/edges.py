"""Section 6 of the benchmarks: what a suite pays at the edges.

* Start-up: a pytest run of one trivial test with the plugin installed against
  the same run with ``-p no:ecs_tasks``, interleaved; and ``ecs-tasks --help``
  against a bare ``python -c pass``.
* Long runs: RSS over 20,000 DescribeTasks calls of 100 task ids (the calls log
  is bounded), and ListTasks with 50,000 expired tasks against none (expired
  tasks are dropped).

Imported by ``run.py``; nothing here leaves loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_ecs_tasks import FakeEcs

#: A pytest run of one test that does not use the plugin.
_TRIVIAL_TEST = "def test_nothing():\n    assert True\n"


@dataclass
class Samples:
    """Wall-clock samples in milliseconds, medians reported."""

    values: list[float]

    @property
    def median(self) -> float:
        ordered = sorted(self.values)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return (ordered[middle - 1] + ordered[middle]) / 2

    @property
    def worst(self) -> float:
        return max(self.values)


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000.0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def startup(env: dict[str, str], repeats: int) -> dict[str, Samples]:
    """Interleaved wall times: pytest with and without the plugin, ``ecs-tasks --help``
    and ``python -c pass``."""
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    commands = {
        "pytest, plugin installed": [*pytest, "test_trivial.py"],
        "pytest -p no:ecs_tasks": [*pytest, "-p", "no:ecs_tasks", "test_trivial.py"],
        "ecs-tasks --help": [sys.executable, "-m", "pytest_ecs_tasks", "--help"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory(prefix="ecs-tasks-startup-") as tmp:
        folder = Path(tmp)
        (folder / "test_trivial.py").write_text(_TRIVIAL_TEST)
        for command in commands.values():  # warm the OS's file cache
            _timed(command, folder, env)
        for _ in range(repeats):
            for name, command in commands.items():
                samples[name].append(_timed(command, folder, env))
    return {name: Samples(values) for name, values in samples.items()}


def imported_by_the_plugin(env: dict[str, str]) -> list[str]:
    """Which heavy packages importing the plugin module loads (should be none)."""
    heavy = ("boto3", "botocore", "moto", "faker", "factory")
    code = (
        "import sys, json, pytest_ecs_tasks._plugin; "
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(done.stdout)
    return loaded


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def describe_memory(calls: int, checkpoint: int) -> dict[str, Any]:
    """RSS while one fake answers ``calls`` DescribeTasks requests of 100 task ids,
    as the transport hands them over (the bytes a boto3 client sends)."""
    with FakeEcs() as fake:
        arns = [fake.run_task(runs_for=600)["taskArn"] for _ in range(100)]
        body = json.dumps({"cluster": "default", "tasks": arns}).encode()
        answer = fake._service.dispatch
        points: dict[int, int] = {}
        for i in range(1, calls + 1):
            status, _, _ = answer("us-east-1", "DescribeTasks", body)  # type: ignore[misc]
            if status != 200:
                raise SystemExit(f"DescribeTasks answered {status}")
            if i in (checkpoint, calls):
                points[i] = _rss()
        kept = len(fake.calls)
    return {
        "calls": calls,
        "checkpoint": checkpoint,
        "rss_at_checkpoint": points[checkpoint],
        "rss_at_end": points[calls],
        "growth_bytes": points[calls] - points[checkpoint],
        "calls_kept": kept,
    }


def list_tasks_with_expired(expired: int, live: int, rounds: int, calls: int) -> dict[str, Any]:
    """ListTasks through a boto3 client on a fake holding ``expired`` tasks past
    retention (and ``live`` running ones) against a fake holding only the live ones.
    Each round times ``calls`` calls on each fake in turn (one fake is active at a time)."""
    fakes = {"expired": FakeEcs(), "none": FakeEcs()}
    for name, fake in fakes.items():
        with fake:
            if name == "expired":
                for _ in range(expired):
                    fake.run_task(runs_for=1)
                fake.clock.advance(hours=3)  # all stopped, and past the hour of retention
            for _ in range(live):
                fake.run_task()
            fake.client().list_tasks()  # drops what has expired
    timings: dict[str, list[float]] = {name: [] for name in fakes}
    for _ in range(rounds):
        for name, fake in fakes.items():
            with fake:
                client = fake.client()
                client.list_tasks()  # warm this client
                for _ in range(calls):
                    start = time.perf_counter()
                    listed = client.list_tasks()
                    timings[name].append((time.perf_counter() - start) * 1000.0)
                    if len(listed["taskArns"]) != live:
                        raise SystemExit(f"ListTasks listed {len(listed['taskArns'])} tasks")
    stored = len(fakes["expired"]._service.region_state("us-east-1").tasks)
    return {
        "expired": expired,
        "live": live,
        "stored_after": stored,
        "median_ms": {name: Samples(values).median for name, values in timings.items()},
    }
