"""The control API of ``ecs-tasks serve``: the fake's clock, tasks, plans, faults and state.

JSON in, JSON out, under ``/_ecs_tasks/`` (documented in ``pytest_ecs_tasks._server``).
A request it cannot act on answers 400 with ``{"error": ...}``; an unknown path 404,
a wrong method 405.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from botocore.exceptions import ClientError

from .. import _lifecycle as lifecycle
from .. import _model as model
from .._clock import ClockError
from .._factories.traits import check_traits
from .._fake import FakeEcs
from .._report import state_report
from .._settings import Source, check, options_of
from . import fields
from .fields import MAX_DEPTH, MAX_TIMES, BadRequest, json_object, show

if TYPE_CHECKING:
    from .._lifecycle import LaunchType, StopCode

__all__ = [
    "ADVANCE_KEYWORDS",
    "MAX_DEPTH",
    "MAX_TIMES",
    "BadRequest",
    "Control",
    "json_object",
    "show",
]

#: ``timedelta``'s keywords: the fields of ``clock/advance``, as ``Clock.advance`` takes them.
ADVANCE_KEYWORDS = ("weeks", "days", "hours", "minutes", "seconds", "milliseconds", "microseconds")

_Handler = TypeVar("_Handler", bound=Callable[..., Any])
#: path -> (method, handler): the routes in the order a 404 lists them.
_ROUTES: dict[str, tuple[str, Callable[..., Any]]] = {}


def _route(method: str, path: str) -> Callable[[_Handler], _Handler]:
    """Serve the decorated ``Control`` method at ``/_ecs_tasks/<path>`` for ``method``."""

    def register(handler: _Handler) -> _Handler:
        _ROUTES[f"/_ecs_tasks/{path}"] = (method, handler)
        return handler

    return register


def _advance_forms() -> str:
    return (
        f"give one of: timedelta's keywords ({', '.join(ADVANCE_KEYWORDS)}), like "
        '{"minutes": 5} or {"hours": 1, "minutes": 30}; or by: seconds or text like \'90m\', '
        'like {"by": "5m"} or {"by": 300}'
    )


#: plan_runs' fields for containers on their own timelines and placement failures.
_OWN_TIMELINE_FIELDS = (
    "unhealthy_after",
    "container_reason",
    "placement_failure",
    "logs",
    "task_definition",
)
#: What ``POST /_ecs_tasks/tasks`` passes to ``run_task`` as JSON gives it (checked there).
_RUN_AS_GIVEN = ("unhealthy_after", "container_reason", "logs")
#: The settings ``POST /_ecs_tasks/settings`` may change while the fake runs.
RUNTIME_SETTINGS = ("retention", "eventual_consistency")
_SEED = Source("POST /_ecs_tasks/seed", surface="serve")
_SETTINGS = Source("POST /_ecs_tasks/settings", surface="serve")
_SETTINGS_FLAG = Source("ecs-tasks serve", "serve", "serve")


def _json_setting(value: object) -> object:
    """A setting as JSON shows it: times as ISO 8601, durations in seconds."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
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

    @_route("GET", "clock")
    def _clock(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"now": self.fake.clock.now().isoformat()}

    @_route("POST", "clock/advance")
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
            if not (fields.is_number(by) or isinstance(by, str)):
                raise BadRequest(f"by must be seconds or text like '90m', got {show(by)}")
            fields.check_range("by", by)
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
                if not fields.is_number(value):
                    raise BadRequest(
                        f'{name} must be a number, got {show(value)}; like {{"{name}": 5}}'
                    )
                fields.check_range(name, value)
            self.fake.clock.advance(**body)
        return self._clock(body)

    @_route("POST", "clock/move_to")
    def _move_to(self, body: dict[str, Any]) -> dict[str, Any]:
        fields.check(body, ("when",))
        when = body["when"]
        if isinstance(when, bool) or not isinstance(when, (str, int, float)):
            raise BadRequest(f"when must be ISO 8601 text or epoch seconds, got {show(when)}")
        fields.check_range("when", when)
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
        *_RUN_AS_GIVEN,
    )

    @_route("POST", "tasks")
    def _run_task(self, body: dict[str, Any]) -> dict[str, Any]:
        fields.check(body, (), self._RUN_FIELDS)
        containers = body.get("containers")
        if containers is not None and not (
            isinstance(containers, list) and all(isinstance(c, dict) for c in containers)
        ):
            raise BadRequest(f"containers must be a list of JSON objects, got {show(containers)}")
        # Durations are checked as plan_runs checks them, then go to run_task as sent:
        # a number of seconds or text like "5m", read as the Python API reads them.
        fields.duration(body, "runs_for")
        exit_code = fields.exit_code(body)
        fields.timings(body, top_level=False)
        record = self.fake.run_task(
            fields.string(body, "cluster", "default") or "default",
            task_definition=fields.string(body, "task_definition", "app:1") or "app:1",
            containers=containers,
            # JSON text: run_task checks it against the launch types, as for any caller
            launch_type=cast("LaunchType", fields.string(body, "launch_type") or "FARGATE"),
            tags=fields.string_map(body, "tags"),
            started_by=fields.string(body, "started_by"),
            group=fields.string(body, "group"),
            runs_for=body.get("runs_for"),
            exit_code=exit_code,
            fail_to_start=fields.string(body, "fail_to_start"),
            capacity_provider=fields.string(body, "capacity_provider"),
            **{name: body[name] for name in _RUN_AS_GIVEN if name in body},
            **(body.get("timings") or {}),
        )
        return model.to_wire(record)  # type: ignore[no-any-return]

    @_route("POST", "tasks/add")
    def _add_task(self, body: dict[str, Any]) -> dict[str, Any]:
        fields.check(body, (), ("task", "traits", "cluster"))
        cluster = fields.string(body, "cluster", "default") or "default"
        task = fields.mapping(body, "task")
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

    @_route("POST", "tasks/stop")
    def _stop_task(self, body: dict[str, Any]) -> dict[str, Any]:
        """``FakeEcs.stop_task``: stop a task as StopTask does, with any stop code."""
        fields.check(body, ("task",), ("cluster", "reason", "stop_code"))
        task = fields.task_ref(body)
        cluster = fields.string(body, "cluster", "default")
        reason = fields.string(body, "reason")
        stop_code = fields.string(body, "stop_code", "UserInitiated")
        if stop_code not in lifecycle.STOP_CODES:
            raise BadRequest(
                f"stop_code={show(stop_code)}; valid: {', '.join(lifecycle.STOP_CODES)}"
            )
        record = self.fake.stop_task(
            task,
            cluster=cluster if cluster is not None else "default",
            reason=reason,
            stop_code=cast("StopCode", stop_code),  # checked by stop_task
        )
        return model.to_wire(record)  # type: ignore[no-any-return]

    @_route("POST", "plan_runs")
    def _plan_runs(self, body: dict[str, Any]) -> dict[str, Any]:
        """``FakeEcs.plan_runs``: how the next tasks RunTask starts end."""
        fields.check(
            body,
            (),
            (
                "runs_for",
                "exit_code",
                "fail_to_start",
                "times",
                "timings",
                *_OWN_TIMELINE_FIELDS,
                *fields.TIMINGS,
            ),
        )
        # runs_for by container ({"sidecar": "2m"}): as given, plan_runs checks it
        runs_for: Any = (
            body["runs_for"]
            if isinstance(body.get("runs_for"), dict)
            else fields.duration(body, "runs_for")
        )
        exit_code = fields.exit_code(body)
        fail_to_start = fields.string(body, "fail_to_start")
        times = fields.times(body, None, "every task from now on")
        timings = fields.timings(body, top_level=True)
        # JSON as given: plan_runs checks these as it checks any caller's
        own = {name: body[name] for name in _OWN_TIMELINE_FIELDS if name in body}
        self.fake.plan_runs(
            runs_for=runs_for,
            exit_code=exit_code,
            fail_to_start=fail_to_start,
            times=times,
            **own,
            **cast("dict[str, Any]", timings),
        )
        return {
            "runs_for": runs_for,
            "exit_code": exit_code,
            "fail_to_start": fail_to_start,
            "times": times,
            "timings": timings,
            **own,
        }

    # -- faults, seed, clusters, state, reset -------------------------------------------------

    @_route("POST", "faults")
    def _faults(self, body: dict[str, Any]) -> dict[str, Any]:
        fields.check(body, ("operation", "code"), ("message", "times"))
        fault = self.fake.fail(
            fields.string(body, "operation") or "",
            fields.string(body, "code") or "",
            fields.string(body, "message"),
            times=fields.times(body, 1, "every call"),
        )
        return {
            "operation": fault.operation,
            "code": fault.code,
            "message": fault.message,
            "times": fault.times,
        }

    @_route("POST", "seed")
    def _seed(self, body: dict[str, Any]) -> dict[str, Any]:
        from .._factories import reseed

        fields.check(body, ("seed",))
        seed: int = check("seed", body["seed"], _SEED)
        reseed(seed)
        return {"seed": seed}

    @_route("POST", "settings")
    def _settings(self, body: dict[str, Any]) -> dict[str, Any]:
        """Change the settings a running fake can change (``retention``,
        ``eventual_consistency``), checked as every surface checks them; answers
        every setting of the served fake (``{}`` only reads them)."""
        changes = {name: check(name, value, _SETTINGS) for name, value in body.items()}
        fixed = sorted(set(changes) - set(RUNTIME_SETTINGS))
        if fixed:
            raise BadRequest(
                f"{', '.join(fixed)}: set when the server starts (ecs-tasks serve "
                f"{' '.join(_SETTINGS_FLAG.spell(n) + ' ...' for n in fixed)}); what can change "
                f"while it runs: {', '.join(RUNTIME_SETTINGS)}"
            )
        for name, value in changes.items():
            setattr(self.fake, name, value)
        settings = self.fake._current_settings()
        return {
            o.name: _json_setting(getattr(settings, o.name))
            for o in options_of("serve")
            if hasattr(settings, o.name)
        }

    @_route("POST", "clusters")
    def _clusters(self, body: dict[str, Any]) -> dict[str, Any]:
        fields.check(body, ("name",), ("tags", "container_instances"))
        name = fields.string(body, "name") or ""
        record = self.fake.create_cluster(
            name,
            tags=fields.string_map(body, "tags"),
            container_instances=body.get("container_instances", 0),  # checked by the fake
        )
        return model.to_wire(record)  # type: ignore[no-any-return]

    # -- events ----------------------------------------------------------------------------

    @_route("GET", "events")
    def _events(self, body: dict[str, Any]) -> dict[str, Any]:
        """``FakeEcs.events``: every event kept, oldest first, as EventBridge delivers them."""
        return {"events": self.fake.events, "total": self.fake._service.feed.events_total}

    @_route("POST", "events/find")
    def _find_events(self, body: dict[str, Any]) -> dict[str, Any]:
        """``FakeEcs.events_of``: the events of one task, of one detail-type, or both."""
        fields.check(body, (), ("task", "detail_type"))
        task = fields.task_ref(body) if "task" in body else None
        return {"events": self.fake.events_of(task, detail_type=fields.string(body, "detail_type"))}

    @_route("GET", "state")
    def _state(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "now": self.fake.clock.now().isoformat(),
            "region": self.fake.region,
            "account_id": self.fake.account_id,
            "retention_seconds": self.fake.retention.total_seconds(),
            "report": state_report(self.fake),
        }

    @_route("POST", "reset")
    def _reset_route(self, body: dict[str, Any]) -> dict[str, Any]:
        fields.check(body, ())
        self._reset()
        return self._clock(body)
