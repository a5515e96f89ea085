"""One settings definition, every surface: the same good and bad values fed to the
Python API, the marker, the ini file, pytest's command line, ``ecs-tasks serve``,
``EcsServer`` and the control API are accepted in the same forms and refused with
the same reason, plus where the value came from, spelt as that surface spells it."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import pytest

from pytest_ecs_tasks import ClockError, EcsServer, FakeEcs, SettingError
from pytest_ecs_tasks._cli import main

from .test_server import http

pytest_plugins = ["pytester"]

TIMEOUT = 60
UTC = dt.timezone.utc
FAKE_ECS = frozenset({"FakeEcs", "fixture", "serve"})


class Good(NamedTuple):
    option: str
    text: str
    value: Any  # what the setting becomes


class Bad(NamedTuple):
    option: str
    text: str
    reason: str


#: Where each option can be given (the rest refuse it as unknown).
SURFACES: dict[str, frozenset[str]] = {
    "region": FAKE_ECS,
    "account_id": FAKE_ECS,
    "start": FAKE_ECS,
    "retention": FAKE_ECS,
    "long_arn_format": FAKE_ECS,
    "seed": FAKE_ECS,
    "eventual_consistency": FAKE_ECS,
    "assert_all_faults_used": frozenset({"fixture"}),
    "time_machine": frozenset({"FakeEcs", "fixture"}),
    "invalid_task_ids": FAKE_ECS,
    "task_order": FAKE_ECS,
    "calls_limit": FAKE_ECS,
    "events_limit": FAKE_ECS,
    "time_scale": frozenset({"serve"}),
    "token": frozenset({"serve"}),
}

GOOD = [
    Good("region", "eu-west-1", "eu-west-1"),
    Good("account_id", "210987654321", "210987654321"),
    Good("start", "2025-03-01T08:00:00Z", dt.datetime(2025, 3, 1, 8, tzinfo=UTC)),
    Good("retention", "90m", dt.timedelta(minutes=90)),
    Good("long_arn_format", "false", False),
    Good("seed", "42", 42),
    Good("eventual_consistency", "2s", dt.timedelta(seconds=2)),
    Good("assert_all_faults_used", "false", False),
    Good("time_machine", "false", False),
    Good("invalid_task_ids", "missing", "missing"),
    Good("task_order", "created", "created"),
    Good("calls_limit", "10", 10),
    Good("events_limit", "50", 50),
    Good("time_scale", "5", 5.0),
    Good("token", "t0ken-t0ken-t0ken-1", "t0ken-t0ken-t0ken-1"),
]

DURATION = "give a timedelta, seconds, or text like '90m' or '1h'"
BAD = [
    Bad("region", "mars-1", "give a region name like 'us-east-1'"),
    Bad("account_id", "12", "give 12 digits, like '123456789012'"),
    Bad(
        "start",
        "yesterday",
        "give 'now', an ISO 8601 time like '2024-01-01T12:00:00Z', a datetime or epoch seconds",
    ),
    Bad("retention", "forever", DURATION),
    Bad("long_arn_format", "maybe", "give true or false"),
    Bad("seed", "abc", "give an integer"),
    Bad("eventual_consistency", "-1s", "cannot be negative"),
    Bad("assert_all_faults_used", "perhaps", "give true or false"),
    Bad("time_machine", "perhaps", "give true or false"),
    Bad("invalid_task_ids", "ignore", "give one of 'error', 'missing'"),
    Bad("task_order", "random", "give one of 'request', 'created'"),
    Bad("calls_limit", "0", "give a whole number of calls, 1 or more"),
    Bad("events_limit", "-3", "give a whole number of events, 1 or more"),
    Bad("time_scale", "-1", "give a number from 0 (the clock moves only when told) to 1,000,000"),
    Bad(
        "token",
        "short",
        "give 16 to 256 letters, digits, '-' or '_' (or none: one is made up when the host "
        "is not a loopback address)",
    ),
]


def test_the_table_covers_every_option_once() -> None:
    from pytest_ecs_tasks._settings import OPTION

    assert set(SURFACES) == set(OPTION)
    assert {g.option for g in GOOD} == {b.option for b in BAD} == set(OPTION)
    for name, option in OPTION.items():
        assert option.surfaces == SURFACES[name], name


def _on(surface: str, rows: list[Any]) -> list[Any]:
    return [pytest.param(row, id=row.option) for row in rows if surface in SURFACES[row.option]]


# -- the Python API ----------------------------------------------------------------------------


@pytest.mark.parametrize("row", _on("FakeEcs", GOOD))
def test_python_api_accepts(row: Good) -> None:
    given: dict[str, Any] = {row.option: row.text}
    fake = FakeEcs(**given)

    assert getattr(fake._current_settings(), row.option) == row.value


@pytest.mark.parametrize("row", _on("FakeEcs", BAD))
def test_python_api_refuses(row: Bad) -> None:
    given: dict[str, Any] = {row.option: row.text}
    with pytest.raises(SettingError) as error:
        FakeEcs(**given)

    assert str(error.value) == f"FakeEcs(): {row.option}={row.text!r}: {row.reason}"


@pytest.mark.parametrize(
    "row", [r for r in BAD if r.option in ("retention", "eventual_consistency")]
)
def test_a_setter_refuses_with_the_same_reason(row: Bad) -> None:
    fake = FakeEcs()

    with pytest.raises(SettingError) as error:
        setattr(fake, row.option, row.text)

    assert str(error.value) == (
        f"setting a FakeEcs attribute: {row.option}={row.text!r}: {row.reason}"
    )


@pytest.mark.parametrize(
    "row", _on("serve", [r for r in BAD if r.option in ("time_scale", "token")])
)
def test_ecs_server_refuses_with_the_same_reason(row: Bad) -> None:
    given: dict[str, Any] = {row.option: row.text}
    with pytest.raises(SettingError) as error:
        EcsServer(FakeEcs(), **given)

    assert str(error.value) == f"EcsServer(): {row.option}={row.text!r}: {row.reason}"


# -- the fixture: marker, ini, command line ------------------------------------------------------


def _fixture_test(name: str, row: Good) -> str:
    return (
        f"def test_{name}(ecs_tasks):\n"
        f"    assert ecs_tasks._current_settings().{row.option} == {row.value!r}\n"
    )


def _runner(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider", *args)


def test_the_marker_accepts_and_refuses_the_same(pytester: pytest.Pytester) -> None:
    code = ["import datetime", "import pytest", ""]
    for row in (r for r in GOOD if "fixture" in SURFACES[r.option]):
        code.append(f"@pytest.mark.ecs_tasks({row.option}={row.text!r})")
        code.append(_fixture_test(f"good_{row.option}", row))
    for bad in (r for r in BAD if "fixture" in SURFACES[r.option]):
        code.append(f"@pytest.mark.ecs_tasks({bad.option}={bad.text!r})")
        code.append(f"def test_bad_{bad.option}(ecs_tasks):\n    pass\n")
    pytester.makepyfile("\n".join(code))

    result = _runner(pytester)

    goods = [r for r in GOOD if "fixture" in SURFACES[r.option]]
    bads = [r for r in BAD if "fixture" in SURFACES[r.option]]
    result.assert_outcomes(passed=len(goods), errors=len(bads))
    for bad in bads:
        result.stdout.fnmatch_lines(
            [f"*@pytest.mark.ecs_tasks: {bad.option}={bad.text!r}: {bad.reason}"]
        )


def test_ini_and_command_line_accept_the_same(pytester: pytest.Pytester) -> None:
    goods = [r for r in GOOD if "fixture" in SURFACES[r.option]]
    pytester.makeini("[pytest]\n" + "".join(f"ecs_tasks_{r.option} = {r.text}\n" for r in goods))
    pytester.makepyfile(
        "import datetime\n\n" + "\n\n".join(_fixture_test(r.option, r) for r in goods)
    )
    _runner(pytester).assert_outcomes(passed=len(goods))

    pytester.makeini("[pytest]\n")
    flags = [f"--ecs-tasks-{r.option.replace('_', '-')}={r.text}" for r in goods]
    _runner(pytester, *flags).assert_outcomes(passed=len(goods))


@pytest.mark.parametrize("row", _on("fixture", BAD))
def test_ini_refuses(pytester: pytest.Pytester, row: Bad) -> None:
    pytester.makeini(f"[pytest]\necs_tasks_{row.option} = {row.text}\n")
    pytester.makepyfile("def test_one():\n    pass\n")

    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    where = f"tox.ini ({pytester.path / 'tox.ini'})"
    assert f"ERROR: {where}: ecs_tasks_{row.option}={row.text!r}: {row.reason}" in result.errlines


@pytest.mark.parametrize("row", _on("fixture", BAD))
def test_the_command_line_refuses(pytester: pytest.Pytester, row: Bad) -> None:
    pytester.makepyfile("def test_one():\n    pass\n")
    flag = f"--ecs-tasks-{row.option.replace('_', '-')}"

    result = pytester.runpytest_inprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", f"{flag}={row.text}"
    )

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"ERROR: the command line: {flag}={row.text!r}: {row.reason}" in result.errlines


# -- ecs-tasks serve and its control API ---------------------------------------------------------


@pytest.mark.parametrize("joined", [True, False], ids=["flag=value", "flag value"])
@pytest.mark.parametrize("row", _on("serve", BAD))
def test_serve_refuses(row: Bad, joined: bool, capsys: pytest.CaptureFixture[str]) -> None:
    flag = f"--{row.option.replace('_', '-')}"
    # Values like -1s and -3 reach the option's own check either way, never
    # argparse's "expected one argument".
    given = [f"{flag}={row.text}"] if joined else [flag, row.text]

    assert main(["serve", *given]) == 2

    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == f"ecs-tasks serve: error: {flag}={row.text!r}: {row.reason}"


@contextmanager
def _served(*flags: str) -> Iterator[str]:
    """``ecs-tasks serve`` in its own process, as a user starts it: its URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    with subprocess.Popen(
        [sys.executable, "-m", "pytest_ecs_tasks", "serve", "--port", "0", "--quiet", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as server:
        try:
            assert server.stdout is not None
            first = server.stdout.readline()
            assert first.startswith("Serving fake ECS at "), first
            yield first.split(" at ", 1)[1].strip()
        finally:
            server.terminate()
            server.wait(TIMEOUT)


def test_serve_accepts_the_same_and_its_control_api_shows_them() -> None:
    goods = [r for r in GOOD if "serve" in SURFACES[r.option]]
    flags = [arg for r in goods for arg in (f"--{r.option.replace('_', '-')}", r.text)]
    with _served(*flags) as url:
        token = {"Authorization": "Bearer t0ken-t0ken-t0ken-1"}
        status, _, shown = http(f"{url}/_ecs_tasks/settings", {}, headers=token)

    assert status == 200
    expected = {
        r.option: (
            r.value.isoformat()
            if isinstance(r.value, dt.datetime)
            else r.value.total_seconds()
            if isinstance(r.value, dt.timedelta)
            else r.value
        )
        for r in goods
        if r.option not in ("time_scale", "token")
    }
    assert {k: shown[k] for k in expected} == expected
    assert json.dumps(shown)  # JSON all through


@pytest.mark.parametrize(
    "row", [r for r in GOOD + BAD if r.option in ("retention", "eventual_consistency", "seed")]
)
def test_the_control_api_accepts_and_refuses_the_same(
    ecs_tasks_server: EcsServer, row: Good | Bad
) -> None:
    path = "seed" if row.option == "seed" else "settings"

    status, _, answer = http(f"{ecs_tasks_server.url}/_ecs_tasks/{path}", {row.option: row.text})

    if isinstance(row, Good):
        assert status == 200, answer
        shown = row.value.total_seconds() if isinstance(row.value, dt.timedelta) else row.value
        assert answer[row.option] == shown
        if path == "settings":
            assert getattr(ecs_tasks_server.fake, row.option) == row.value
    else:
        assert status == 400
        assert answer == {
            "error": f"POST /_ecs_tasks/{path}: {row.option}={row.text!r}: {row.reason}"
        }


def test_the_control_api_says_which_settings_are_fixed_at_start(
    ecs_tasks_server: EcsServer,
) -> None:
    status, _, answer = http(
        f"{ecs_tasks_server.url}/_ecs_tasks/settings", {"region": "eu-west-1", "retention": 60}
    )

    assert (status, answer) == (
        400,
        {
            "error": "region: set when the server starts (ecs-tasks serve --region ...); what "
            "can change while it runs: retention, eventual_consistency"
        },
    )
    assert ecs_tasks_server.fake.retention == dt.timedelta(hours=1)  # nothing half-applied


def test_the_control_api_refuses_an_option_of_another_surface(
    ecs_tasks_server: EcsServer,
) -> None:
    status, _, answer = http(f"{ecs_tasks_server.url}/_ecs_tasks/settings", {"time_machine": True})

    assert status == 400
    assert answer["error"].startswith(
        "POST /_ecs_tasks/settings: unknown option 'time_machine'; the options are: account_id, "
    )


# -- the clock's advice names the surface's own way to set its start ----------------------------

START_ADVICE = "Start the clock earlier instead ({})."


def test_the_clock_advises_fake_ecs_start() -> None:
    fake = FakeEcs()
    with pytest.raises(ClockError) as raised:
        fake.clock.advance(-5)
    assert str(raised.value).endswith(START_ADVICE.format("FakeEcs(start=...)"))


def test_the_clock_advises_the_marker_ini_and_flag(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_back(ecs_tasks):
            ecs_tasks.clock.move_to("2000-01-01T00:00:00Z")
        """
    )
    result = _runner(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*ClockError: the clock only moves forward: it reads 2024-01-01T12:00:00+00:00 and "
            "move_to() asked for 2000-01-01T00:00:00+00:00. Start the clock earlier instead "
            "(@pytest.mark.ecs_tasks(start=...), ecs_tasks_start in the ini file, or "
            "--ecs-tasks-start)."
        ]
    )


def test_the_clock_advises_serve_start() -> None:
    with _served() as url:
        status, _, answer = http(f"{url}/_ecs_tasks/clock/advance", {"by": -5})

    assert status == 400
    # Not the marker's option: a served fake is configured by serve's own flags.
    assert answer["error"].endswith(START_ADVICE.format("ecs-tasks serve --start ..."))
