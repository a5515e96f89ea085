"""Section 4 of the benchmarks: a ``tasks_stopped`` waiter on a 5-minute simulated task.

The waiter's client is ``fake.client()``: a client made inside the fake. Its bar,
against botocore's floor for as many polls, is checked in section 7 (``aio.py``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness import CLUSTER, REGION, Results, Timing, ms
from plans import Plan

from pytest_ecs_tasks import FakeEcs

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient


@dataclass
class WaiterRun:
    fake: FakeEcs
    client: ECSClient
    arn: str


def _waiter_setup() -> WaiterRun:
    fake = FakeEcs(region=REGION).start()
    task = fake.run_task(runs_for=300)
    return WaiterRun(fake, fake.client(), str(task["taskArn"]))


def one_wait() -> object:
    """One whole wait, set-up included (what section 7 profiles if its target fails)."""
    run = _waiter_setup()
    try:
        run.client.get_waiter("tasks_stopped").wait(cluster=CLUSTER, tasks=[run.arn])
    finally:
        run.fake.stop()
    return None


def measure(plan: Plan) -> tuple[Timing, dict[str, Any]]:
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
    return Timing(samples[1:]), {"describe_polls": polls, "simulated_seconds": simulated}


def report(results: Results, waiter: Timing, info: Mapping[str, float]) -> None:
    sec = "4. tasks_stopped waiter"
    results.row(
        sec,
        "run_task(runs_for=300), then wait()",
        ms(waiter.median),
        f"{info['describe_polls']:.0f} DescribeTasks polls over "
        f"{info['simulated_seconds']:.0f} simulated s",
    )
    # Its target is a ratio to botocore's floor for as many polls, measured in
    # section 7 of this same run for boto3 and aiobotocore clients alike.
    results.data["waiter"] = {**waiter.as_json(), **info}
