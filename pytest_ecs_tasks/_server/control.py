"""The control API of ``ecs-tasks serve``: the fake's clock, tasks, plans, faults and state.

JSON in, JSON out, under ``/_ecs_tasks/`` (documented in :mod:`pytest_ecs_tasks._server`).
A request it cannot act on answers 400 with ``{"error": ...}``; an unknown path 404,
a wrong method 405.
"""

from __future__ import annotations

import json
import math
import reprlib
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from .. import _lifecycle as lifecycle
from .. import _model as model
from .._clock import ClockError, to_duration
from .._factories.traits import check_traits
from .._fake import FakeEcs, state_report

__all__ = [
    "ADVANCE_KEYWORDS",
    "MAX_DEPTH",
    "MAX_TIMES",
    "BadRequest",
    "Control",
    "json_object",
    "show",
]

#: How deeply a control API body may nest arrays and objects (a Task record needs about 6).
MAX_DEPTH = 32
#: The most a ``times`` field takes: a signed 32-bit integer's largest (``null``: no end).
MAX_TIMES = 2**31 - 1
#: ``timedelta``'s keywords: the fields of ``clock/advance``, as ``Clock.advance`` takes them.
ADVANCE_KEYWORDS = ("weeks", "days", "hours", "minutes", "seconds", "milliseconds", "microseconds")
#: The lifecycle's steps (``lifecycle.Timings``): the timings ``tasks`` and ``plan_runs`` take.
TIMINGS = tuple(lifecycle.Timings.__dataclass_fields__)

_repr = reprlib.Repr()
_repr.maxstring = 80
_repr.maxother = 80
_repr.maxlong = 40


def show(value: object) -> str:
    """``value`` as an error message shows it: its ``repr``, shortened when long or nested."""
    return _repr.repr(value)


class BadRequest(Exception):
    """A control API request the server cannot act on: HTTP 400 with this message."""


# -- the control API's fields ---------------------------------------------------------------


def _fields(
    body: Mapping[str, Any], required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> None:
    missing = [name for name in required if name not in body]
    if missing:
        raise BadRequest(f"missing field {', '.join(map(repr, missing))}")
    unknown = sorted(set(body) - set(required) - set(optional))
    if unknown:
        raise BadRequest(
            f"unknown field {', '.join(map(show, unknown))}; the fields are: "
            + (", ".join((*required, *optional)) or "none (send {})")
        )


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(name: str, value: object) -> None:
    """A JSON number Python turns into a float without overflow (ints can be any size)."""
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            raise BadRequest(f"{name}={show(value)} is out of range") from None


def _number(body: Mapping[str, Any], name: str) -> float:
    value = body[name]
    if not _is_number(value):
        raise BadRequest(f"{name} must be a number, got {show(value)}")
    try:
        return float(value)
    except OverflowError:
        raise BadRequest(f"{name}={show(value)} is out of range") from None


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} must be an integer, got {show(value)}")
    return value


def _times(body: Mapping[str, Any], default: int | None, meaning_of_null: str) -> int | None:
    """The ``times`` field: how many calls or tasks, 1 to ``MAX_TIMES``, or ``null``."""
    times = body.get("times", default)
    if times is None:
        return None
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= MAX_TIMES:
        raise BadRequest(
            f"times must be an integer from 1 to {MAX_TIMES:,}, or null ({meaning_of_null}), "
            f"got {show(times)}"
        )
    return times


def _str(body: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = body.get(name, default)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"{name} must be a string, got {show(value)}")
    return value


def _object(body: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise BadRequest(f"{name} must be a JSON object, got {show(value)}")
    return value


def _string_map(body: Mapping[str, Any], name: str) -> dict[str, str] | None:
    value = _object(body, name)
    if value is not None and not all(isinstance(v, str) for v in value.values()):
        raise BadRequest(f"{name} must map strings to strings, got {show(value)}")
    return value


def _exit_code(body: Mapping[str, Any]) -> int | dict[str, int]:
    exit_code = body.get("exit_code", 0)
    if isinstance(exit_code, bool) or not (
        isinstance(exit_code, int)
        or (
            isinstance(exit_code, dict)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in exit_code.values())
        )
    ):
        raise BadRequest(
            f"exit_code must be an integer from 0 to 255 or {{container name: integer}}, "
            f"got {show(exit_code)}"
        )
    return exit_code


def _duration(body: Mapping[str, Any], name: str) -> float | None:
    """A duration field in seconds: a number or text like ``"90m"`` (``null``: none)."""
    value = body.get(name)
    if value is None:
        return None
    if not (_is_number(value) or isinstance(value, str)):
        raise BadRequest(f"{name} must be seconds or text like '90m', got {show(value)}")
    _finite(name, value)
    try:
        return to_duration(value).total_seconds()
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{name}={show(value)}: {exc}") from None


def _timings(body: Mapping[str, Any], top_level: bool) -> dict[str, float]:
    """The lifecycle's timings, in seconds: ``"timings": {"pending": 5}`` (and, with
    ``top_level``, the timing names as fields, as Python's keyword arguments)."""
    nested = _object(body, "timings") or {}
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
        if not _is_number(value) and not isinstance(value, str):
            raise BadRequest(f"timing {name} must be seconds or text like '90m', got {show(value)}")
        seconds[name] = _duration(given, name) or 0.0
    return seconds


def _task_ref(body: Mapping[str, Any]) -> str:
    task = body["task"]
    if isinstance(task, dict):
        task = task.get("taskArn")
    if not isinstance(task, str) or not task.strip():
        raise BadRequest(
            f"task must be a task id, a task ARN or a Task record with its taskArn, "
            f"got {show(body['task'])}"
        )
    return task


def _advance_forms() -> str:
    return (
        f"give one of: timedelta's keywords ({', '.join(ADVANCE_KEYWORDS)}), like "
        '{"minutes": 5} or {"hours": 1, "minutes": 30}; or by: seconds or text like \'90m\', '
        'like {"by": "5m"} or {"by": 300}'
    )


class Control:
    """Answers control API requests for ``fake``; ``log_exception`` records an internal error."""

    def __init__(
        self,
        fake: FakeEcs,
        log_exception: Callable[[], None],
        *,
        reset: Callable[[], None] | None = None,
    ) -> None:
        self.fake = fake
        self._log_exception = log_exception
        #: What ``POST /_ecs_tasks/reset`` calls (the server's reset: fake and time scale).
        self._reset = reset if reset is not None else fake.reset

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        """Answer one control API request: ``(http_status, json_value)``."""
        route = _ROUTES.get(path.rstrip("/") or "/")
        if route is None:
            return 404, {
                "error": f"no such path {show(path)}; the control API has: "
                + ", ".join(f"{m} {p}" for p, (m, _) in _ROUTES.items())
            }
        allowed, handler = route
        if method != allowed:
            return 405, {"error": f"{path} takes {allowed}, not {method}"}
        try:
            if method == "GET":
                data: dict[str, Any] = {}
            else:
                data = json_object(body)
            return 200, handler(self, data)
        except (BadRequest, ClockError, ValueError, TypeError) as exc:
            return 400, {"error": str(exc)}
        except ClientError as exc:
            error = exc.response.get("Error", {})
            return 400, {"error": f"{error.get('Code')}: {error.get('Message')}"}
        except Exception as exc:
            self._log_exception()
            return 500, {"error": f"pytest-ecs-tasks internal error: {type(exc).__name__}: {exc}"}

    # -- the clock ----------------------------------------------------------------------------

    def _clock(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"now": self.fake.clock.now().isoformat()}

    def _advance(self, body: dict[str, Any]) -> dict[str, Any]:
        """The forms of ``Clock.advance``: timedelta's keywords, or ``by`` (seconds or text)."""
        unknown = sorted(set(body) - {"by", *ADVANCE_KEYWORDS})
        if unknown:
            raise BadRequest(f"unknown field {', '.join(map(show, unknown))}; {_advance_forms()}")
        if not body:
            raise BadRequest(f"missing field 'seconds' or another of the forms: {_advance_forms()}")
        if "by" in body:
            if len(body) > 1:
                others = ", ".join(sorted(set(body) - {"by"}))
                raise BadRequest(f"give by or {others}, not both: one form per request")
            by = body["by"]
            if not (_is_number(by) or isinstance(by, str)):
                raise BadRequest(f"by must be seconds or text like '90m', got {show(by)}")
            _finite("by", by)
            try:
                self.fake.clock.advance(by)
            except OverflowError:  # Clock.advance(-1e308) cannot even say it goes back
                raise BadRequest(
                    f"by={show(by)}: the clock only moves forward, by at most 365,000 days"
                ) from None
            except (TypeError, ValueError) as exc:
                # the clock's own words, without its "advance(<by>): " (the field says it)
                message = str(exc).removeprefix(f"advance({by!r}): ")
                raise BadRequest(f"by={show(by)}: {message}") from None
        else:
            for name, value in body.items():
                if not _is_number(value):
                    raise BadRequest(
                        f'{name} must be a number, got {show(value)}; like {{"{name}": 5}}'
                    )
                _finite(name, value)
            self.fake.clock.advance(**body)
        return self._clock(body)

    def _move_to(self, body: dict[str, Any]) -> dict[str, Any]:
        _fields(body, ("when",))
        when = body["when"]
        if isinstance(when, bool) or not isinstance(when, (str, int, float)):
            raise BadRequest(f"when must be ISO 8601 text or epoch seconds, got {show(when)}")
        _finite("when", when)
        try:
            self.fake.clock.move_to(when)
        except (TypeError, ValueError) as exc:
            message = str(exc).removeprefix(f"move_to({when!r}): ")
            raise BadRequest(f"when={show(when)}: {message}") from None
        return self._clock(body)

    # -- tasks ----------------------------------------------------------------------------------

    _RUN_FIELDS = (
        "cluster",
        "task_definition",
        "containers",
        "launch_type",
        "tags",
        "started_by",
        "group",
        "runs_for",
        "exit_code",
        "fail_to_start",
        "capacity_provider",
        "timings",
    )

    def _run_task(self, body: dict[str, Any]) -> dict[str, Any]:
        _fields(body, (), self._RUN_FIELDS)
        containers = body.get("containers")
        if containers is not None and not (
            isinstance(containers, list) and all(isinstance(c, dict) for c in containers)
        ):
            raise BadRequest(f"containers must be a list of JSON objects, got {show(containers)}")
        runs_for = body.get("runs_for")
        if runs_for is not None:
            _number(body, "runs_for")
        exit_code = _exit_code(body)
        timings = _object(body, "timings") or {}
        for name in timings:
            _number(timings, name)
        record = self.fake.run_task(
            _str(body, "cluster", "default") or "default",
            task_definition=_str(body, "task_definition", "app:1") or "app:1",
            containers=containers,
            launch_type=_str(body, "launch_type", "FARGATE") or "FARGATE",
            tags=_string_map(body, "tags"),
            started_by=_str(body, "started_by"),
            group=_str(body, "group"),
            runs_for=runs_for,
            exit_code=exit_code,
            fail_to_start=_str(body, "fail_to_start"),
            capacity_provider=_str(body, "capacity_provider"),
            **timings,
        )
        return model.to_wire(record)  # type: ignore[no-any-return]

    def _plan_runs(self, body: dict[str, Any]) -> dict[str, Any]:
        """``FakeEcs.plan_runs``: how the next tasks RunTask starts end."""
        _fields(body, (), ("runs_for", "exit_code", "fail_to_start", "times", "timings", *TIMINGS))
        runs_for = _duration(body, "runs_for")
        exit_code = _exit_code(body)
        fail_to_start = _str(body, "fail_to_start")
        times = _times(body, None, "every task from now on")
        timings = _timings(body, top_level=True)
        self.fake.plan_runs(
            runs_for=runs_for,
            exit_code=exit_code,
            fail_to_start=fail_to_start,
            times=times,
            **timings,
        )
        return {
            "runs_for": runs_for,
            "exit_code": exit_code,
            "fail_to_start": fail_to_start,
            "times": times,
            "timings": timings,
        }

    def _stop_task(self, body: dict[str, Any]) -> dict[str, Any]:
        """``FakeEcs.stop_task``: stop a task as StopTask does, with any stop code."""
        _fields(body, ("task",), ("cluster", "reason", "stop_code"))
        task = _task_ref(body)
        cluster = _str(body, "cluster", "default")
        reason = _str(body, "reason")
        stop_code = _str(body, "stop_code", "UserInitiated")
        if stop_code not in lifecycle.STOP_CODES:
            raise BadRequest(
                f"stop_code={show(stop_code)}; valid: {', '.join(lifecycle.STOP_CODES)}"
            )
        record = self.fake.stop_task(
            task,
            cluster=cluster if cluster is not None else "default",
            reason=reason,
            stop_code=stop_code,
        )
        return model.to_wire(record)  # type: ignore[no-any-return]

    def _add_task(self, body: dict[str, Any]) -> dict[str, Any]:
        _fields(body, (), ("task", "traits", "cluster"))
        cluster = _str(body, "cluster", "default") or "default"
        task = _object(body, "task")
        traits = check_traits(body.get("traits", []))
        if task is not None:
            if traits:
                raise BadRequest("give a task or traits to build one with, not both")
            unknown = sorted(set(task) - model.members("Task"))
            if unknown:
                raise BadRequest(f"unknown Task member {', '.join(map(show, unknown))}")
            try:
                parsed = model.from_wire("DescribeTasks", {"tasks": [task]})["tasks"][0]
            except Exception as exc:
                raise BadRequest(f"task is not a Task record: {exc}") from None
            record = self.fake.add_task(parsed, cluster=cluster)
        else:
            record = self.fake.add_task(cluster=cluster, **dict.fromkeys(traits, True))
        return model.to_wire(record)  # type: ignore[no-any-return]

    # -- faults, seed, clusters, state, reset -------------------------------------------------

    def _faults(self, body: dict[str, Any]) -> dict[str, Any]:
        _fields(body, ("operation", "code"), ("message", "times"))
        fault = self.fake.fail(
            _str(body, "operation") or "",
            _str(body, "code") or "",
            _str(body, "message"),
            times=_times(body, 1, "every call"),
        )
        return {
            "operation": fault.operation,
            "code": fault.code,
            "message": fault.message,
            "times": fault.times,
        }

    def _seed(self, body: dict[str, Any]) -> dict[str, Any]:
        from .._factories import reseed

        _fields(body, ("seed",))
        seed = _int(body["seed"], "seed")
        reseed(seed)
        return {"seed": seed}

    def _clusters(self, body: dict[str, Any]) -> dict[str, Any]:
        _fields(body, ("name",), ("tags",))
        name = _str(body, "name") or ""
        record = self.fake.create_cluster(name, tags=_string_map(body, "tags"))
        return model.to_wire(record)  # type: ignore[no-any-return]

    def _state(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "now": self.fake.clock.now().isoformat(),
            "region": self.fake.region,
            "account_id": self.fake.account_id,
            "retention_seconds": self.fake.retention.total_seconds(),
            "report": state_report(self.fake),
        }

    def _reset_route(self, body: dict[str, Any]) -> dict[str, Any]:
        _fields(body, ())
        self._reset()
        return self._clock(body)


_Route = tuple[str, Callable[[Control, dict[str, Any]], Any]]
_ROUTES: dict[str, _Route] = {
    "/_ecs_tasks/clock": ("GET", Control._clock),
    "/_ecs_tasks/clock/advance": ("POST", Control._advance),
    "/_ecs_tasks/clock/move_to": ("POST", Control._move_to),
    "/_ecs_tasks/tasks": ("POST", Control._run_task),
    "/_ecs_tasks/tasks/add": ("POST", Control._add_task),
    "/_ecs_tasks/tasks/stop": ("POST", Control._stop_task),
    "/_ecs_tasks/plan_runs": ("POST", Control._plan_runs),
    "/_ecs_tasks/faults": ("POST", Control._faults),
    "/_ecs_tasks/seed": ("POST", Control._seed),
    "/_ecs_tasks/clusters": ("POST", Control._clusters),
    "/_ecs_tasks/state": ("GET", Control._state),
    "/_ecs_tasks/reset": ("POST", Control._reset_route),
}


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


def json_object(body: bytes) -> dict[str, Any]:
    """The JSON object ``body`` holds (empty: ``{}``). ``BadRequest`` for anything else:
    not JSON, ``NaN`` or ``Infinity``, a number too large for a float, or arrays and
    objects nested more than ``MAX_DEPTH`` deep."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body, parse_constant=_constant, parse_float=_float)
    except RecursionError:
        raise BadRequest(
            f"the body nests arrays or objects too deeply: at most {MAX_DEPTH} levels"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest(f"the body must be a JSON object, got {type(data).__name__}")
    if _too_deep(data):
        raise BadRequest(f"the body nests arrays or objects too deeply: at most {MAX_DEPTH} levels")
    return data
