"""cProfile readings: where a call's time goes, by stage, by package and by function.

Used for the targets that fail (the profile is printed and kept on the page), and by
section 5 to name who allocated the memory.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable, Mapping
from typing import Any

from harness import ROOT


def short(path: str) -> str:
    for marker in ("site-packages/", "lib/python3.", str(ROOT) + "/"):
        if marker in path:
            tail = path.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker.startswith("lib/python3.") else tail
    return path


def package(path: str) -> str:
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
        "fake service: dispatch (all of it)",
        "pytest_ecs_tasks/_service/dispatch.py",
        "dispatch",
    ),
    (
        "  fake: validate the request (model.validate_input)",
        "pytest_ecs_tasks/_model.py",
        "validate_input",
    ),
    (
        "  fake: render the records (TaskEntry.describe)",
        "pytest_ecs_tasks/_service/state.py",
        "describe",
    ),
    ("  fake: encode the JSON body (model.dumps)", "pytest_ecs_tasks/_model.py", "dumps"),
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
    (
        "  botocore: timestamps to datetime (the fake's session: _parse_timestamp)",
        "pytest_ecs_tasks/_transport/moto_bridge.py",
        "_parse_timestamp",
    ),
    ("boto3.client(): build a client", "boto3/__init__.py", "client"),
    ("FakeEcs.start()", "pytest_ecs_tasks/_fake.py", "start"),
    ("FakeEcs.stop()", "pytest_ecs_tasks/_fake.py", "stop"),
    ("waiter: virtual sleeps (Clock.sleep)", "pytest_ecs_tasks/_clock.py", "sleep"),
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
        where = package(path)
        by_package[where] = by_package.get(where, 0.0) + tt
        label = name if path == "~" else f"{short(path)}:{line}({name})"
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
