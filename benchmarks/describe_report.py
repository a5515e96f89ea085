"""Section 1's rows, targets and JSON, from the figures ``describe.py`` measured."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from clients import LABEL, PARSER_LABEL, PARSERS
from describe import DescribeResults
from describe_stores import KIND_LABEL, KINDS
from harness import Results, Target, Timing, ms
from plans import Plan
from profiling import finding

SECTION = "1. DescribeTasks, 100 tasks"


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


def client_kinds(d: DescribeResults, size: int) -> dict[str, dict[str, float]]:
    """Per kind of record, at ``size``: each client kind's call, and its ratios. The
    ``_over_floor`` ratios are over the floor parsed with the fake's timestamp parser
    (as both kinds parse through the fake); ``before_over_botocore_floor`` is over the
    floor parsed with botocore's own (as the client made before parses outside it)."""
    out = {}
    for kind in KINDS:
        inside, before = d.fake(kind, size).median, d.fake(kind, size, "before").median
        out[kind] = {
            "size": size,
            "inside_ms": inside,
            "before_ms": before,
            "before_over_inside": before / inside,
            "stubber_ms": d.rounds[size][f"stubber {kind}"].median,
            "floor_fake_ms": d.rounds[size][f"floor {kind} fake"].median,
            "floor_botocore_ms": d.rounds[size][f"floor {kind} botocore"].median,
            "inside_over_stubber": d.vs_stubber(kind, size),
            "before_over_stubber": d.vs_stubber(kind, size, "before"),
            "inside_over_floor": d.vs_floor(kind, size),
            "before_over_floor": d.vs_floor(kind, size, "before"),
            "before_over_botocore_floor": d.vs_floor(kind, size, "before", "botocore"),
            "server_inside_ms": d.fake_server(kind, size).median,
            "server_before_ms": d.fake_server(kind, size, "before").median,
        }
    return out


def _rows(results: Results, plan: Plan, d: DescribeResults) -> None:
    first = plan.sizes[0]
    for kind in KINDS:
        results.row(
            SECTION,
            f"Stubber, the same 100 records as {KIND_LABEL[kind]} (add_response + call)",
            ms(d.stubber(kind).median),
            "the floor",
        )
    for kind in KINDS:
        quick = d.floor(kind, "fake").median
        own = d.floor(kind, "botocore").median
        for parser, figure, compared in (
            (
                "fake",
                quick,
                "a canned answer at before-send: serialise, sign, parse; "
                "as both kinds of client parse while the fake runs",
            ),
            (
                "botocore",
                own,
                f"{own / quick:.2f}x the floor with the fake's parser; "
                f"as the {LABEL['before']} parses outside it",
            ),
        ):
            results.row(
                SECTION,
                f"botocore's floor, {KIND_LABEL[kind]}, parsed with {PARSER_LABEL[parser]}",
                ms(figure),
                compared,
            )
    for kind in KINDS:
        for size in d.fake_sizes():
            parts = [
                f"fake/stubber {d.vs_stubber(kind, size):.2f}x",
                f"fake/floor {d.vs_floor(kind, size):.2f}x",
            ]
            if size > first:
                parts.append(f"{size // 1000}k/1k {d.flatness(kind, size):.2f}x")
            moto_ratio = d.moto_over_fake(kind, size)
            if moto_ratio is not None:
                parts.append(f"moto/fake {moto_ratio:.1f}x")
            parts.append(f"server side {ms(d.fake_server(kind, size).median)}")
            results.row(
                SECTION,
                f"fake, {KIND_LABEL[kind]}, {size:,} stored",
                ms(d.fake(kind, size).median),
                "; ".join(parts),
            )
    for kind in KINDS:
        for size in d.fake_sizes():
            before = d.fake(kind, size, "before").median
            results.row(
                SECTION,
                f"fake, {KIND_LABEL[kind]}, {size:,} stored, {LABEL['before']}",
                ms(before),
                f"fake/stubber {d.vs_stubber(kind, size, 'before'):.2f}x; "
                f"fake/floor {d.vs_floor(kind, size, 'before'):.2f}x "
                f"(botocore's parser at the floor: "
                f"{d.vs_floor(kind, size, 'before', 'botocore'):.2f}x); "
                f"{before / d.fake(kind, size).median:.2f}x the {LABEL['inside']}; "
                f"server side {ms(d.fake_server(kind, size, 'before').median)}",
            )
    for size, timing in d.moto().items():
        moto_server = d.server[size]["moto"].median
        server_ratios = ", ".join(
            f"{moto_server / d.fake_server(kind, size).median:.0f}x ({KIND_LABEL[kind]})"
            for kind in KINDS
        )
        results.row(
            SECTION,
            f"moto {version('moto')}, {size:,} stored",
            ms(timing.median),
            f"server side {ms(moto_server)}: moto/fake server side {server_ratios}; "
            f"filled by run_task(count=10) x {size // 10} in {d.moto_fill_seconds[size]:.1f} s",
        )


def _targets(results: Results, plan: Plan, d: DescribeResults) -> None:
    stored = plan.stored
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


def _timings(got: dict[int, dict[str, Timing]]) -> dict[str, Any]:
    return {
        str(size): {name: t.as_json() for name, t in timings.items()}
        for size, timings in sorted(got.items())
    }


def report(results: Results, plan: Plan, d: DescribeResults) -> None:
    """Section 1's rows and targets, and its figures in ``results.data["describe"]``."""
    _rows(results, plan, d)
    _targets(results, plan, d)
    has_moto_5k = 5_000 in d.server and "moto" in d.server[5_000]
    results.data["describe"] = {
        "rounds": _timings(d.rounds),
        "fill_seconds": {
            kind: {str(s): round(v, 2) for s, v in sizes.items()}
            for kind, sizes in d.fill_seconds.items()
        },
        "server_side": _timings(d.server),
        "moto_fill_seconds": {str(s): round(v, 2) for s, v in d.moto_fill_seconds.items()},
        "moto_gap_5k": (
            {kind: {k: round(v, 3) for k, v in moto_gap(d, kind).items()} for kind in KINDS}
            if has_moto_5k
            else None
        ),
        "client_kinds": {
            kind: {k: round(v, 4) for k, v in figures.items()}
            for kind, figures in client_kinds(d, plan.stored).items()
        },
        "plot": {
            "sizes": d.fake_sizes(),
            "fake": {
                f"{kind} {ck}": [d.fake(kind, s, ck).median for s in d.fake_sizes()]
                for kind in KINDS
                for ck in ("inside", "before")
            },
            "stubber": [d.stubber(kind).median for kind in KINDS],
            "floor": {
                parser: [d.floor(kind, parser).median for kind in KINDS] for parser in PARSERS
            },
            "moto": {str(s): t.median for s, t in d.moto().items()},
            "moto_version": version("moto"),
        },
        "record_size": d.record_size,
        "profiles": d.profiles,
    }
