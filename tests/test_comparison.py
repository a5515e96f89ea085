"""docs/comparison.md and its tests correspond: every claim the page makes about moto
5.2 and botocore's Stubber has a test, shown against the tool itself and, where the
row compares, against the fake.

Each row of the page starts with a key (``T1``, ``S1``, ``M1``, ``P1``, ``B1``, ...);
the test of that row is ``test_<key>_...``, registered with ``@claim(key)`` in one of
the modules ``tests/test_comparison_*.py`` (the T rows in ``..._tasks`` and
``..._task_runs``, M and P in ``..._tuned_moto``, S in ``..._services``, B in
``..._stubber``). ``test_every_row_of_the_page_has_its_test`` fails when a row has no
key, a key has no test, or a test has no row. It finds the tests by reading those
modules' source, and imports them itself: it depends on no other test module having
been imported before it (pytest-xdist and pytest-randomly choose which are, and when).
(Pinned to moto 5.2: a later moto may fix some of it, and then a row must change.)"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

from tests.comparison_setups import CLAIMS, MOTO_5_2

pytestmark = MOTO_5_2

TESTS = Path(__file__).parent
PAGE = TESTS.parent / "docs" / "comparison.md"

KEY = re.compile(r"^[A-Z]\d{1,2}$")
UNTESTED_SECTIONS = ("LocalStack", "Hand-written")


def page_tables() -> Iterator[tuple[str, list[list[str]]]]:
    """Each table of the page with the heading it is under: its rows, header first,
    as lists of cells."""
    heading = ""
    table: list[list[str]] = []
    for line in [*PAGE.read_text().splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):  # not the separator
                table.append(cells)
            continue
        if table:
            yield heading, table
            table = []
        if line.startswith("#"):
            heading = line.lstrip("#").strip()


def claimed() -> dict[str, tuple[str, str]]:
    """Every ``@claim(key)`` in the comparison's test modules, read from their source:
    key -> (the module's name, the test's name)."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted(TESTS.glob("test_comparison*.py")):
        module = f"{TESTS.name}.{path.stem}"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                if not (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Name)
                    and decorator.func.id == "claim"
                ):
                    continue
                [argument] = decorator.args
                key = ast.literal_eval(argument)
                assert isinstance(key, str), f"{module}.{node.name}: claim({key!r})"
                assert key not in found, f"{key} has two tests"
                found[key] = (module, node.name)
    return found


def test_every_row_of_the_page_has_its_test() -> None:
    keys: list[str] = []
    for heading, (header, *rows) in page_tables():
        if heading.startswith(UNTESTED_SECTIONS):
            assert not any(KEY.match(row[0]) for row in rows), f"{heading}: a key, untested"
            continue
        assert header[0] == "key", f"{heading}: a table of claims without keys"
        for row in rows:
            assert KEY.match(row[0]), f"{heading}: a row without a key: {row}"
            keys.append(row[0])
    assert len(keys) == len(set(keys)), "a key used twice"
    tests = claimed()
    assert set(keys) == set(tests), (
        f"rows without a test: {sorted(set(keys) - set(tests))}; "
        f"tests without a row: {sorted(set(tests) - set(keys))}"
    )
    for key, (module, name) in tests.items():
        assert callable(getattr(importlib.import_module(module), name)), key
        assert CLAIMS[key] == name, key  # registered, by the name the page's key asks
