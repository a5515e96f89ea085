"""The control API of ``ecs-tasks serve``: the fake's clock, tasks, faults and state.

JSON in, JSON out, under ``/_ecs_tasks/`` (documented in :mod:`pytest_ecs_tasks.server`).
A request it cannot act on answers 400 with ``{"error": ...}``; an unknown path 404,
a wrong method 405.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from .. import model
from ..clock import ClockError
from ..fake import FakeEcs, state_report

__all__ = ["BadRequest", "Control", "check_traits", "json_object", "task_traits"]


class BadRequest(Exception):
    """A control API request the server cannot act on: HTTP 400 with this message."""


def task_traits() -> tuple[str, ...]:
    """The names of ``TaskFactory``'s traits, in the order it declares them."""
    import factory

    from ..factories import TaskFactory

    return tuple(
        name
        for name, declaration in TaskFactory._meta.parameters.items()
        if isinstance(declaration, factory.Trait)
    )


def check_traits(traits: object) -> list[str]:
    """``traits`` as a list of trait names; ``ValueError`` names the valid ones."""
    if not isinstance(traits, list) or not all(isinstance(t, str) for t in traits):
        raise ValueError(f"traits must be a list of trait names, got {traits!r}")
    valid = task_traits()
    unknown = [t for t in traits if t not in valid]
    if unknown:
        raise ValueError(
            f"unknown trait{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"valid traits: {', '.join(valid)}"
        )
    return traits


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
            f"unknown field {', '.join(map(repr, unknown))}; the fields are: "
            + ", ".join((*required, *optional))
        )


def _number(body: Mapping[str, Any], name: str) -> float:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(f"{name} must be a number, got {value!r}")
    return float(value)


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} must be an integer, got {value!r}")
    return value


def _str(body: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = body.get(name, default)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"{name} must be a string, got {value!r}")
    return value


def _object(body: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise BadRequest(f"{name} must be a JSON object, got {value!r}")
    return value


def _string_map(body: Mapping[str, Any], name: str) -> dict[str, str] | None:
    value = _object(body, name)
    if value is not None and not all(isinstance(v, str) for v in value.values()):
        raise BadRequest(f"{name} must map strings to strings, got {value!r}")
    return value


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
                "error": f"no such path {path!r}; the control API has: "
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

    def _clock(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"now": self.fake.clock.now().isoformat()}

    def _advance(self, body: dict[str, Any]) -> dict[str, Any]:
        _fields(body, ("seconds",))
        self.fake.clock.advance(timedelta(seconds=_number(body, "seconds")))
        return self._clock(body)

    def _move_to(self, body: dict[str, Any]) -> dict[str, Any]:
        _fields(body, ("when",))
        when = body["when"]
        if isinstance(when, bool) or not isinstance(when, (str, int, float)):
            raise BadRequest(f"when must be ISO 8601 text or epoch seconds, got {when!r}")
        self.fake.clock.move_to(when)
        return self._clock(body)

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
            raise BadRequest(f"containers must be a list of JSON objects, got {containers!r}")
        runs_for = body.get("runs_for")
        if runs_for is not None:
            _number(body, "runs_for")
        exit_code = body.get("exit_code", 0)
        if isinstance(exit_code, bool) or not (
            isinstance(exit_code, int)
            or (
                isinstance(exit_code, dict)
                and all(isinstance(v, int) and not isinstance(v, bool) for v in exit_code.values())
            )
        ):
            raise BadRequest(
                f"exit_code must be an integer or {{container name: integer}}, got {exit_code!r}"
            )
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
                raise BadRequest(f"unknown Task member {', '.join(map(repr, unknown))}")
            try:
                parsed = model.from_wire("DescribeTasks", {"tasks": [task]})["tasks"][0]
            except Exception as exc:
                raise BadRequest(f"task is not a Task record: {exc}") from None
            record = self.fake.add_task(parsed, cluster=cluster)
        else:
            record = self.fake.add_task(cluster=cluster, **dict.fromkeys(traits, True))
        return model.to_wire(record)  # type: ignore[no-any-return]

    def _faults(self, body: dict[str, Any]) -> dict[str, Any]:
        _fields(body, ("operation", "code"), ("message", "times"))
        times = body.get("times", 1)
        if times is not None:
            times = _int(times, "times")
        fault = self.fake.fail(
            _str(body, "operation") or "",
            _str(body, "code") or "",
            _str(body, "message"),
            times=times,
        )
        return {
            "operation": fault.operation,
            "code": fault.code,
            "message": fault.message,
            "times": fault.times,
        }

    def _seed(self, body: dict[str, Any]) -> dict[str, Any]:
        from ..factories import reseed

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


_Route = tuple[str, Callable[[Control, dict[str, Any]], Any]]
_ROUTES: dict[str, _Route] = {
    "/_ecs_tasks/clock": ("GET", Control._clock),
    "/_ecs_tasks/clock/advance": ("POST", Control._advance),
    "/_ecs_tasks/clock/move_to": ("POST", Control._move_to),
    "/_ecs_tasks/tasks": ("POST", Control._run_task),
    "/_ecs_tasks/tasks/add": ("POST", Control._add_task),
    "/_ecs_tasks/faults": ("POST", Control._faults),
    "/_ecs_tasks/seed": ("POST", Control._seed),
    "/_ecs_tasks/clusters": ("POST", Control._clusters),
    "/_ecs_tasks/state": ("GET", Control._state),
}


def json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest(f"the body must be a JSON object, got {type(data).__name__}")
    return data
