#!/usr/bin/env python
"""Speed and memory of pytest-ecs-tasks, side by side with moto and botocore's Stubber.

    python benchmarks/run.py                 # or: nox -s benchmarks
    python benchmarks/run.py --only serve    # one section (repeatable); writes nothing

Everything is measured in this one process (the pytest runs of sections 2 and 6
are subprocesses, timed from here), so every ratio compares figures taken on the
same machine, minutes apart. One module per section:

1. ``describe.py`` (rows in ``describe_report.py``): DescribeTasks of 100 full
   tasks with 1k to 100k stored, through both kinds of client (``clients.py``),
   against botocore's ``Stubber``, botocore's floor and plain moto.
2. ``per_test.py``: cost per test of the ``ecs_tasks`` fixture against ``mock_aws``.
3. ``factories.py``: ``TaskFactory`` throughput, per trait.
4. ``waiter.py``: a ``tasks_stopped`` waiter on a 5-minute simulated task.
5. ``memory.py``: memory with 100,000 tasks stored (measured during section 1).
6. ``edges.py``: start-up, long runs, expired tasks.
7. ``aio.py``: async clients, and boto3 clients of both kinds, against their floors.
8. ``serve.py``: ``EcsServer`` over HTTP.
9. ``timeline.py`` and 10. ``services.py``: clock moves with many tasks or services.

Shared: ``harness.py`` (timing, statistics, memory probes, versions, results),
``plans.py``, ``profiling.py``. Output: ``page.py`` renders ``docs/benchmarks.md``
from the results, ``plots.py`` draws the plot. Nothing leaves loopback
(``netguard.py``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import netguard  # noqa: E402  (before anything that could open a socket)

netguard.install()
# No credential lookups beyond the environment: never the instance metadata service.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

import aio  # noqa: E402
import describe  # noqa: E402
import describe_report  # noqa: E402
import edges  # noqa: E402
import factories  # noqa: E402
import memory  # noqa: E402
import page  # noqa: E402
import per_test  # noqa: E402
import plots  # noqa: E402
import serve  # noqa: E402
import services  # noqa: E402
import timeline  # noqa: E402
import waiter  # noqa: E402
from harness import (  # noqa: E402
    DOCS_MD,
    PLOT_SVG,
    RESULTS_JSON,
    ROOT,
    Results,
    environment,
    loadavg,
    pytest_env,
    section,
)
from plans import QUICK, Plan  # noqa: E402
from profiling import finding  # noqa: E402


def run_describe(results: Results, plan: Plan) -> None:
    with section(results, "1. DescribeTasks (and 5. memory)"):
        described = describe.measure(plan)
    describe_report.report(results, plan, described)
    memory.report(results, plan, described.memory)


def run_per_test(results: Results, plan: Plan) -> None:
    with section(results, "2. cost per test"):
        in_process, runs = per_test.measure(plan)
    per_test.report(results, plan, in_process, runs)


def run_factories(results: Results, plan: Plan) -> None:
    with section(results, "3. factories"):
        found = factories.factory_throughput(plan)
    factories.report(results, found)


def run_waiter(results: Results, plan: Plan) -> None:
    with section(results, "4. waiter"):
        timing, info = waiter.measure(plan)
    waiter.report(results, timing, info)


def run_edges(results: Results, plan: Plan) -> None:
    with section(results, "6. edges"):
        env = pytest_env()
        startup = edges.startup(env, plan.startup_repeats)
        loaded = edges.imported_by_the_plugin(env)
        rss = edges.describe_memory(plan.long_run_calls, plan.long_run_checkpoint)
        listing = edges.list_tasks_with_expired(
            plan.expired_tasks, 10, plan.list_rounds, plan.list_calls
        )
    edges.report(results, startup, loaded, rss, listing)


def run_async(results: Results, plan: Plan) -> None:
    with section(results, "7. async clients"):
        described = aio.describe_100(plan.async_rounds, plan.async_calls)
        waits = aio.waiters(plan.async_waiter_repeats)
    aio.report(results, plan, described, waits, waiter.one_wait)


def run_serve(results: Results, plan: Plan) -> None:
    with section(results, "8. serve"):
        latency = serve.latency(plan.serve_rounds, plan.serve_calls)
        burst = serve.burst(plan.serve_connections)
        rss = serve.memory(plan.serve_requests, plan.serve_checkpoint)
    serve.report(results, latency, burst, rss)


def run_timeline(results: Results, plan: Plan) -> None:
    with section(results, "9. clock moves"):
        moves = timeline.clock_moves(
            plan.timeline_stored,
            plan.timeline_changing,
            plan.timeline_rounds,
            plan.timeline_rule_rounds,
        )
    timeline.report(results, moves)


def run_services(results: Results, plan: Plan) -> None:
    with section(results, "10. clock moves with services"):
        deploying = services.deploying_moves(
            plan.services_stored, plan.services_tasks, plan.services_rounds
        )
    services.report(results, deploying)


#: The sections, in the order they run, by the name ``--only`` takes.
SECTIONS: dict[str, Callable[[Results, Plan], None]] = {
    "describe": run_describe,  # 1. and 5. (memory is measured while filling)
    "per_test": run_per_test,
    "factories": run_factories,
    "waiter": run_waiter,
    "edges": run_edges,
    "async": run_async,
    "serve": run_serve,
    "timeline": run_timeline,
    "services": run_services,
}


def finish(results: Results, began: float) -> None:
    """Sort the rows by section, read the failing profiles, add the Run row."""
    data = results.data
    # memory (5.) was measured in section 1; by number, so that 10. follows 9.
    results.rows.sort(key=lambda r: int(r.section.split(".", 1)[0]))
    for t in results.targets:
        if not t.passed and t.profile is not None:
            t.finding = " ".join(filter(None, (finding(t.profile), t.finding)))
    data["targets"] = [t.as_json() for t in results.targets]
    data["section_seconds"] = results.section_seconds
    data["duration_s"] = round(time.perf_counter() - began, 1)
    env = data["environment"]
    env["loadavg_end"] = loadavg()
    results.row(
        "11. Run",
        "whole benchmark run",
        f"{data['duration_s']:.0f} s",
        ", ".join(f"{k.split('.')[0]}: {v:.0f} s" for k, v in results.section_seconds.items())
        + f"; load average {env['loadavg_start']} -> {env['loadavg_end']}",
    )
    data["table"] = [dataclasses.asdict(r) for r in results.rows]


def write(data: dict[str, Any]) -> None:
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.write_text(json.dumps(data, indent=2, default=str) + "\n")
    plots.describe_plot(PLOT_SVG, data["describe"])
    DOCS_MD.write_text(page.render(data))
    written = (RESULTS_JSON, PLOT_SVG, DOCS_MD)
    print("\nwrote " + ", ".join(str(p.relative_to(ROOT)) for p in written))


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
        action="append",
        choices=tuple(SECTIONS),
        help="run that section alone (repeat for several); writes nothing",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else Plan()
    if args.full_memory:
        plan = dataclasses.replace(plan, traced_tasks=plan.stored)
    chosen = args.only or list(SECTIONS)

    began = time.perf_counter()
    results = Results()
    results.data["plan"] = dataclasses.asdict(plan)
    results.data["environment"] = environment()
    for name, run in SECTIONS.items():
        if name in chosen:
            run(results, plan)
    finish(results, began)

    print()
    print(page.table_text(results.rows, results.targets))
    if not (args.quick or args.no_write or args.only):
        write(results.data)
    failed = [t for t in results.targets if not t.passed]
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
