"""The control API's request bodies: the JSON object a body holds, and its fields checked.

Each reader takes the parsed body (a ``dict``) and a field's name, and answers the
field's value as the routes of ``.control`` use it, or raises ``BadRequest``
with a message that names the field, shows the value (shortened by ``show``)
and says what the field takes.
"""

from __future__ import annotations

import json
import math
import reprlib
from collections.abc import Mapping
from typing import Any

from .. import _lifecycle as lifecycle
from .._clock import to_duration

__all__ = [
    "MAX_DEPTH",
    "MAX_TIMES",
    "TIMINGS",
    "BadRequest",
    "check",
    "check_range",
    "duration",
    "exit_code",
    "integer",
    "is_number",
    "json_object",
    "mapping",
    "show",
    "string",
    "string_map",
    "task_ref",
    "times",
    "timings",
]

#: How deeply a control API body may nest arrays and objects (a Task record needs about 6).
MAX_DEPTH = 32
#: The most a ``times`` field takes: a signed 32-bit integer's largest (``null``: no end).
MAX_TIMES = 2**31 - 1
#: The lifecycle's steps (``lifecycle.Timings``): the timings ``tasks`` and ``plan_runs`` take.
TIMINGS = tuple(lifecycle.Timings.__dataclass_fields__)

_TOO_DEEP = f"the body nests arrays or objects too deeply: at most {MAX_DEPTH} levels"

_repr = reprlib.Repr()
_repr.maxstring = 80
_repr.maxother = 80
_repr.maxlong = 40


def show(value: object) -> str:
    """``value`` as an error message shows it: its ``repr``, shortened when long or nested."""
    return _repr.repr(value)


class BadRequest(Exception):
    """A control API request the server cannot act on: HTTP 400 with this message."""


# -- the body -------------------------------------------------------------------------------


def json_object(body: bytes) -> dict[str, Any]:
    """The JSON object ``body`` holds (empty: ``{}``). ``BadRequest`` for anything else:
    not JSON, ``NaN`` or ``Infinity``, a number too large for a float, or arrays and
    objects nested more than ``MAX_DEPTH`` deep."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body, parse_constant=_constant, parse_float=_float)
    except RecursionError:
        raise BadRequest(_TOO_DEEP) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest(f"the body must be a JSON object, got {type(data).__name__}")
    if _too_deep(data):
        raise BadRequest(_TOO_DEEP)
    return data


def _constant(name: str) -> float:
    raise BadRequest(f"the body is not JSON: {name} is not a JSON number (numbers must be finite)")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadRequest(
            f"the number {show(text)} is out of range: a JSON number here must be finite "
            "(at most about 1.8e308)"
        )
    return value


def _too_deep(data: object) -> bool:
    """Whether ``data`` nests arrays and objects more than ``MAX_DEPTH`` deep (no recursion)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            if depth > MAX_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in value)
    return False


# -- its fields -----------------------------------------------------------------------------


def check(
    body: Mapping[str, Any], required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> None:
    """``body`` has every ``required`` field and no field but those and ``optional``."""
    missing = [name for name in required if name not in body]
    if missing:
        raise BadRequest(f"missing field {', '.join(map(repr, missing))}")
    unknown = sorted(set(body) - set(required) - set(optional))
    if unknown:
        raise BadRequest(
            f"unknown field {', '.join(map(show, unknown))}; the fields are: "
            + (", ".join((*required, *optional)) or "none (send {})")
        )


def is_number(value: object) -> bool:
    """A JSON number: an ``int`` or a ``float``, not a ``bool``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_range(name: str, value: object) -> None:
    """A JSON number Python turns into a float without overflow (ints can be any size)."""
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            raise BadRequest(f"{name}={show(value)} is out of range") from None


def integer(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} must be an integer, got {show(value)}")
    return value


def times(body: Mapping[str, Any], default: int | None, meaning_of_null: str) -> int | None:
    """The ``times`` field: how many calls or tasks, 1 to ``MAX_TIMES``, or ``null``."""
    value = body.get("times", default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TIMES:
        raise BadRequest(
            f"times must be an integer from 1 to {MAX_TIMES:,}, or null ({meaning_of_null}), "
            f"got {show(value)}"
        )
    return value


def string(body: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = body.get(name, default)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"{name} must be a string, got {show(value)}")
    return value


def mapping(body: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """A field that holds a JSON object (``None``: absent or ``null``)."""
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise BadRequest(f"{name} must be a JSON object, got {show(value)}")
    return value


def string_map(body: Mapping[str, Any], name: str) -> dict[str, str] | None:
    value = mapping(body, name)
    if value is not None and not all(isinstance(v, str) for v in value.values()):
        raise BadRequest(f"{name} must map strings to strings, got {show(value)}")
    return value


def exit_code(body: Mapping[str, Any]) -> int | dict[str, int]:
    """``exit_code``: an integer, or ``{container name: integer}`` (the fake checks 0 to 255)."""
    value = body.get("exit_code", 0)
    if isinstance(value, bool) or not (
        isinstance(value, int)
        or (
            isinstance(value, dict)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value.values())
        )
    ):
        raise BadRequest(
            f"exit_code must be an integer from 0 to 255 or {{container name: integer}}, "
            f"got {show(value)}"
        )
    return value


def duration(body: Mapping[str, Any], name: str) -> float | None:
    """A duration field in seconds: a number or text like ``"90m"`` (``null``: none),
    read by ``to_duration`` as the Python API reads it."""
    value = body.get(name)
    if value is None:
        return None
    if not (is_number(value) or isinstance(value, str)):
        raise BadRequest(f"{name} must be seconds or text like '90m', got {show(value)}")
    check_range(name, value)
    try:
        return to_duration(value).total_seconds()
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{name}={show(value)}: {exc}") from None


def timings(body: Mapping[str, Any], *, top_level: bool) -> dict[str, float]:
    """The lifecycle's timings, in seconds: ``"timings": {"pending": 5}`` (and, with
    ``top_level``, the timing names as fields, as Python's keyword arguments)."""
    nested = mapping(body, "timings") or {}
    unknown = sorted(set(nested) - set(TIMINGS))
    if unknown:
        raise BadRequest(
            f"unknown timing {', '.join(map(show, unknown))}; the timings are: "
            + ", ".join(sorted(TIMINGS))
        )
    given = {name: body[name] for name in TIMINGS if top_level and name in body}
    twice = sorted(set(given) & set(nested))
    if twice:
        raise BadRequest(
            f"timing {', '.join(map(repr, twice))} given twice: as a field and in timings"
        )
    given.update(nested)
    seconds: dict[str, float] = {}
    for name, value in given.items():
        if not is_number(value) and not isinstance(value, str):
            raise BadRequest(f"timing {name} must be seconds or text like '90m', got {show(value)}")
        seconds[name] = duration(given, name) or 0.0
    return seconds


def task_ref(body: Mapping[str, Any]) -> str:
    """``task``: a task id, a task ARN, or a Task record with its ``taskArn``."""
    task = body["task"]
    if isinstance(task, dict):
        task = task.get("taskArn")
    if not isinstance(task, str) or not task.strip():
        raise BadRequest(
            f"task must be a task id, a task ARN or a Task record with its taskArn, "
            f"got {show(body['task'])}"
        )
    return task
