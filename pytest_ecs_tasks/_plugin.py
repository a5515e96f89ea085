"""The pytest plugin: fixtures, marker, options, report section, seeding. Glue only.

Importing it loads nothing heavy (no boto3, botocore, moto, Faker or factory_boy):
every pytest run in an environment with the plugin installed imports it, and
only the tests that use a fixture should pay for what the fixture needs.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

from ._settings import SettingError, Settings, Source, options_of, settings_from

#: The options the fixture takes (marker, ini, command line).
_OPTIONS = options_of("fixture")

if TYPE_CHECKING:
    from ._clock import Clock
    from ._fake import FakeEcs
    from ._scenarios import Scenario
    from ._server import EcsServer

_FAKE = pytest.StashKey["FakeEcs"]()
_CALL_FAILED = pytest.StashKey[bool]()
_LAYERS = pytest.StashKey["list[tuple[Source, Mapping[str, Any]]]"]()
_MARKER = Source("@pytest.mark.ecs_tasks")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ecs_tasks", "fake Amazon ECS task service (pytest-ecs-tasks)")
    for option in _OPTIONS:
        group.addoption(
            f"--ecs-tasks-{option.name.replace('_', '-')}",
            dest=f"ecs_tasks_{option.name}",
            default=None,
            help=option.help,
        )
        parser.addini(f"ecs_tasks_{option.name}", option.help, default=None)


def pytest_configure(config: pytest.Config) -> None:
    # The ini file's and the command line's values, checked once here: a bad one
    # stops the run with one error that says where it came from.
    ini = config.inipath.name if config.inipath is not None else "the ini file"
    layers: list[tuple[Source, Mapping[str, Any]]] = [
        (
            Source(f"{ini} ({config.inipath})" if config.inipath else ini, "ini"),
            {o.name: config.getini(f"ecs_tasks_{o.name}") for o in _OPTIONS},
        ),
        (
            Source("the command line", "flag"),
            {o.name: config.getoption(f"ecs_tasks_{o.name}") for o in _OPTIONS},
        ),
    ]
    try:
        settings_from(layers)
    except SettingError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_LAYERS] = layers
    config.addinivalue_line(
        "markers",
        f"ecs_tasks({', '.join(f'{o.name}={o.shown_default}' for o in _OPTIONS)}): configure the "
        "ecs_tasks fixture for this test (the closest marker wins)",
    )
    config.addinivalue_line(
        "markers",
        "ecs_scenarios(*names): run each test that uses the ecs_scenario fixture once per named "
        "failure scenario (no names: all of them; the closest marker wins)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "ecs_scenario" not in metafunc.fixturenames:
        return
    from ._scenarios import scenarios

    marker = metafunc.definition.get_closest_marker("ecs_scenarios")
    names = marker.args if marker is not None else ()
    try:
        chosen = scenarios(*names)
    except ValueError as exc:
        pytest.fail(f"ecs_scenarios: {exc}", pytrace=False)
    metafunc.parametrize("ecs_scenario", chosen, ids=[s.name for s in chosen], indirect=True)


@pytest.fixture
def ecs_scenario(request: pytest.FixtureRequest) -> Scenario:
    """The failure scenario this run of the test is about (see the ecs_scenarios marker)."""
    scenario: Scenario = request.param
    return scenario


def _settings(request: pytest.FixtureRequest) -> Settings:
    stored = request.config.stash[_LAYERS]
    layers = list(stored)
    # iter_markers yields the closest marker first: apply the farthest first.
    for marker in reversed(list(request.node.iter_markers("ecs_tasks"))):
        if marker.args:
            raise pytest.UsageError(
                "@pytest.mark.ecs_tasks takes keyword arguments only, like "
                "@pytest.mark.ecs_tasks(region='eu-west-1')"
            )
        layers.append((_MARKER, marker.kwargs))
    try:
        return settings_from(layers)
    except SettingError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture
def ecs_tasks(request: pytest.FixtureRequest) -> Generator[FakeEcs, None, None]:
    """A fake ECS task service for this test; every boto3 ECS client is served by it."""
    from ._fake import FakeEcs
    from ._report import unused_faults_message

    settings = _settings(request)
    fake = FakeEcs._from_settings(settings, "fixture")
    request.node.stash[_FAKE] = fake
    with fake:
        yield fake
    if settings.assert_all_faults_used and not request.node.stash.get(_CALL_FAILED, False):
        message = unused_faults_message(fake)
        if message:
            pytest.fail(message, pytrace=False)


@pytest.fixture
def ecs_clock(ecs_tasks: FakeEcs) -> Clock:
    """The clock of the ``ecs_tasks`` fake service."""
    return ecs_tasks.clock


@pytest.fixture
def ecs_tasks_server(
    ecs_tasks: FakeEcs, monkeypatch: pytest.MonkeyPatch
) -> Generator[EcsServer, None, None]:
    """The ``ecs_tasks`` fake served over HTTP on 127.0.0.1 (a free port): an
    ``EcsServer`` with ``.url``, for clients in other processes. ``AWS_ENDPOINT_URL_ECS``
    points subprocesses at it. Same state and clock as ``ecs_tasks``."""
    from ._server import EcsServer

    with EcsServer(ecs_tasks, "127.0.0.1", 0) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_ECS", server.url)
        yield server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    fake = item.stash.get(_FAKE, None)
    if fake is not None and report.failed and report.when == "call":
        from ._report import state_report

        item.stash[_CALL_FAILED] = True
        report.sections.append(("fake ECS (pytest-ecs-tasks)", state_report(fake)))
    return report
