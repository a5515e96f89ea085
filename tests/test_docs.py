"""Every Python example in the docs and the README runs, as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples() -> list[object]:
    params: list[object] = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for i, match in enumerate(BLOCK.finditer(page.read_text())):
            code = match.group(1)
            if "# docs: not run" in code:
                continue
            line = page.read_text()[: match.start()].count("\n") + 1
            params.append(pytest.param(code, id=f"{page.name}:{line}:{i}"))
    return params


@pytest.mark.parametrize("code", examples())
def test_docs_example_runs(code: str, pytester: pytest.Pytester) -> None:
    if "def test_" in code:
        # A test module: run it with pytest, with the plugin active, and expect it to pass.
        pytester.makepyfile(test_example=code)
        result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
        outcomes = result.parseoutcomes()
        assert outcomes.get("failed", 0) == outcomes.get("errors", 0) == 0, result.stdout.str()
        assert outcomes.get("passed", 0) >= code.count("def test_")
    else:
        exec(compile(code, "<docs example>", "exec"), {"__name__": "docs_example"})


def test_the_configuration_reference_lists_every_option_with_its_default() -> None:
    # One meaning per setting: the table is the docs' one list of the options and
    # their defaults, as _settings names and defaults them.
    from pytest_ecs_tasks._settings import OPTIONS

    page = (ROOT / "docs" / "configuration.md").read_text()
    section = page.split("## Options", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.*?) \|", section, re.MULTILINE)
    shown = {}
    for option in OPTIONS:
        default = option.default
        shown[option.name] = (
            "none"
            if default is None
            else f"`{str(default).lower()}`"
            if isinstance(default, bool)
            else f"`{option.shown_default.strip(chr(39))}`"
        )
    assert dict(rows) == shown
