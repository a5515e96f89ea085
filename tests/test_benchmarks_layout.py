"""The benchmarks stay a package of small modules, and docs/benchmarks.md is
exactly what the writer renders from the last run's results (so a figure on the
page is a figure that run measured, and editing either alone fails here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
BENCHMARKS = ROOT / "benchmarks"


def test_no_benchmark_module_is_over_400_lines() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in BENCHMARKS.glob("*.py")}
    assert len(sizes) > 10  # a package of modules, one per figure
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def test_the_page_is_what_the_last_run_renders_to() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "page.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
