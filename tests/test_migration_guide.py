"""The migration guide's "before" (moto) and "after" blocks, taken from the page and run.

docs/migrating-from-moto.md pairs each common moto pattern with its rewrite: a
block whose first line is ``# before: <name>`` (moto code, marked ``# docs: not
run`` for tests/test_docs.py), then a ``text`` block with the failure the page says
it shows under the fake, then ``# after: <name>``. Here every "before" runs under
moto alone (it passes: valid moto code) and under the fake with the page's own
``conftest.py`` of step 3 (it fails as the page shows), and every "after" passes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import pytest

PAGE = Path(__file__).parent.parent / "docs" / "migrating-from-moto.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
LABEL = re.compile(r"\A# (before|after): ([a-z-]+)\n")
CONFTEST = "# conftest.py"

#: Under moto alone, botocore's waiters sleep in wall time (6 s a poll for the task
#: waiters): this conftest makes those sleeps instant for the plain-moto run only.
INSTANT_WAITERS = """
import types

import pytest


@pytest.fixture(autouse=True)
def _instant_waiter_sleeps(monkeypatch):
    monkeypatch.setattr("botocore.waiter.time", types.SimpleNamespace(sleep=lambda seconds: None))
"""


@dataclass(frozen=True)
class Guide:
    conftest: str
    before: dict[str, str]
    after: dict[str, str]
    shown: dict[str, str]  # name -> the text block under its "before": what the fake shows


def read_guide() -> Guide:
    blocks = [(m.group(1), m.group(2)) for m in FENCE.finditer(PAGE.read_text())]
    conftest = [code for lang, code in blocks if lang == "python" and code.startswith(CONFTEST)]
    assert len(conftest) == 1, f"one python block starting with {CONFTEST!r}"
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    shown: dict[str, str] = {}
    for i, (lang, code) in enumerate(blocks):
        label = LABEL.match(code)
        if lang != "python" or label is None:
            continue
        kind, name = label.groups()
        pairs = before if kind == "before" else after
        assert name not in pairs, f"two '# {kind}: {name}' blocks"
        pairs[name] = code
        if kind == "before":
            assert "# docs: not run" in code, f"before: {name} fails under the fake on purpose"
            follower = blocks[i + 1] if i + 1 < len(blocks) else ("", "")
            assert follower[0] == "text", f"before: {name} is followed by the failure it shows"
            shown[name] = follower[1]
    return Guide(conftest[0], before, after, shown)


def module(kind: str, name: str) -> str:
    return f"test_{kind}_{name.replace('-', '_')}"


def outcomes(junit: Path) -> dict[str, tuple[str, str]]:
    """``{module: (outcome, failure text)}`` of every test case in a JUnit XML report;
    a module's outcome is its worst test's."""
    found: dict[str, tuple[str, str]] = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        name = case.get("classname", "").rsplit(".", 1)[-1]
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            outcome, text = "passed", ""
        else:
            outcome, text = problem.tag, f"{problem.get('message', '')}\n{problem.text or ''}"
        if found.get(name, ("passed", ""))[0] == "passed":
            found[name] = (outcome, text)
    return found


@dataclass(frozen=True)
class Runs:
    """The outcome of each test module, from the two pytest runs in their own processes."""

    under_fake: dict[str, tuple[str, str]]  # the before blocks with the fake on, the afters
    under_moto: dict[str, tuple[str, str]]  # the before blocks, with -p no:ecs_tasks


def start(where: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env["PY_COLORS"] = "0"
    command = [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider"]
    return subprocess.Popen(
        [*command, "--junitxml=junit.xml", "-o", "addopts=", *args],
        cwd=where,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen[str], where: Path) -> dict[str, tuple[str, str]]:
    output, _ = process.communicate(timeout=120)
    assert (where / "junit.xml").exists(), output
    return outcomes(where / "junit.xml")


@pytest.fixture(scope="module")
def guide() -> Guide:
    return read_guide()


@pytest.fixture(scope="module")
def runs(guide: Guide, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Both runs at once (each takes a few seconds, mostly imports)."""
    fake_root = tmp_path_factory.mktemp("migration_under_fake")
    (fake_root / "under_fake").mkdir()
    (fake_root / "under_fake" / "conftest.py").write_text(guide.conftest)
    for name, code in guide.before.items():
        (fake_root / "under_fake" / f"{module('before', name)}.py").write_text(code)
    (fake_root / "after").mkdir()
    for name, code in guide.after.items():
        (fake_root / "after" / f"{module('after', name)}.py").write_text(code)

    moto_root = tmp_path_factory.mktemp("migration_under_moto")
    (moto_root / "conftest.py").write_text(INSTANT_WAITERS)
    for name, code in guide.before.items():
        (moto_root / f"{module('before', name)}.py").write_text(code)

    under_fake = start(fake_root)
    under_moto = start(moto_root, "-p", "no:ecs_tasks")
    return Runs(finish(under_fake, fake_root), finish(under_moto, moto_root))


def test_the_page_pairs_every_before_with_an_after(guide: Guide) -> None:
    assert set(guide.before) == set(guide.after)
    assert {"register-and-run", "run-and-wait", "stop"} <= set(guide.before)
    for name, code in guide.after.items():
        assert "ecs_tasks" in code and "mock_aws" not in code, name
    assert "WaiterError" in guide.shown["run-and-wait"]
    assert "Max attempts exceeded" in guide.shown["run-and-wait"]


@pytest.mark.parametrize("name", sorted(read_guide().before))
def test_before_fails_under_the_fake_as_the_page_shows(guide: Guide, runs: Runs, name: str) -> None:
    outcome, text = runs.under_fake[module("before", name)]

    assert outcome == "failure", f"before: {name} under the fake: {outcome}"
    for line in filter(None, (line.strip() for line in guide.shown[name].splitlines())):
        assert line in text, f"before: {name} under the fake shows {line!r}; got:\n{text}"


@pytest.mark.parametrize("name", sorted(read_guide().after))
def test_after_passes(runs: Runs, name: str) -> None:
    outcome, text = runs.under_fake[module("after", name)]

    assert outcome == "passed", f"after: {name}: {outcome}\n{text}"


@pytest.mark.parametrize("name", sorted(read_guide().before))
def test_before_is_valid_moto_code(runs: Runs, name: str) -> None:
    """Under moto alone (the plugin not loaded), the "before" block passes."""
    outcome, text = runs.under_moto[module("before", name)]

    assert outcome == "passed", f"before: {name} under moto: {outcome}\n{text}"
