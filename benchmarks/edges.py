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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness import Results, Samples, Target, mib, ms

from pytest_ecs_tasks import FakeEcs

#: A pytest run of one test that does not use the plugin.
_TRIVIAL_TEST = "def test_nothing():\n    assert True\n"


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


def report(
    results: Results,
    startup: Mapping[str, Samples],
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
