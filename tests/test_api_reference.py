"""The API reference (docs/api.md) has an entry for everything a user handles:
every name in ``pytest_ecs_tasks.__all__``, every fixture and marker the plugin
registers, and every command and option of ``ecs-tasks``. mkdocs (``--strict``,
in CI) renders the entries from the docstrings; this checks none is missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pytest_ecs_tasks
from pytest_ecs_tasks._cli import main

ROOT = Path(__file__).parent.parent
PAGE = (ROOT / "docs" / "api.md").read_text()
#: ``::: pytest_ecs_tasks.Name`` (rendered from the docstring) or a hand-written
#: entry anchored ``{#pytest_ecs_tasks.Name}``.
ENTRY = re.compile(r"^::: pytest_ecs_tasks\.(\w+)$|\{#pytest_ecs_tasks\.(\w+)\}", re.MULTILINE)


def _entries() -> list[str]:
    return [a or b for a, b in ENTRY.findall(PAGE)]


def test_every_public_name_has_one_entry() -> None:
    entries = _entries()
    assert sorted(entries) == sorted(pytest_ecs_tasks.__all__)


def test_the_entries_name_only_public_names() -> None:
    # A ``:::`` line naming an internal module would document (and link) a path
    # users must not import.
    rendered = re.findall(r"^::: (\S+)$", PAGE, re.MULTILINE)
    assert rendered
    assert all(re.fullmatch(r"pytest_ecs_tasks\.[A-Za-z]\w*", path) for path in rendered)


def test_every_fixture_and_marker_has_an_entry(pytester: pytest.Pytester) -> None:
    fixtures = pytester.runpytest_subprocess("--fixtures", "-p", "no:randomly").stdout.str()
    ours = fixtures.split("fixtures defined from pytest_ecs_tasks", 1)[1].split("\n-", 1)[0]
    names = re.findall(r"^(\w+)(?: \[.*\])?(?: --.*)?$", ours, re.MULTILINE)
    assert {"ecs_tasks", "ecs_clock", "ecs_tasks_server", "ecs_scenario"} <= set(names)
    for name in names:
        assert f"### `{name}`" in PAGE, name

    markers = pytester.runpytest_subprocess("--markers", "-p", "no:randomly").stdout.str()
    ours_markers = re.findall(r"^@pytest\.mark\.(ecs_\w+)", markers, re.MULTILINE)
    assert sorted(ours_markers) == ["ecs_scenarios", "ecs_tasks"]
    for marker in ours_markers:
        assert f"`@pytest.mark.{marker}(" in PAGE, marker


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main([*argv, "--help"]) == 0
    return capsys.readouterr().out


def test_every_command_and_option_has_an_entry(capsys: pytest.CaptureFixture[str]) -> None:
    section = PAGE.split("## Command line", 1)[1]
    top = _help(capsys)
    commands = re.findall(r"^    (\w+) +\S", top, re.MULTILINE)
    assert commands == ["sample", "serve"]
    assert "`ecs-tasks --version`" in section
    for command in commands:
        assert f"### `ecs-tasks {command}`" in section, command
        own = section.split(f"### `ecs-tasks {command}`", 1)[1].split("\n### ", 1)[0]
        # The options' own lines (not the epilog's examples): "  --port N  default: ..."
        options = set(re.findall(r"^  (?:-\w, )?(--[a-z][a-z-]*)", _help(capsys, command), re.M))
        options.discard("--help")
        assert options
        missing = sorted(o for o in options if f"`{o}" not in own)
        assert not missing, f"ecs-tasks {command}: {missing}"
