"""Section 3 of the benchmarks: ``TaskFactory`` throughput, by default and per trait."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness import SEED, Results, measure
from plans import Plan

from pytest_ecs_tasks import FakeEcs, TaskFactory
from pytest_ecs_tasks._factories import reseed


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


def report(results: Results, factories: Mapping[str, Mapping[str, Any]]) -> None:
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
