"""The settings of the ``ecs_tasks`` fixture: from ini options, the command line
and markers, checked and merged (later layers win)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import arns
from .clock import DEFAULT_START, to_utc

__all__ = ["OPTIONS", "Option", "Settings", "settings_from"]


@dataclass(frozen=True)
class Option:
    name: str
    help: str


OPTIONS = (
    Option("region", "the fake's home region (default: us-east-1)"),
    Option("account_id", "the fake's account id (default: 123456789012)"),
    Option(
        "start",
        f"where the fake clock starts: ISO 8601 or 'now' (default: {DEFAULT_START.isoformat()})",
    ),
    Option(
        "retention",
        "how long a STOPPED task stays describable, like 3600, '90m' or '1h' (default: 1h)",
    ),
    Option("long_arn_format", "task ARNs with the cluster name: true or false (default: true)"),
    Option("seed", "reseed the factories with this seed at the start of each test (default: none)"),
    Option(
        "eventual_consistency",
        "seconds a just-run task stays MISSING to DescribeTasks (default: 0)",
    ),
    Option(
        "assert_all_faults_used",
        "fail the test when a fault injected with ecs_tasks.fail() answered no call (default: true)",
    ),
    Option(
        "time_machine",
        "move datetime.now() and time.time() with the fake clock (needs time-machine; default: false)",
    ),
    Option(
        "invalid_task_ids",
        "(inferred) a malformed task id in DescribeTasks is an 'error' or reported 'missing' "
        "(default: error)",
    ),
    Option(
        "task_order",
        "(inferred) DescribeTasks returns found tasks in 'request' order or the order they were "
        "'created' (default: request)",
    ),
)
_NAMES = {o.name for o in OPTIONS}


@dataclass(frozen=True)
class Settings:
    region: str = "us-east-1"
    account_id: str = "123456789012"
    start: datetime = DEFAULT_START
    retention: timedelta = timedelta(hours=1)
    long_arn_format: bool = True
    seed: int | None = None
    eventual_consistency: timedelta = timedelta(0)
    assert_all_faults_used: bool = True
    time_machine: bool = False
    invalid_task_ids: str = "error"
    task_order: str = "request"


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def duration(name: str, value: object) -> timedelta:
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = timedelta(seconds=value)
    elif isinstance(value, str) and (m := _DURATION.match(value)):
        result = timedelta(seconds=float(m[1]) * _UNITS[m[2]])
    else:
        raise ValueError(f"{name}={value!r}: give a timedelta, seconds, or text like '90m' or '1h'")
    if result < timedelta(0):
        raise ValueError(f"{name}={value!r} cannot be negative")
    return result


def _bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in (
        "true",
        "1",
        "yes",
        "on",
        "false",
        "0",
        "no",
        "off",
    ):
        return value.strip().lower() in ("true", "1", "yes", "on")
    raise ValueError(f"{name}={value!r}: give true or false")


def settings_from(layers: Iterable[Mapping[str, Any]]) -> Settings:
    """Merge the layers (later wins, ``None`` and empty values skipped) and check them."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for name, value in layer.items():
            if name not in _NAMES:
                raise TypeError(
                    f"unknown option {name!r}; the options are: {', '.join(sorted(_NAMES))}"
                )
            if value is not None and value != "":
                merged[name] = value
    values: dict[str, Any] = {}
    if "region" in merged:
        values["region"] = arns.check_region(merged["region"])
    if "account_id" in merged:
        values["account_id"] = arns.check_account(str(merged["account_id"]))
    if "start" in merged:
        start = merged["start"]
        values["start"] = datetime.now().astimezone() if start == "now" else start
        values["start"] = to_utc(values["start"])
    if "retention" in merged:
        values["retention"] = duration("retention", merged["retention"])
    if "long_arn_format" in merged:
        values["long_arn_format"] = _bool("long_arn_format", merged["long_arn_format"])
    if "seed" in merged:
        try:
            values["seed"] = int(merged["seed"])
        except (TypeError, ValueError):
            raise ValueError(f"seed={merged['seed']!r}: give an integer") from None
    if "eventual_consistency" in merged:
        values["eventual_consistency"] = duration(
            "eventual_consistency", merged["eventual_consistency"]
        )
    if "assert_all_faults_used" in merged:
        values["assert_all_faults_used"] = _bool(
            "assert_all_faults_used", merged["assert_all_faults_used"]
        )
    if "time_machine" in merged:
        values["time_machine"] = _bool("time_machine", merged["time_machine"])
    for name, valid in (
        ("invalid_task_ids", ("error", "missing")),
        ("task_order", ("request", "created")),
    ):
        if name in merged:
            if merged[name] not in valid:
                raise ValueError(
                    f"{name}={merged[name]!r}: give one of {', '.join(map(repr, valid))}"
                )
            values[name] = merged[name]
    return Settings(**values)
