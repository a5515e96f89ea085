"""The settings of a fake ECS service: each named, defaulted, parsed and checked here.

Every surface reads them through ``check`` / ``settings_from``:
``FakeEcs(...)`` and its setters, the ``ecs_tasks`` marker, ini options
``ecs_tasks_*``, command-line options ``--ecs-tasks-*``, ``ecs-tasks serve``'s
flags, ``EcsServer(...)`` and the control API. A bad value is reported with the
option spelt as that surface spells it, the value, what is valid, and where it
came from; the same value gets the same reason everywhere.

Imports nothing heavy: the plugin reads this at start-up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from . import _arns as arns
from ._clock import DEFAULT_START, LATEST, to_duration, to_utc

__all__ = [
    "DEFAULTS",
    "DEFAULT_CALLS_LIMIT",
    "MAX_TIME_SCALE",
    "OPTIONS",
    "SERVER_DEFAULTS",
    "SERVER_OPTIONS",
    "START_HINTS",
    "InvalidTaskIds",
    "Option",
    "ServerSettings",
    "SettingError",
    "Settings",
    "Source",
    "Surface",
    "TaskOrder",
    "options_of",
    "settings_from",
]

InvalidTaskIds = Literal["error", "missing"]
TaskOrder = Literal["request", "created"]

#: How many of the most recent calls ``FakeEcs.calls`` keeps by default: a whole
#: waiter's polls and more, while a long test's memory stays flat (a DescribeTasks
#: call of 100 full tasks holds about 170 kB, so about 35 MB at most).
DEFAULT_CALLS_LIMIT = 200
#: How many of the most recent events ``FakeEcs.events`` keeps by default (an event
#: holds a task record: about 3 kB, so about 3 MB at most).
DEFAULT_EVENTS_LIMIT = 1000


@dataclass(frozen=True)
class Settings:
    """Every setting of a fake, with its default."""

    region: str = "us-east-1"
    account_id: str = "123456789012"
    start: datetime = DEFAULT_START
    retention: timedelta = timedelta(hours=1)
    long_arn_format: bool = True
    seed: int | None = None
    eventual_consistency: timedelta = timedelta(0)
    assert_all_faults_used: bool = True
    time_machine: bool = False
    invalid_task_ids: InvalidTaskIds = "error"
    task_order: TaskOrder = "request"
    calls_limit: int = DEFAULT_CALLS_LIMIT
    events_limit: int = DEFAULT_EVENTS_LIMIT


#: Every setting at its default.
DEFAULTS = Settings()


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
    raise ValueError("give true or false")


def _start(value: object) -> datetime:
    if isinstance(value, str) and value.strip().lower() == "now":
        return to_utc(datetime.now().astimezone())
    try:
        start = to_utc(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(
            "give 'now', an ISO 8601 time like '2024-01-01T12:00:00Z', a datetime or epoch seconds"
        ) from None
    if start > LATEST:
        raise ValueError(
            f"the clock cannot start after {LATEST.isoformat()} "
            "(timelines and retention are added to its time)"
        )
    return start


def _seed(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("give an integer")
    try:
        return int(value)
    except ValueError:
        raise ValueError("give an integer") from None


def _limit(what: str) -> Callable[[object], int]:
    def parse(value: object) -> int:
        try:
            number = _seed(value)
        except ValueError:
            number = 0
        if number < 1:
            raise ValueError(f"give a whole number of {what}, 1 or more")
        return number

    return parse


_calls_limit = _limit("calls")


def _duration(value: object) -> timedelta:
    try:
        return to_duration(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None


def _region(value: object) -> str:
    if not isinstance(value, str) or not arns.REGION.match(value):
        raise ValueError("give a region name like 'us-east-1'")
    return value


def _account(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:012d}"
    if not isinstance(value, str) or not arns.ACCOUNT.match(value):
        raise ValueError("give 12 digits, like '123456789012'")
    return value


def _one_of(valid: tuple[str, ...]) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if value not in valid:
            raise ValueError(f"give one of {', '.join(map(repr, valid))}")
        return str(value)

    return parse


#: Where a setting can be given: ``FakeEcs(...)``; the ``ecs_tasks`` fixture (its
#: marker, ini options and command-line options); ``ecs-tasks serve`` (and the
#: ``EcsServer(...)`` it runs).
Surface = Literal["FakeEcs", "fixture", "serve"]
EVERYWHERE: frozenset[Surface] = frozenset(("FakeEcs", "fixture", "serve"))
#: How each surface sets where the clock starts: what the clock's errors advise
#: ("Start the clock earlier instead (...)").
START_HINTS: Mapping[Surface, str] = {
    "FakeEcs": "FakeEcs(start=...)",
    "fixture": "@pytest.mark.ecs_tasks(start=...), ecs_tasks_start in the ini file, "
    "or --ecs-tasks-start",
    "serve": "ecs-tasks serve --start ...",
}


@dataclass(frozen=True)
class Option:
    """One setting: its name, what it means, how a given value becomes it, and
    the surfaces that take it."""

    name: str
    help: str
    parse: Callable[[object], Any]
    surfaces: frozenset[Surface] = EVERYWHERE

    @property
    def default(self) -> Any:
        if self.name in SERVER_DEFAULTS.__dataclass_fields__:
            return getattr(SERVER_DEFAULTS, self.name)
        return getattr(DEFAULTS, self.name)

    @property
    def shown_default(self) -> str:
        """The default as a user would write it: ``'1h'``, ``'2024-01-01T12:00:00+00:00'``."""
        value = self.default
        if isinstance(value, datetime):
            return repr(value.isoformat())
        if isinstance(value, timedelta):
            seconds = value.total_seconds()
            for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
                if seconds and seconds % size == 0:
                    return repr(f"{seconds // size:.0f}{unit}")
            return f"{seconds:g}"
        return repr(value)


OPTIONS = (
    Option(
        "region",
        "the fake's home region; clients made without a region get it (default: us-east-1)",
        _region,
    ),
    Option("account_id", "the fake's account id (default: 123456789012)", _account),
    Option(
        "start",
        f"where the fake clock starts: ISO 8601 or 'now' (default: {DEFAULT_START.isoformat()})",
        _start,
    ),
    Option(
        "retention",
        "how long a STOPPED task stays describable, like 3600, '90m' or '1h' (default: 1h)",
        _duration,
    ),
    Option(
        "long_arn_format", "task ARNs with the cluster name: true or false (default: true)", _bool
    ),
    Option(
        "seed",
        "reseed the factories with this seed at the start of each test (default: none)",
        _seed,
    ),
    Option(
        "eventual_consistency",
        "how long a just-run task stays MISSING to DescribeTasks, like 1 or '2s' (default: 0)",
        _duration,
    ),
    Option(
        "assert_all_faults_used",
        "fail the test when a fault injected with ecs_tasks.fail() answered no call (default: true)",
        _bool,
        frozenset(("fixture",)),
    ),
    Option(
        "time_machine",
        "move datetime.now() and time.time() with the fake clock (needs time-machine; default: false)",
        _bool,
        frozenset(("FakeEcs", "fixture")),
    ),
    Option(
        "invalid_task_ids",
        "(inferred) a malformed task id in DescribeTasks is an 'error' or reported 'missing' "
        "(default: error)",
        _one_of(get_args(InvalidTaskIds)),
    ),
    Option(
        "task_order",
        "(inferred) DescribeTasks returns found tasks in 'request' order or the order they were "
        "'created' (default: request)",
        _one_of(get_args(TaskOrder)),
    ),
    Option(
        "calls_limit",
        f"how many of the most recent calls ecs_tasks.calls keeps (default: {DEFAULT_CALLS_LIMIT})",
        _calls_limit,
    ),
    Option(
        "events_limit",
        "how many of the most recent EventBridge events ecs_tasks.events keeps "
        f"(default: {DEFAULT_EVENTS_LIMIT})",
        _limit("events"),
    ),
)
assert {o.name for o in OPTIONS} == {f.name for f in fields(Settings)}, "every setting is an option"


@dataclass(frozen=True)
class ServerSettings:
    """The settings of ``ecs-tasks serve`` beyond its fake's, with their defaults."""

    time_scale: float = 0.0
    token: str | None = None


SERVER_DEFAULTS = ServerSettings()
#: The most virtual seconds per wall second ``time_scale`` takes (about 11.6 days a second).
MAX_TIME_SCALE = 1e6
#: What a control API token may be: long enough not to be guessed, safe in a header.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


def _time_scale(value: object) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ValueError("give a number of virtual seconds per wall second") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("give a number of virtual seconds per wall second")
    if not math.isfinite(value) or not 0 <= value <= MAX_TIME_SCALE:
        raise ValueError(
            f"give a number from 0 (the clock moves only when told) to {MAX_TIME_SCALE:,.0f}"
        )
    return float(value)


def _token(value: object) -> str:
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise ValueError(
            "give 16 to 256 letters, digits, '-' or '_' "
            "(or none: one is made up when the host is not a loopback address)"
        )
    return value


SERVER_OPTIONS = (
    Option(
        "time_scale",
        "run the clock at N virtual seconds per wall second from the start "
        "(default: 0, it moves only when told)",
        _time_scale,
        frozenset(("serve",)),
    ),
    Option(
        "token",
        "what the control API requires as 'Authorization: Bearer TEXT' (16 to 256 "
        "letters, digits, - or _); made up and printed when the host is not loopback",
        _token,
        frozenset(("serve",)),
    ),
)
OPTION = {o.name: o for o in (*OPTIONS, *SERVER_OPTIONS)}


@dataclass(frozen=True)
class Source:
    """Where values came from, and how an option is spelt there."""

    where: str  # "the command line", "pytest.ini", "@pytest.mark.ecs_tasks", ...
    #: keyword: ``retention``; ini: ``ecs_tasks_retention``; flag: ``--ecs-tasks-retention``;
    #: serve: ``--retention`` (``ecs-tasks serve``'s own flags).
    spelling: Literal["keyword", "ini", "flag", "serve"] = "keyword"
    #: Which options it takes: those of this surface.
    surface: Surface = "fixture"

    def spell(self, name: str) -> str:
        if self.spelling == "ini":
            return f"ecs_tasks_{name}"
        if self.spelling == "flag":
            return f"--ecs-tasks-{name.replace('_', '-')}"
        if self.spelling == "serve":
            return f"--{name.replace('_', '-')}"
        return name


class SettingError(ValueError):
    """A setting's value is not valid: raised by ``FakeEcs(...)``, its setters and
    ``EcsServer(...)`` (the marker, ini and command-line surfaces report it as a
    usage error). A ``ValueError``; the message says which option, where it came
    from, the value and what is valid."""


def options_of(surface: Surface) -> tuple[Option, ...]:
    """The options ``surface`` takes, in their documented order."""
    return tuple(o for o in OPTION.values() if surface in o.surfaces)


def check(name: str, value: object, source: Source) -> Any:
    """The setting ``name`` from ``value`` as given at ``source``, or ``SettingError``."""
    option = OPTION.get(name)
    if option is None or source.surface not in option.surfaces:
        valid = ", ".join(sorted(source.spell(o.name) for o in options_of(source.surface)))
        raise SettingError(
            f"{source.where}: unknown option {source.spell(name)!r}; the options are: {valid}"
        )
    try:
        return option.parse(value)
    except (TypeError, ValueError) as exc:
        raise SettingError(f"{source.where}: {source.spell(name)}={value!r}: {exc}") from None


def settings_from(layers: Iterable[tuple[Source, Mapping[str, Any]]]) -> Settings:
    """Check each layer's values and merge them (later layers win; ``None`` and
    empty values are skipped). Options of ``ecs-tasks serve`` alone (``time_scale``,
    ``token``) are checked but not part of the fake's ``Settings``."""
    values: dict[str, Any] = {}
    for source, layer in layers:
        for name, value in layer.items():
            if value is None or (isinstance(value, str) and value == ""):
                if name not in OPTION:
                    check(name, value, source)  # still an unknown option
                continue
            values[name] = check(name, value, source)
    return Settings(**{k: v for k, v in values.items() if k in Settings.__dataclass_fields__})
