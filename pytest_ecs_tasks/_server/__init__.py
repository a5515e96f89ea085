"""Serve a ``FakeEcs`` over HTTP, with a control API for its clock.

Clients in other processes or languages (the AWS CLI, other SDKs, anything that
takes ``--endpoint-url`` or ``AWS_ENDPOINT_URL_ECS``) talk to the fake as they
would to Amazon ECS:

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

The same endpoint answers CloudWatch Logs (``X-Amz-Target: Logs_20140328.*``),
EventBridge (``AWSEvents.*``) and SQS (``AmazonSQS.*``, the JSON protocol of
botocore 1.31 and later) from moto in the server's process, after the fake has
written what its timeline owes by then: so a client in another process reads the
tasks' container lines, and the events its rules deliver to SQS, pointed at the
server (``--endpoint-url``, or ``AWS_ENDPOINT_URL_LOGS`` / ``_EVENTS`` / ``_SQS``).

The control API
---------------
JSON in, JSON out, under ``/_ecs_tasks/``. Timestamps in records are epoch
seconds (as the service sends them); clock times are ISO 8601 text.

``GET /_ecs_tasks/clock``
    ``{"now": "2024-01-01T12:00:00+00:00"}``
``POST /_ecs_tasks/clock/advance`` ``{"minutes": 5}`` or ``{"by": "5m"}``
    Moves the clock forward, in the forms ``Clock.advance`` takes: ``timedelta``'s
    keywords (``weeks``, ``days``, ``hours``, ``minutes``, ``seconds``,
    ``milliseconds``, ``microseconds``; several add up: ``{"hours": 1, "minutes":
    30}``), or ``by``: seconds or text like ``"90m"``, ``"2h"``, ``"250ms"``. One
    form per request. Answers ``{"now": ...}``.
``POST /_ecs_tasks/clock/move_to`` ``{"when": "2024-01-01T13:00:00Z"}``
    Moves the clock forward to ``when`` (ISO 8601 or epoch seconds; never back).
    The clock never passes ``5000-01-01T00:00:00Z`` (task timelines and retention
    are added to its time): a move past it answers 400 and changes nothing.
``POST /_ecs_tasks/plan_runs``
    ``{"runs_for": 300, "exit_code": 3, "fail_to_start": "reason", "times": 1,
    "timings": {"pending": 5}}`` (all optional): the next ``times`` tasks RunTask
    starts (``null``, the default: every one from now on) follow this plan instead
    of running until stopped, as ``FakeEcs.plan_runs`` does; timings may also be
    given as fields of their own (``"pending": 5``), as in Python. Durations are
    seconds or text like ``"5m"``. Answers the plan as checked, durations in
    seconds: ``{"runs_for": 300.0, "exit_code": 3, "fail_to_start": null,
    "times": 1, "timings": {"pending": 5.0}}``. ``unhealthy_after``,
    ``container_reason``, ``placement_failure`` and ``logs`` (``{"app": ["line",
    ...]}`` or ``{"app": [[0, "line"], [10, "later"]]}``: lines at offsets in
    seconds) are taken as ``FakeEcs.plan_runs`` takes them, and answered as given.
``POST /_ecs_tasks/tasks``
    ``{"cluster": "default", "task_definition": "app:1", "containers": [...],
    "launch_type": "FARGATE", "tags": {"k": "v"}, "started_by": ..., "group": ...,
    "runs_for": 120, "exit_code": 0 or {"app": 1}, "fail_to_start": "reason",
    "capacity_provider": "FARGATE_SPOT", "timings": {"pending": 5},
    "unhealthy_after": {"app": 120}, "container_reason": {"app": "..."},
    "logs": {"app": ["line"]}}`` (all optional): starts a task as
    ``FakeEcs.run_task`` does; answers its Task record.
``POST /_ecs_tasks/tasks/add`` ``{"task": {...}, "cluster": "default"}`` or ``{"traits": ["stopped"]}``
    Stores a ready Task record (as the service sends it) or one built by
    ``TaskFactory`` with those traits, as ``FakeEcs.add_task`` does; answers the record.
``POST /_ecs_tasks/tasks/stop`` ``{"task": "<id or ARN>", "cluster": "default", "reason": ..., "stop_code": "UserInitiated"}``
    Stops a task as ``FakeEcs.stop_task`` does (any stop code the service uses,
    like ``SpotInterruption``); answers its Task record. ``task`` may also be a
    Task record (its ``taskArn`` is used).
``GET /_ecs_tasks/events``
    ``{"events": [...], "total": 12}``: the events the tasks' timelines produced,
    oldest first, as ``FakeEcs.events`` keeps them (``total``: every one emitted).
``POST /_ecs_tasks/events/find`` ``{"task": "<id or ARN>", "detail_type": "ECS Task State Change"}``
    The events of one task, of one detail-type, or both (each optional), as
    ``FakeEcs.events_of`` finds them: ``{"events": [...]}``.
``POST /_ecs_tasks/faults`` ``{"operation": "DescribeTasks", "code": "ThrottlingException", "message": ..., "times": 1}``
    The next ``times`` calls (``null``: every call) answer with that error, as
    ``FakeEcs.fail`` does; answers the fault.
``POST /_ecs_tasks/seed`` ``{"seed": 42}``
    Reseeds the factories (task ids and other random parts); answers ``{"seed": 42}``.
``POST /_ecs_tasks/settings`` ``{}`` or ``{"retention": "90m", "eventual_consistency": 2}``
    Changes the settings a running fake can change, checked as every surface
    checks them; answers every setting (times ISO 8601, durations in seconds).
``POST /_ecs_tasks/clusters`` ``{"name": "jobs", "tags": {"k": "v"}}``
    Creates a cluster (a new incarnation if the name was deleted); answers its record.
``GET /_ecs_tasks/state``
    ``{"now", "region", "account_id", "retention_seconds", "report"}``: the
    fake's state as text, as the pytest report section shows it.
``POST /_ecs_tasks/reset`` ``{}`` (or no body)
    Back to a fresh fake with the same settings, as ``FakeEcs.reset`` does: no
    clusters, tasks, faults, plans or calls, moto's ECS state (task definitions,
    services, ...) cleared, the clock at its start (with ``time_scale``, running on
    from there). Answers ``{"now": ...}``.

A malformed request (not JSON, a missing or unknown field, a wrong type, the
clock moved back or past year 5000, an unknown trait, ...) answers HTTP 400
``{"error": "..."}`` naming the field, the value and what is valid; so do numbers
out of range (``NaN``, ``Infinity``, ``1e400``, a ``times`` over 2,147,483,647, a
duration over 365,000 days) and bodies that nest arrays or objects more than 32
levels deep. An unknown path answers 404 (listing the paths), a wrong method 405,
both with a JSON ``error``.

Cross-site guards, the token
----------------------------
The server is made for tests on one machine; it refuses what a web page in a browser
there could send it (cross-site request forgery, DNS rebinding), and changes nothing
when it does:

- Bound to a loopback address (the default), it answers only requests whose ``Host``
  names it: ``127.0.0.1:<port>``, ``localhost:<port>`` or ``[::1]:<port>`` (without a
  port only on port 80). Any other ``Host`` answers 403 ``{"error": ...}`` saying what
  it expects, on the ECS API too. An HTTP/1.1 request without ``Host`` answers 400
  (HTTP/1.0 may leave it out).
- The control API refuses a request with an ``Origin`` other than the server's own
  (``http://`` and an address it answers to; ``null`` too): 403; and a POST whose
  ``Content-Type`` is not ``application/json`` (``; charset=utf-8`` may follow), even
  one with an empty body: 415.
- When the server has a token (``EcsServer(token=...)``, ``serve --token``; made up
  and printed at start-up when bound to an address that is not loopback), every
  control API request sends ``Authorization: Bearer <token>``; without it, or with
  another, it answers 401 (with ``WWW-Authenticate: Bearer``). The ECS API needs no
  token: SDKs cannot send one.

HTTP limits
-----------
Responses go out in one write on connections with ``TCP_NODELAY``; kept-alive
connections (what SDKs use) close after 120 idle seconds. A request HTTP itself
cannot take answers ``{"error": ...}`` and closes its connection: a request line
over 65,536 bytes (414); more than 100 headers or a header line over 65,536 bytes
(431); no HTTP version or a malformed one (400); HTTP/2 or later (505: the server
speaks HTTP/1.1 and 1.0); a ``Content-Length`` that is not a number of bytes (400);
a body over 10 MiB (413, ``pytest_ecs_tasks._server.handler.MAX_BODY_BYTES``, refused
from the headers, before the body is read); a chunked body (411: send a
``Content-Length``); a method other than GET, POST, PUT, DELETE and PATCH (501).
The log (``EcsServer(log=...)``, ``serve`` without ``--quiet``) shows control
characters from requests as ``\\x1b``, never raw.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
import time
import traceback
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TextIO

from .._clock import LATEST
from .._fake import FakeEcs
from .._settings import MAX_TIME_SCALE, Source, check
from .._started import StartStop
from .control import Control
from .ecs_endpoint import EcsEndpoint
from .handler import HttpServer

__all__ = ["MAX_TIME_SCALE", "EcsServer", "is_loopback"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine's loopback."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_SOURCE = Source("EcsServer()", surface="serve")


class EcsServer(StartStop):
    """Serve ``fake`` over HTTP on ``host:port`` (port 0: a free port) from a background thread.

    ``start()`` binds the port (``OSError`` if it is taken), starts ``fake`` if it
    is not active yet (and then stops it again in ``stop()``) and serves until
    ``stop()``. Usable as a context manager.

    At ``url`` it answers the ECS API as every AWS SDK and the AWS CLI send it
    (``--endpoint-url``, ``AWS_ENDPOINT_URL_ECS``): the fake's operations from the
    fake, the rest from moto, and CloudWatch Logs, EventBridge and SQS requests
    from moto too. Under ``/_ecs_tasks/`` it serves a JSON control API: move the
    clock, run and plan tasks, inject faults, read calls and events (the docs'
    out-of-process page lists every route). ``token``: what the control API
    requires as ``Authorization: Bearer <token>``; one is made up when ``host`` is
    not a loopback address. ``time_scale``: the clock runs at that many virtual
    seconds per wall second (0: it moves only when told). ``log``: where requests
    are logged (``None``: nowhere).
    """

    def __init__(
        self,
        fake: FakeEcs,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log: TextIO | None = None,
        token: str | None = None,
        time_scale: float = 0.0,
    ) -> None:
        self.fake: FakeEcs = fake
        """The fake it serves."""
        self.host: str = host
        """The address it binds."""
        self.port: int = port
        """The port: the one bound once started (port 0 picks a free one)."""
        self.log: TextIO | None = log
        """Where requests are logged (``None``: nowhere)."""
        self.time_scale: float = check("time_scale", time_scale, _SOURCE)
        """Virtual seconds per wall second the clock runs at (0: it moves only when told)."""
        if token is not None:
            token = check("token", token, _SOURCE)
        self.token: str | None = (
            token if token is not None or is_loopback(host) else secrets.token_urlsafe(24)
        )
        """What the control API requires in ``Authorization: Bearer <token>`` (``None``:
        nothing); made up when ``host`` is not a loopback address."""
        self._httpd: HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._owns_fake = False
        self._lock = threading.Lock()
        self._endpoint = EcsEndpoint(fake, self._log_exception)
        self._control = Control(fake, self._log_exception, reset=self.reset)
        self._scale_lock = threading.Lock()
        self._scale_origin: tuple[float, datetime] | None = None  # (monotonic, clock) at start

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
            httpd = HttpServer(self, (self.host, self.port))
            try:
                if not self.fake.active:
                    self.fake.start()
                    self._owns_fake = True
            except BaseException:
                httpd.server_close()
                raise
            self._httpd = httpd
            self.port = int(httpd.server_address[1])
            self._scale_origin = (time.monotonic(), self.fake.clock.now())
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

    # -- the two APIs ----------------------------------------------------------------------

    def reset(self) -> None:
        """Back to a fresh fake with the same settings (``FakeEcs.reset``); with a
        ``time_scale``, the clock runs on from its start, as from a fresh server."""
        with self._scale_lock:
            self.fake.reset()
            if self._scale_origin is not None:
                self._scale_origin = (time.monotonic(), self.fake.clock.now())

    def _catch_up(self) -> None:
        """With a ``time_scale``, move the clock to where it runs by now: ``time_scale``
        virtual seconds per wall second since the server started (never backwards: a
        clock moved ahead through the control API stays until the scale catches up)."""
        origin = self._scale_origin
        if not self.time_scale or origin is None:
            return
        started, at = origin
        with self._scale_lock:
            target = at + timedelta(seconds=(time.monotonic() - started) * self.time_scale)
            target = min(target, LATEST)
            if target > self.fake.clock.now():
                self.fake.clock.move_to(target)

    def _other_request(
        self, service: str, operation: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one request to CloudWatch Logs, EventBridge or SQS, from moto."""
        return self._endpoint.other_service(service, operation, headers, body)

    def _ecs_request(
        self, operation: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one ECS API request: from the fake, or from moto for what the fake leaves."""
        return self._endpoint.handle(operation, headers, body)

    def _control_request(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        """Answer one control API request: ``(http_status, json_value)``."""
        return self._control.handle(method, path, body)

    # -- logging ------------------------------------------------------------------------

    def _log_line(self, line: str) -> None:
        if self.log is not None:
            self.log.write(line + "\n")
            self.log.flush()

    def _log_exception(self) -> None:
        if self.log is not None:
            self.log.write(traceback.format_exc())
            self.log.flush()
