"""The plot on the page, drawn with matplotlib from a run's results (no measuring here)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: write files only

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, NullFormatter

KIND_LABEL = {"added": "added records", "run": "run_task tasks"}
CLIENT_LABEL = {"inside": "client made inside the fake", "before": "client made before it"}
PARSER_LABEL = {"fake": "the fake's parser", "botocore": "botocore's own parser"}
COLOURS = {"added": "#1f77b4", "run": "#2ca02c"}


def describe_plot(path: Path, describe: Mapping[str, Any]) -> None:
    """DescribeTasks of 100 tasks, ms per call (medians) against tasks stored, log-log:
    the fake per kind of record and of client, the floors, and moto with its 10x target."""
    plot = describe["plot"]
    sizes = [float(s) for s in plot["sizes"]]
    fig, ax = plt.subplots(figsize=(9.0, 5.2), dpi=100)
    for series, values in plot["fake"].items():
        kind, client = series.split()
        ax.plot(
            sizes,
            values,
            marker="o",
            color=COLOURS[kind],
            linestyle="-" if client == "inside" else ":",
            label=f"fake, {KIND_LABEL[kind]}, {CLIENT_LABEL[client]}",
        )
    ends = [sizes[0], sizes[-1]]
    stub = sum(plot["stubber"]) / len(plot["stubber"])
    ax.plot(
        ends, [stub, stub], color="#7f7f7f", linestyle="--", label="Stubber (no wire, no parsing)"
    )
    for parser, style in (("fake", "-."), ("botocore", (0, (1, 3)))):
        floor = sum(plot["floor"][parser]) / len(plot["floor"][parser])
        ax.plot(
            ends,
            [floor, floor],
            color="#9467bd",
            linestyle=style,
            label=f"botocore's floor, parsed with {PARSER_LABEL[parser]}",
        )
    moto = {float(s): v for s, v in plot["moto"].items()}
    if moto:
        ax.plot(
            list(moto),
            list(moto.values()),
            marker="s",
            color="#d62728",
            label=f"moto {plot['moto_version']}",
        )
        if 5_000.0 in moto:
            target = moto[5_000.0] / 10
            ax.plot([5_000.0], [target], marker="_", markersize=24, color="#d62728")
            ax.annotate(
                "target at 5k: moto / 10",
                (5_000.0, target),
                textcoords="offset points",
                xytext=(8, -16),
                color="#d62728",
                fontsize=9,
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sizes)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1000:g}k"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
    ax.set_xlabel("tasks stored (log scale)")
    ax.set_ylabel("ms per call, median (log scale)")
    ax.set_title("DescribeTasks of 100 tasks through boto3")
    ax.grid(True, which="both", color="#e6e6e6")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A stable file: no date in the metadata, fixed ids.
    with matplotlib.rc_context({"svg.hashsalt": "benchmark-describe"}):
        fig.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
