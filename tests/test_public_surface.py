"""The public surface: ``pytest_ecs_tasks.__all__`` names everything a user handles,
every other module is marked internal, and the docs import only from the package."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import pytest_ecs_tasks

ROOT = Path(__file__).parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)

#: Modules the docs once showed, kept with a DeprecationWarning: (module, a name in it).
DEPRECATED = {
    "pytest_ecs_tasks.clock": "ClockError",
    "pytest_ecs_tasks.wire": "from_wire",
    "pytest_ecs_tasks.lifecycle": "Timings",
}


def all_modules() -> list[str]:
    names = ["pytest_ecs_tasks"]
    for info in pkgutil.walk_packages(pytest_ecs_tasks.__path__, "pytest_ecs_tasks."):
        names.append(info.name)
    return names


def test_all_names_everything_it_exports_once_and_each_resolves() -> None:
    names = pytest_ecs_tasks.__all__

    assert names == sorted(names, key=lambda n: (n[0].islower(), n))
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(pytest_ecs_tasks, name) is not None, name
    assert set(names) <= set(dir(pytest_ecs_tasks))


def test_what_users_handle_is_exported() -> None:
    """The issue's list: what fixtures give, what the API returns and raises."""
    handled = {
        "FakeEcs",  # ecs_tasks
        "Clock",  # ecs_clock
        "EcsServer",  # ecs_tasks_server
        "Scenario",  # ecs_scenario, failure_scenarios()
        "Arranged",  # Scenario.arrange()
        "Fault",  # FakeEcs.fail()
        "Call",  # FakeEcs.calls
        "ClockError",  # Clock.advance() / move_to() refusing
        "SettingError",  # a bad setting anywhere
        "Timings",  # run_task(**timings)
        "from_wire",
        "to_wire",
        "TaskRecord",
        "ClusterRecord",
    }
    assert handled <= set(pytest_ecs_tasks.__all__)


def _classes_of_the_package() -> dict[str, type]:
    """Every class defined in one of the package's modules, by name."""
    found: dict[str, type] = {}
    for name in all_modules():
        if name in DEPRECATED or name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__.startswith("pytest_ecs_tasks"):
                found[value.__name__] = value
    return found


def _annotation_names(function: object) -> set[str]:
    try:
        annotations = inspect.get_annotations(function)  # type: ignore[arg-type]
    except TypeError:
        return set()
    text = " ".join(str(a) for a in annotations.values())
    return set(re.findall(r"\b[A-Z]\w*", text))


def test_every_class_the_public_api_takes_or_gives_is_exported() -> None:
    """Walk the annotations of every public method of every exported class, and of
    the fixtures: a class of the package named there is in ``__all__``."""
    classes = _classes_of_the_package()
    exported = set(pytest_ecs_tasks.__all__)
    from pytest_ecs_tasks import _plugin

    functions: list[tuple[str, object]] = [
        (f"fixture {name}", getattr(_plugin, name))
        for name in ("ecs_tasks", "ecs_clock", "ecs_tasks_server", "ecs_scenario")
    ]
    for name in exported:
        value = getattr(pytest_ecs_tasks, name)
        if inspect.isfunction(value):
            functions.append((name, value))
        elif isinstance(value, type) and value.__module__.startswith("pytest_ecs_tasks"):
            for member, attr in vars(value).items():
                if member.startswith("_") and member != "__init__":
                    continue
                target = attr.fget if isinstance(attr, property) else attr
                target = getattr(target, "__func__", target)
                if callable(target):
                    functions.append((f"{name}.{member}", target))
    missing = {
        f"{where}: {cls}"
        for where, function in functions
        for cls in _annotation_names(getattr(function, "__wrapped__", function))
        if cls in classes and cls not in exported and not _is_internal_helper_type(cls)
    }
    assert not missing, sorted(missing)


def _is_internal_helper_type(name: str) -> bool:
    # Types users never hold on to: the JSON mappings and literals of signatures.
    return name in {"When", "TagsInput", "InvalidTaskIds", "TaskOrder"}


@pytest.mark.parametrize("name", all_modules())
def test_every_module_but_the_package_is_internal(name: str) -> None:
    parts = name.split(".")[1:]
    if not parts or parts == ["__main__"] or name in DEPRECATED:
        return
    assert parts[0].startswith("_"), f"{name} looks public: give it a leading underscore"


@pytest.mark.parametrize(("module", "name"), sorted(DEPRECATED.items()))
def test_an_old_import_path_still_works_with_a_warning_at_the_import(
    module: str, name: str
) -> None:
    old = importlib.import_module(module)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = getattr(old, name)

    assert value is getattr(pytest_ecs_tasks, name)
    [warning] = caught
    assert warning.category is DeprecationWarning
    assert warning.filename == __file__  # it points at the import, not at the plugin
    assert str(warning.message) == (
        f"{module}.{name}: the module {module} is deprecated; import it from "
        f"pytest_ecs_tasks instead: from pytest_ecs_tasks import {name}"
    )


def test_an_old_import_path_gives_the_public_object_after_its_module_loads_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pytester's in-process runs drop the modules they imported, so an internal
    module can load a second time in one process: the old path still gives the
    very object ``pytest_ecs_tasks`` exports."""
    import pytest_ecs_tasks._wire as first_load

    public = pytest_ecs_tasks.from_wire
    monkeypatch.setattr(pytest_ecs_tasks, "_wire", first_load)  # put back afterwards
    monkeypatch.delitem(sys.modules, "pytest_ecs_tasks._wire")
    old = importlib.import_module("pytest_ecs_tasks.wire")

    with pytest.warns(DeprecationWarning, match="from pytest_ecs_tasks import from_wire"):
        value = old.from_wire

    assert importlib.import_module("pytest_ecs_tasks._wire") is not first_load
    assert value is public


def test_an_old_path_to_an_internal_name_says_it_is_internal() -> None:
    with pytest.warns(DeprecationWarning, match="it is internal now and may change"):
        from pytest_ecs_tasks.lifecycle import LAUNCH_TYPES  # noqa: F401


def _imports_in(code: str) -> list[tuple[str, list[str]]]:
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pytest_ecs_tasks"):
            found.append((str(node.module), [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("pytest_ecs_tasks"):
                    found.append((alias.name, []))
    return found


def _doc_pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_docs_import_only_public_names_from_the_package() -> None:
    wrong = []
    for page in _doc_pages():
        text = page.read_text()
        for block in BLOCK.finditer(text):
            for module, names in _imports_in(block.group(1)):
                line = text[: block.start()].count("\n") + 1
                if module != "pytest_ecs_tasks":
                    wrong.append(f"{page.name}:{line}: imports from {module}")
                wrong += [
                    f"{page.name}:{line}: {n} is not in pytest_ecs_tasks.__all__"
                    for n in names
                    if n not in pytest_ecs_tasks.__all__
                ]
        # Prose too: a dotted path into the package names an internal module.
        for match in re.finditer(r"`pytest_ecs_tasks\.(\w+)", text):
            if match.group(1) not in pytest_ecs_tasks.__all__:
                line = text[: match.start()].count("\n") + 1
                wrong.append(f"{page.name}:{line}: pytest_ecs_tasks.{match.group(1)}")
    assert not wrong, wrong


def test_the_docs_check_catches_an_internal_import() -> None:
    """The check above can fail: an internal path is found."""
    assert _imports_in("from pytest_ecs_tasks._fake import FakeEcs\nimport json") == [
        ("pytest_ecs_tasks._fake", ["FakeEcs"])
    ]


def test_importing_the_package_and_a_shim_stays_cheap() -> None:
    """The shims import nothing heavy until a name is used."""
    code = (
        "import sys, pytest_ecs_tasks.clock, pytest_ecs_tasks.wire, pytest_ecs_tasks.lifecycle\n"
        "heavy = [m for m in ('boto3', 'botocore', 'moto', 'factory', 'faker') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
