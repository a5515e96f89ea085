"""Section 5 of the benchmarks: memory with 100,000 tasks stored.

Measured while section 1 fills its largest fakes: the resident set size before
and after storing the tasks in a fresh fake (each after ``gc.collect()`` and
``malloc_trim``), and ``tracemalloc`` over a separate fake filled with the first
``plan.traced_tasks`` tasks, scaled to the full count.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Mapping, Sequence
from typing import Any

from describe_stores import KIND_LABEL, KINDS, Store
from harness import Results, max_rss_bytes, mib, release_memory, rss_bytes
from plans import Plan
from profiling import package, short


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
        where = package(stat.traceback[0].filename)
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
                "where": f"{short(s.traceback[0].filename)}:{s.traceback[0].lineno}",
                "bytes": s.size,
                "share_pct": round(100.0 * s.size / max(current, 1), 1),
            }
            for s in top
        ],
    }
    return store, memory, seconds


def report(results: Results, plan: Plan, memory: Mapping[str, Mapping[str, Any]]) -> None:
    sec = f"5. Memory, {plan.stored:,} tasks stored"
    for kind in KINDS:
        m = memory[kind]
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
    results.data["memory"] = dict(memory)
