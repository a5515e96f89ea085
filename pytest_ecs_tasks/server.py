"""Serve a :class:`~pytest_ecs_tasks.FakeEcs` over HTTP, with a control API for its clock.

Clients in other processes or languages (the AWS CLI, other SDKs, anything that
takes ``--endpoint-url`` or ``AWS_ENDPOINT_URL_ECS``) talk to the fake as they
would to Amazon ECS::

    with FakeEcs() as fake, EcsServer(fake) as server:
        subprocess.run(["aws", "ecs", "list-clusters", "--endpoint-url", server.url])

From the command line: ``ecs-tasks serve --port 5100``; in pytest: the
``ecs_tasks_server`` fixture (the ``ecs_tasks`` fake, served).

The ECS API
-----------
``POST /`` with ``X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>``
and a JSON body, as every AWS SDK sends it. The region is read from the SigV4
``Authorization`` header's credential scope (unsigned requests: the fake's
region); credentials are not checked. The operations the fake serves
(DescribeTasks, RunTask, StopTask, ListTasks, the cluster and tag operations)
are answered by it; the rest (RegisterTaskDefinition, DescribeTaskDefinition,
...) by moto's ECS in the server's process, exactly as in-process. Errors come
as the service sends them: ``{"__type": code, "message": text}`` with HTTP 400
(500 for server-side errors, 501 for an operation moto does not implement).

The control API
---------------
JSON in, JSON out, under ``/_ecs_tasks/``. Timestamps in records are epoch
seconds (as the service sends them); clock times are ISO 8601 text.

``GET /_ecs_tasks/clock``
    ``{"now": "2024-01-01T12:00:00+00:00"}``
``POST /_ecs_tasks/clock/advance`` ``{"seconds": 300}``
    Moves the clock forward; answers ``{"now": ...}``.
``POST /_ecs_tasks/clock/move_to`` ``{"when": "2024-01-01T13:00:00Z"}``
    Moves the clock forward to ``when`` (ISO 8601 or epoch seconds; never back).
``POST /_ecs_tasks/tasks``
    ``{"cluster": "default", "task_definition": "app:1", "containers": [...],
    "launch_type": "FARGATE", "tags": {"k": "v"}, "started_by": ..., "group": ...,
    "runs_for": 120, "exit_code": 0 or {"app": 1}, "fail_to_start": "reason",
    "capacity_provider": "FARGATE_SPOT", "timings": {"pending": 5}}`` (all
    optional): starts a task as ``FakeEcs.run_task`` does; answers its Task record.
``POST /_ecs_tasks/tasks/add`` ``{"task": {...}, "cluster": "default"}`` or ``{"traits": ["stopped"]}``
    Stores a ready Task record (as the service sends it) or one built by
    ``TaskFactory`` with those traits, as ``FakeEcs.add_task`` does; answers the record.
``POST /_ecs_tasks/faults`` ``{"operation": "DescribeTasks", "code": "ThrottlingException", "message": ..., "times": 1}``
    The next ``times`` calls (``null``: every call) answer with that error, as
    ``FakeEcs.fail`` does; answers the fault.
``POST /_ecs_tasks/seed`` ``{"seed": 42}``
    Reseeds the factories (task ids and other random parts); answers ``{"seed": 42}``.
``POST /_ecs_tasks/clusters`` ``{"name": "jobs", "tags": {"k": "v"}}``
    Creates a cluster (a new incarnation if the name was deleted); answers its record.
``GET /_ecs_tasks/state``
    ``{"now", "region", "account_id", "retention_seconds", "report"}``: the
    fake's state as text, as the pytest report section shows it.

A malformed request (not JSON, a missing or unknown field, a wrong type, the
clock moved back, an unknown trait, ...) answers HTTP 400 ``{"error": "..."}``;
an unknown path 404, a wrong method 405, both with a JSON ``error``.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import socketserver
import threading
import traceback
from collections.abc import Callable, Mapping
from datetime import timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TextIO

from botocore.exceptions import ClientError

from . import model
from .clock import ClockError
from .fake import FakeEcs, state_report

__all__ = ["EcsServer", "check_traits", "task_traits"]

_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
# AWS4-HMAC-SHA256 Credential=AKID/20240101/us-west-2/ecs/aws4_request, SignedHeaders=...
_SCOPE_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/(?P<region>[a-z0-9-]+)/ecs/aws4_request")
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")
_CONTROL = "/_ecs_tasks/"
_JSON = "application/json"
_AMZ_JSON = "application/x-amz-json-1.1"
#: Headers of moto's answers that this server sets itself.
_OWN_HEADERS = frozenset(
    {"server", "date", "content-length", "transfer-encoding", "connection", "status"}
)
#: moto's backends are not built for concurrent requests: one at a time.
_moto_lock = threading.Lock()


class _BadRequest(Exception):
    """A control API request the server cannot act on: HTTP 400 with this message."""


def task_traits() -> tuple[str, ...]:
    """The names of ``TaskFactory``'s traits, in the order it declares them."""
    import factory

    from .factories import TaskFactory

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
        raise _BadRequest(f"missing field {', '.join(map(repr, missing))}")
    unknown = sorted(set(body) - set(required) - set(optional))
    if unknown:
        raise _BadRequest(
            f"unknown field {', '.join(map(repr, unknown))}; the fields are: "
            + ", ".join((*required, *optional))
        )


def _number(body: Mapping[str, Any], name: str) -> float:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _BadRequest(f"{name} must be a number, got {value!r}")
    return float(value)


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _BadRequest(f"{name} must be an integer, got {value!r}")
    return value


def _str(body: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = body.get(name, default)
    if value is not None and not isinstance(value, str):
        raise _BadRequest(f"{name} must be a string, got {value!r}")
    return value


def _object(body: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise _BadRequest(f"{name} must be a JSON object, got {value!r}")
    return value


def _string_map(body: Mapping[str, Any], name: str) -> dict[str, str] | None:
    value = _object(body, name)
    if value is not None and not all(isinstance(v, str) for v in value.values()):
        raise _BadRequest(f"{name} must map strings to strings, got {value!r}")
    return value


# -- the server ----------------------------------------------------------------------------


class _HttpServer(ThreadingHTTPServer):
    """A threaded HTTP server that knows its :class:`EcsServer` and its open connections."""

    daemon_threads = True

    def __init__(self, app: EcsServer, address: tuple[str, int]) -> None:
        self.app = app
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        """Bind, without ``HTTPServer``'s reverse DNS lookup of the host (it can be slow)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host.decode() if isinstance(host, bytes) else str(host)
        self.server_port = int(port)

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        if isinstance(request, socket.socket):
            with self.connections_lock:
                self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        if isinstance(request, socket.socket):
            with self.connections_lock:
                self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake the handler threads waiting on kept-alive connections: they end."""
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class EcsServer:
    """Serve ``fake`` over HTTP on ``host:port`` (port 0: a free port) from a background thread.

    ``start()`` binds the port (``OSError`` if it is taken), starts ``fake`` if it
    is not active yet (and then stops it again in ``stop()``) and serves until
    ``stop()``. Usable as a context manager. See the module's documentation for
    the API it serves.
    """

    def __init__(
        self,
        fake: FakeEcs,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log: TextIO | None = None,
    ) -> None:
        self.fake = fake
        self.host = host
        self.port = port
        self.log = log
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._owns_fake = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "not started"
        return f"<EcsServer {where} {self.fake!r}>"

    @property
    def url(self) -> str:
        """The endpoint URL, like ``http://127.0.0.1:51234`` (once started)."""
        if self._httpd is None:
            raise RuntimeError("the server is not started: call start() first")
        host, port = self._httpd.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    def start(self) -> EcsServer:
        """Bind the port and serve from a background thread."""
        with self._lock:
            if self._httpd is not None:
                raise RuntimeError("this EcsServer is already started; stop() it first")
            httpd = _HttpServer(self, (self.host, self.port))
            try:
                if not self.fake.active:
                    self.fake.start()
                    self._owns_fake = True
            except BaseException:
                httpd.server_close()
                raise
            self._httpd = httpd
            self.port = int(httpd.server_address[1])
            self._thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"EcsServer {self.url}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the connections and the port. Safe to call twice."""
        with self._lock:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
            if httpd is None:
                return
            try:
                httpd.shutdown()
                if thread is not None:
                    thread.join()
                httpd.close_connections()
                httpd.server_close()
            finally:
                if self._owns_fake:
                    self._owns_fake = False
                    self.fake.stop()

    def __enter__(self) -> EcsServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the ECS API ---------------------------------------------------------------------

    def ecs_request(
        self, operation: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one ECS API request: from the fake, or from moto for what the fake leaves."""
        try:
            model.operation_model(operation)
        except Exception:
            return _ecs_error(
                400, "UnknownOperationException", f"ECS has no operation {operation!r}."
            )
        match = _SCOPE_REGION.search(headers.get("Authorization", ""))
        region = match["region"] if match and _REGION.match(match["region"]) else self.fake.region
        answer = self.fake.service.dispatch(region, operation, body)
        if answer is not None:
            return answer
        return self._moto(region, operation, headers, body)

    def _moto(
        self, region: str, operation: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Hand the request to moto's ECS in this process, as an in-process client would."""
        from botocore.awsrequest import AWSRequest
        from moto.core.botocore_stubber import BotocoreStubber
        from moto.core.models import botocore_stubber

        request = AWSRequest(
            method="POST",
            url=f"https://ecs.{region}.amazonaws.com/",
            headers={k: v for k, v in headers.items() if k.lower() != "host"},
            data=body,
        ).prepare()
        try:
            with _moto_lock:
                # moto's own method, not the wrapper the fake installs on the stubber: the
                # fake has had its say already.
                answer = BotocoreStubber.process_request(botocore_stubber, request)
        except NotImplementedError as exc:
            return _ecs_error(501, "NotImplementedException", f"moto: {exc}")
        except Exception as exc:
            self._log_exception()
            return _ecs_error(500, "ServerException", f"moto: {type(exc).__name__}: {exc}")
        if answer is None:
            return _ecs_error(
                501, "NotImplementedException", f"moto does not answer ECS {operation}."
            )
        status, moto_headers, moto_body = answer
        out = {k: str(v) for k, v in moto_headers.items() if k.lower() not in _OWN_HEADERS}
        data = moto_body.encode("utf-8") if isinstance(moto_body, str) else bytes(moto_body)
        return int(status), out, data

    # -- the control API -------------------------------------------------------------------

    def control(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
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
                data = _json_object(body)
            return 200, handler(self, data)
        except (_BadRequest, ClockError, ValueError, TypeError) as exc:
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
            raise _BadRequest(f"when must be ISO 8601 text or epoch seconds, got {when!r}")
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
            raise _BadRequest(f"containers must be a list of JSON objects, got {containers!r}")
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
            raise _BadRequest(
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
                raise _BadRequest("give a task or traits to build one with, not both")
            unknown = sorted(set(task) - model.members("Task"))
            if unknown:
                raise _BadRequest(f"unknown Task member {', '.join(map(repr, unknown))}")
            try:
                parsed = model.from_wire("DescribeTasks", {"tasks": [task]})["tasks"][0]
            except Exception as exc:
                raise _BadRequest(f"task is not a Task record: {exc}") from None
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
        from .factories import reseed

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

    # -- logging ------------------------------------------------------------------------

    def log_line(self, line: str) -> None:
        if self.log is not None:
            self.log.write(line + "\n")
            self.log.flush()

    def _log_exception(self) -> None:
        if self.log is not None:
            self.log.write(traceback.format_exc())
            self.log.flush()


_Route = tuple[str, Callable[[EcsServer, dict[str, Any]], Any]]
_ROUTES: dict[str, _Route] = {
    "/_ecs_tasks/clock": ("GET", EcsServer._clock),
    "/_ecs_tasks/clock/advance": ("POST", EcsServer._advance),
    "/_ecs_tasks/clock/move_to": ("POST", EcsServer._move_to),
    "/_ecs_tasks/tasks": ("POST", EcsServer._run_task),
    "/_ecs_tasks/tasks/add": ("POST", EcsServer._add_task),
    "/_ecs_tasks/faults": ("POST", EcsServer._faults),
    "/_ecs_tasks/seed": ("POST", EcsServer._seed),
    "/_ecs_tasks/clusters": ("POST", EcsServer._clusters),
    "/_ecs_tasks/state": ("GET", EcsServer._state),
}


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _BadRequest(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _BadRequest(f"the body must be a JSON object, got {type(data).__name__}")
    return data


def _ecs_error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": _AMZ_JSON}, model.dumps({"__type": code, "message": message})


class _Handler(BaseHTTPRequestHandler):
    """One connection: ECS API requests and control API requests."""

    server: _HttpServer
    protocol_version = "HTTP/1.1"
    server_version = "pytest-ecs-tasks"
    timeout = 120  # an idle kept-alive connection closes after this

    @property
    def app(self) -> EcsServer:
        return self.server.app

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        path = self.path.split("?", 1)[0]
        if path.startswith(_CONTROL):
            self._control("POST", path, body)
            return
        target = self.headers.get("X-Amz-Target", "")
        if not target.startswith(_TARGET_PREFIX):
            what = f"X-Amz-Target {target!r}" if target else "no X-Amz-Target header"
            self._send(
                *_ecs_error(
                    400,
                    "UnknownOperationException",
                    f"This is a fake Amazon ECS endpoint; the request has {what}.",
                )
            )
            return
        headers = {k: v for k, v in self.headers.items()}
        try:
            answer = self.app.ecs_request(target[len(_TARGET_PREFIX) :], headers, body)
        except Exception as exc:
            self.app._log_exception()
            answer = _ecs_error(
                500,
                "ServerException",
                f"pytest-ecs-tasks internal error: {type(exc).__name__}: {exc}",
            )
        self._send(*answer)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if self._body() is None:
            return
        self._control("GET", path, b"")

    def do_PUT(self) -> None:
        self._other()

    def do_DELETE(self) -> None:
        self._other()

    def do_PATCH(self) -> None:
        self._other()

    def _other(self) -> None:
        if self._body() is None:
            return
        self._control(self.command, self.path.split("?", 1)[0], b"")

    def _control(self, method: str, path: str, body: bytes) -> None:
        status, value = self.app.control(method, path, body)
        self._send(status, {"Content-Type": _JSON}, json.dumps(value).encode())

    def _body(self) -> bytes | None:
        """The request body (``None``: an error was answered and the connection closes)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.send_error(411, "send the body with a Content-Length, not chunked")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.send_error(400, "bad Content-Length header")
            return None
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the HTTP layer answers (bad request line, ...) as JSON too."""
        self.close_connection = True
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "error"
        body = json.dumps({"error": message or phrase}).encode()
        self._send(code, {"Content-Type": _JSON}, body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        target = self.headers.get("X-Amz-Target", "") if self.headers else ""
        operation = target[len(_TARGET_PREFIX) :] if target.startswith(_TARGET_PREFIX) else ""
        code = code.value if isinstance(code, HTTPStatus) else code
        self.log_message('"%s" %s %s', self.requestline, code, operation or "-")

    def log_message(self, format: str, *args: Any) -> None:
        self.app.log_line(f"{self.address_string()} - {format % args}")
