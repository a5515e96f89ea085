"""The docs writer: renders ``docs/benchmarks.md`` (and the plain-text table) from a
run's results, the dict ``run.py`` saves as ``benchmarks/results/latest.json``.

Nothing here measures, so the page can be rendered again from the saved results:

    python benchmarks/page.py        # rewrites docs/benchmarks.md from latest.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import method
from harness import DOCS_MD, PACKAGES, RESULTS_JSON, Row, Target
from profiling import format_profile


def table_text(rows: Sequence[Row], targets: Sequence[Target]) -> str:
    """The results as plain text: the table, the targets, the profiles of failing ones."""
    headers = ("Section", "Measurement", "Figure", "Compared / ratio")
    cells = [(r.section, r.measurement, r.figure, r.compared) for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]

    def line(parts: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(parts, widths, strict=True)).rstrip()

    lines = [line(headers), line(["-" * w for w in widths])]
    last = ""
    for r in cells:
        lines.append(line((r[0] if r[0] != last else "", *r[1:])))
        last = r[0]
    lines += ["", "Targets"]
    width = max(len(t.text) for t in targets)
    for t in targets:
        lines.append(
            f"  {t.status}  {t.text.ljust(width)}  measured {t.measured()} "
            f"(limit {t.op} {t.limit:g}{t.unit})"
        )
    for t in targets:
        if not t.passed and t.profile is not None:
            lines += ["", f"Profile of the failing target: {t.text}", *format_profile(t.profile)]
            if t.finding:
                lines.append("    finding: " + t.finding)
    return "\n".join(lines)


def _this_run(data: Mapping[str, Any]) -> list[str]:
    env = data["environment"]
    dirty = env.get("dirty") or []
    code = f"commit `{env['commit']}`"
    if dirty:
        where: dict[str, int] = {}
        for path in dirty:
            top = path.split("/", 1)[0] + ("/" if "/" in path else "")
            where[top] = where.get(top, 0) + 1
        shown = ", ".join(f"{n} in `{top}`" for top, n in sorted(where.items()))
        code += f", dirty: {len(dirty)} tracked files changed ({shown})"
    versions = ", ".join(f"{label} {env.get(label, '?')}" for label, _ in PACKAGES)
    return [
        f"This run: {env['when']}; {code}.",
        f"Packages: Python {env['python']}, {versions}.",
        f"Machine: {env['cpus']} cores, {env['platform']}; load average "
        f"{env['loadavg_start']} at the start and {env.get('loadavg_end', 'n/a')} at the end "
        "(1, 5 and 15 minutes). Other work ran on the machine at the same time; ratios come "
        "from interleaved rounds, so load hits both sides of each alike.",
        f"The run took {data['duration_s']:.0f} s.",
    ]


def _alike(ratios: Sequence[float]) -> str:
    """How the client made before the fake compares with the one made inside it."""
    lo, hi = min(ratios), max(ratios)
    if lo >= 0.9 and hi <= 1.1:
        return "the two kinds are about as fast as each other (within 10%)"
    if lo > 1.1:
        return "the client made before the fake is the slower"
    if hi < 0.9:
        return "the client made before the fake is the faster"
    return "the two kinds differ by more than 10%, not the same way for both kinds of record"


def _clients(data: Mapping[str, Any]) -> list[str]:
    lines = [
        "## Clients measured",
        "",
        "A user of the fake has two kinds of boto3 client, and both are measured:",
        "",
        '- **Client made inside the fake**: `boto3.client("ecs", ...)` called after the fake',
        "  started, as in a test using the `ecs_tasks` fixture (or `fake.client()`). It comes",
        "  from the default session the fake sets up, whose response parser reads epoch",
        "  timestamps with the fake's own parser: the same datetimes as botocore's, built with",
        "  one local time zone object instead of a new one for every timestamp.",
        '- **Default client made before the fake**: `boto3.client("ecs", ...)` called before',
        "  the fake started (at import time, or in a session-scoped fixture). botocore creates",
        "  a new parser for every response; while a fake is active, the parsers created for",
        "  a client whose session chose no timestamp parser of its own get the fake's, so",
        "  this client parses the fake's answers as the client made inside it does. Outside",
        "  the fake (before it starts, after it stops, against AWS) it parses with botocore's",
        "  own timestamp parser, which builds a new dateutil `tzlocal()` for every timestamp",
        "  (5 in each full task record).",
        "",
        "Where a row names no client, the fake was called through a client made inside it.",
        "Section 7 also measures an aiobotocore client: while a fake is active,",
        "aiobotocore's parsers get the fake's timestamp parser too.",
        "",
        "What each comparison parses with:",
        "",
        "- *fake / Stubber*: the `Stubber` parses nothing (it hands back the records given",
        "  to `add_response`, validated); the fake's side parses with the fake's timestamp",
        "  parser, through either kind of client.",
        "- *fake / floor*: the floor is the fake's own answer, canned at `before-send` and",
        "  parsed with the fake's timestamp parser, as both kinds of client parse through",
        "  the fake: like for like, so the ratio is what the fake itself adds.",
        "- *botocore's floor with its own parser*: the same canned answer parsed with",
        "  botocore's own timestamp parser, as the client made before the fake parses",
        "  outside it. It is shown for that client; no target uses it.",
        "",
    ]
    kinds = (data.get("describe") or {}).get("client_kinds")
    if not kinds or "floor_fake_ms" not in next(iter(kinds.values())):
        return lines  # no figures, or results saved before the floors were split by parser
    size = next(iter(kinds.values()))["size"]
    lines += [
        f"DescribeTasks of 100 tasks with {size:,} stored, the two kinds of client in the same",
        "rounds (section 1):",
        "",
        "| Records | Inside the fake | Made before | Before / inside "
        "| fake / Stubber (inside, before) | fake / floor (inside, before) "
        "| floor, botocore's parser |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    labels = {"added": "added records", "run": "run_task tasks"}
    for kind, k in kinds.items():
        lines.append(
            f"| {labels[kind]} | {k['inside_ms']:.1f} ms | {k['before_ms']:.1f} ms "
            f"| {k['before_over_inside']:.2f}x "
            f"| {k['inside_over_stubber']:.2f}x, {k['before_over_stubber']:.2f}x "
            f"| {k['inside_over_floor']:.2f}x, {k['before_over_floor']:.2f}x "
            f"| {k['floor_botocore_ms']:.1f} ms ({k['floor_botocore_ms'] / k['floor_fake_ms']:.2f}x"
            " the fake's parser) |"
        )
    each = " and ".join(f"{k['before_over_inside']:.2f}x" for k in kinds.values())
    diffs = [k["floor_botocore_ms"] - k["floor_fake_ms"] for k in kinds.values()]
    more = "more" if min(diffs) > 0 else "less" if max(diffs) < 0 else "more or less"
    own = ", ".join(f"{d:+.1f} ms for {labels[kind]}" for kind, d in zip(kinds, diffs, strict=True))
    outside = " and ".join(f"{k['before_over_botocore_floor']:.2f}x" for k in kinds.values())
    worst = max(k["before_over_stubber"] for k in kinds.values())
    verdict = "within" if worst <= 2.0 else "over"
    lines += [
        "",
        f"Through the fake, the client made before it took {each} the time of the client",
        f"made inside it ({' and '.join(labels[kind] for kind in kinds)}):",
        f"{_alike([k['before_over_inside'] for k in kinds.values()])}. Parsed instead",
        "with botocore's own parser, as that client parses outside the fake, the same",
        f"answer costs {more} at the floor ({own}); through the fake, that client takes",
        f"{outside} that floor.",
        "The fake / Stubber targets below are checked with the client made inside the",
        f"fake; with the client made before it, fake / Stubber at {size:,} stored is",
        f"{worst:.2f}x at most, {verdict} the same 2x limit.",
        "",
    ]
    return lines


def render(data: Mapping[str, Any]) -> str:
    """The whole page, from a run's results."""
    rows = [Row(**r) for r in data["table"]]
    targets = [Target.from_json(t) for t in data["targets"]]
    lines = [
        "# Benchmarks",
        "",
        "<!-- Written by benchmarks/run.py (rendered by benchmarks/page.py) from its last full "
        "run: edit the scripts, not this page. -->",
        "",
        "How fast the fake ECS service answers, what a test using it costs and how much",
        "memory it holds, measured side by side with plain moto and botocore's `Stubber`",
        "in one process. Figures are medians of repeated `time.perf_counter`",
        "measurements; every ratio compares figures taken in the same run, and the",
        "DescribeTasks figures of one table row come from the same rounds of calls.",
        "",
        "## Reproduce",
        "",
        "```",
        "python benchmarks/run.py                 # or: nox -s benchmarks",
        "python benchmarks/run.py --quick         # a smoke run; writes nothing",
        "python benchmarks/run.py --only serve    # one section (repeatable); writes nothing",
        "python benchmarks/run.py --full-memory   # trace all 100,000 tasks (2 more minutes)",
        "python benchmarks/run.py --check         # exit 1 if a target fails",
        "python benchmarks/page.py                # render this page again from the saved results",
        "```",
        "",
        "A full run writes `benchmarks/results/latest.json` (medians, quartiles, profiles),",
        "the plot below and this page. Each section is one module of `benchmarks/`",
        "(`describe.py`, `per_test.py`, ..., `services.py`), sharing `harness.py`. It never",
        "leaves loopback: name lookups and connections to anything else raise",
        "(`benchmarks/netguard.py`).",
        "",
        *_this_run(data),
        "",
        *_clients(data),
        "## Targets",
        "",
        "This project's own bars for speed and memory, each stated in full here: the",
        "quantity measured and the limit it must stay within.",
        "",
        "| Target | Measured | Limit | |",
        "| --- | --- | --- | --- |",
    ]
    for t in targets:
        lines.append(f"| {t.text} | {t.measured()} | {t.op} {t.limit:g}{t.unit} | **{t.status}** |")
    lines += [
        "",
        "## Figures",
        "",
        "| Section | Measurement | Figure | Compared / ratio |",
        "| --- | --- | --- | --- |",
    ]
    last = ""
    for r in rows:
        lines.append(
            f"| {r.section if r.section != last else ''} | {r.measurement} "
            f"| {r.figure} | {r.compared} |"
        )
        last = r.section
    lines += [
        "",
        "![DescribeTasks of 100 tasks: ms per call against tasks stored]"
        "(img/benchmark-describe.svg)",
        "",
    ]
    lines += method.moto_gap(data, targets)
    lines += method.lines(data["plan"])
    failing = [t for t in targets if not t.passed]
    if failing:
        lines += ["## Failing targets: where the time goes", ""]
        for t in failing:
            lines += [f"### {t.text}", ""]
            if t.finding:
                lines += [t.finding, ""]
            if t.profile is not None:
                lines += ["```", *(x.rstrip() for x in format_profile(t.profile)), "```", ""]
    lines += ["## Full output of this run", "", "```", table_text(rows, targets), "```", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Render docs/benchmarks.md from the last run's results, without measuring;
    ``--check``: only say whether the page is what they render to (exit 1 if not)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument(
        "--check", action="store_true", help="compare, do not write: exit 1 if the page differs"
    )
    args = parser.parse_args(argv)
    page = render(json.loads(RESULTS_JSON.read_text()))
    if args.check:
        same = DOCS_MD.read_text() == page
        print(f"{DOCS_MD} {'is' if same else 'is NOT'} what {RESULTS_JSON.name} renders to")
        return 0 if same else 1
    DOCS_MD.write_text(page)
    print(f"wrote {DOCS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
