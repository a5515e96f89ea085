"""The settings of a fake ECS service: each named, defaulted, parsed and checked here.

Every surface reads them through :func:`settings_from`: ``FakeEcs(...)``, the
``ecs_tasks`` marker, ini options ``ecs_tasks_*``, command-line options
``--ecs-tasks-*`` and ``ecs-tasks serve``. A bad value is reported with the
option spelt as that surface spells it, the value, what is valid, and where it
came from.

Imports nothing heavy: the plugin reads this at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from . import _arns as arns
from ._clock import DEFAULT_START, LATEST, to_duration, to_utc

__all__ = [
    "DEFAULT_CALLS_LIMIT",
    "OPTIONS",
    "InvalidTaskIds",
    "Option",
    "SettingError",
    "Settings",
    "Source",
    "TaskOrder",
    "settings_from",
]

InvalidTaskIds = Literal["error", "missing"]
TaskOrder = Literal["request", "created"]

#: How many of the most recent calls ``FakeEcs.calls`` keeps by default: a whole
#: waiter's polls and more, while a long test's memory stays flat (a DescribeTasks
#: call of 100 full tasks holds about 170 kB, so about 35 MB at most).
DEFAULT_CALLS_LIMIT = 200


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


_DEFAULTS = Settings()


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


def _calls_limit(value: object) -> int:
    try:
        number = _seed(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError("give a whole number of calls, 1 or more")
    return number


def _duration(value: object) -> timedelta:
    try:
        return to_duration(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None


def _region(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("give a region name like 'us-east-1'")
    try:
        return arns.check_region(value)
    except ValueError as exc:
        raise ValueError(_reason(exc)) from None


def _account(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:012d}"
    if not isinstance(value, str):
        raise ValueError("give 12 digits, like '123456789012'")
    try:
        return arns.check_account(value)
    except ValueError as exc:
        raise ValueError(_reason(exc)) from None


def _reason(exc: Exception) -> str:
    """The part of a floor-1 check's message after the value it repeats."""
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


def _one_of(valid: tuple[str, ...]) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if value not in valid:
            raise ValueError(f"give one of {', '.join(map(repr, valid))}")
        return str(value)

    return parse


@dataclass(frozen=True)
class Option:
    """One setting: its name, what it means, and how a given value becomes it."""

    name: str
    help: str
    parse: Callable[[object], Any]

    @property
    def default(self) -> Any:
        return getattr(_DEFAULTS, self.name)


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
    ),
    Option(
        "time_machine",
        "move datetime.now() and time.time() with the fake clock (needs time-machine; default: false)",
        _bool,
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
)
OPTION = {o.name: o for o in OPTIONS}
assert set(OPTION) == {f.name for f in fields(Settings)}, "every setting is an option"


@dataclass(frozen=True)
class Source:
    """Where values came from, and how an option is spelt there."""

    where: str  # "the command line", "pytest.ini", "@pytest.mark.ecs_tasks", ...
    spelling: Literal["keyword", "ini", "flag"] = "keyword"

    def spell(self, name: str) -> str:
        if self.spelling == "ini":
            return f"ecs_tasks_{name}"
        if self.spelling == "flag":
            return f"--ecs-tasks-{name.replace('_', '-')}"
        return name


class SettingError(ValueError):
    """A setting's value is not valid; the message says which, where from, and what is."""


def check(name: str, value: object, source: Source) -> Any:
    """The setting ``name`` from ``value`` as given at ``source``, or :class:`SettingError`."""
    option = OPTION.get(name)
    if option is None:
        raise SettingError(
            f"{source.where}: unknown option {source.spell(name)!r}; the options are: "
            f"{', '.join(source.spell(n) for n in sorted(OPTION))}"
        )
    try:
        return option.parse(value)
    except (TypeError, ValueError) as exc:
        raise SettingError(f"{source.where}: {source.spell(name)}={value!r}: {exc}") from None


def settings_from(layers: Iterable[tuple[Source, Mapping[str, Any]]]) -> Settings:
    """Check each layer's values and merge them (later layers win; ``None`` and
    empty values are skipped)."""
    values: dict[str, Any] = {}
    for source, layer in layers:
        for name, value in layer.items():
            if value is None or (isinstance(value, str) and value == ""):
                if name not in OPTION:
                    check(name, value, source)  # still an unknown option
                continue
            values[name] = check(name, value, source)
    return Settings(**values)
