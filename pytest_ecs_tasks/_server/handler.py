"""HTTP for ``ecs-tasks serve``: connections, requests, answers, the log.

Each request goes to the ECS endpoint or the control API of its ``EcsServer``.

- Every answer goes out in one write on a connection with ``TCP_NODELAY``: a
  kept-alive connection never waits on the Nagle algorithm and delayed ACKs.
- Every request the HTTP layer cannot take (a request line over
  ``MAX_REQUEST_LINE`` bytes: 414; too many or too long headers: 431; no or
  a bad HTTP version: 400, HTTP/2 and later: 505; a bad ``Content-Length``: 400;
  a body over ``MAX_BODY_BYTES``: 413; a chunked body: 411; an unknown
  method: 501) answers ``{"error": ...}`` and closes the connection.
- Cross-site guards (documented in ``pytest_ecs_tasks._server``): the ``Host``
  of every request to a loopback-bound server, and for the control API the
  ``Origin``, the bearer token and the ``Content-Type`` of a POST.
- Logged text escapes control characters (``\\x1b``), so nothing a client sends
  can drive the terminal the log is shown on.
"""

from __future__ import annotations

import contextlib
import email.message
import hmac
import ipaddress
import json
import re
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from .ecs_endpoint import OTHER_SERVICES, TARGET_PREFIX, ecs_error

if TYPE_CHECKING:
    from . import EcsServer

__all__ = ["MAX_BODY_BYTES", "MAX_REQUEST_LINE", "Handler", "HttpServer", "escape"]

#: The largest request body the server reads (a larger ``Content-Length``: 413).
MAX_BODY_BYTES = 10 * 1024 * 1024
#: The longest request line (method, path, version), in bytes (longer: 414).
MAX_REQUEST_LINE = 65536
#: Connections the kernel queues before they are accepted (``listen()``'s backlog).
LISTEN_BACKLOG = 1024

_CONTROL = "/_ecs_tasks/"
_JSON = "application/json"
_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH"})
# RFC 9110 5.6.2: a method is a token
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_VERSION = re.compile(r"HTTP/(\d{1,9})\.(\d{1,9})")
_DIGITS = re.compile(r"[0-9]{1,19}")
# host (a name, an IPv4 address or a bracketed IPv6 address) and an optional port
_AUTHORITY = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^\[\]:/@\s]+)(?::(?P<port>[0-9]{1,5}))?")
_BEARER = re.compile(r"Bearer +(?P<token>\S+) *", re.IGNORECASE)
# Headers of an answer that this layer writes itself.
_OWN_HEADERS = frozenset({"content-length", "connection", "server", "date"})
# After an answer refusing a request that was not read to its end: how long (and how
# much) to read what the client still sends before closing, so the close does not
# reset the connection (a reset can destroy the answer before the client reads it).
_LINGER_SECONDS = 1.0
_LINGER_BYTES = 4 * 1024 * 1024

_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_ESCAPES[ord("\\")] = "\\\\"


def escape(text: str) -> str:
    """``text`` with control characters (C0, DEL, C1) as ``\\xNN`` and ``\\`` doubled."""
    return text.translate(_ESCAPES)


def _clean(text: str) -> str:
    """A header name or value without line breaks (they would split the answer)."""
    return text.replace("\r", " ").replace("\n", " ")


def _loopback_host(host: str) -> bool:
    """Whether ``host`` (from a Host or Origin header: a name, an IPv4 address or a
    bracketed IPv6 address) names this machine's loopback."""
    if host.lower() == "localhost":
        return True
    try:
        if host.startswith("["):
            address: ipaddress.IPv4Address | ipaddress.IPv6Address
            address = ipaddress.IPv6Address(host[1:-1])
        else:
            address = ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return address.is_loopback


class HttpServer(ThreadingHTTPServer):
    """A threaded HTTP server that knows its ``EcsServer`` and its open connections."""

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG  # bursts of connections (the default is 5)

    def __init__(self, app: EcsServer, address: tuple[str, int]) -> None:
        self.app = app
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        """Bind, without ``HTTPServer``'s reverse DNS lookup of the host (it can be slow)."""
        from . import is_loopback

        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host.decode() if isinstance(host, bytes) else str(host)
        self.server_port = int(port)
        #: Bound to a loopback address: requests must name it in their Host header.
        self.loopback = is_loopback(self.server_name)

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

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        """A connection's handler failed: a client gone away is no error; the rest is a
        bug, logged to the server's log (never to stderr, never to the client)."""
        if not isinstance(sys.exc_info()[1], OSError):
            self.app._log_exception()

    def close_connections(self) -> None:
        """Wake the handler threads waiting on kept-alive connections: they end."""
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    """One connection: ECS API requests and control API requests."""

    server: HttpServer
    protocol_version = "HTTP/1.1"
    server_version = "pytest-ecs-tasks"
    timeout = 120  # an idle kept-alive connection closes after this
    # TCP_NODELAY on every accepted connection (StreamRequestHandler.setup sets it)
    disable_nagle_algorithm = True

    _answered = False  # this request has its answer
    _linger = False  # input may be left unread: read it before closing

    @property
    def app(self) -> EcsServer:
        return self.server.app

    # -- one request ---------------------------------------------------------------------

    def handle_one_request(self) -> None:
        """Read one request and answer it; no failure escapes (nor reaches the log as a
        traceback) but a bug in this server's own code."""
        self.command = ""
        self.path = ""
        self.requestline = ""
        self.request_version = self.default_request_version
        self.headers = email.message.Message()
        self._answered = False
        try:
            self._one_request()
        except OSError:  # the client went away, or timed out: nothing to answer
            self.close_connection = True
        except Exception as exc:
            self.close_connection = True
            self.app._log_exception()
            if not self._answered:
                with contextlib.suppress(OSError):
                    self.send_error(500, f"pytest-ecs-tasks internal error: {type(exc).__name__}")

    def _one_request(self) -> None:
        line = self.rfile.readline(MAX_REQUEST_LINE + 1)
        for _ in range(8):  # RFC 9112 2.2: empty lines before a request line are ignored
            if line not in (b"\r\n", b"\n"):
                break
            line = self.rfile.readline(MAX_REQUEST_LINE + 1)
        if not line:
            self.close_connection = True
            return
        self.raw_requestline = line
        if len(line) > MAX_REQUEST_LINE:
            self.requestline = str(line[:200], "iso-8859-1") + "..."
            self.send_error(414, f"the request line is longer than {MAX_REQUEST_LINE} bytes")
            return
        self.requestline = str(line, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3 or not _TOKEN.fullmatch(words[0]):
            shown = self.requestline[:200] + ("..." if len(self.requestline) > 200 else "")
            self.send_error(400, f"bad request line {shown!r}: send 'METHOD /path HTTP/1.1'")
            return
        version = _VERSION.fullmatch(words[2])
        if version is None:
            self.send_error(400, f"bad HTTP version {words[2]!r}: send HTTP/1.1")
            return
        if int(version[1]) != 1:
            self.send_error(505, f"{words[2]} is not supported: send HTTP/1.1 (or HTTP/1.0)")
            return
        if not self.parse_request():
            if not self._answered:
                self.send_error(400, "bad request")
            return
        if self.command not in _METHODS:
            self.send_error(501, f"method {self.command!r} is not supported")
            return
        self._route()

    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue``: refuse a body too large before the client sends it."""
        if self._body_length() is None:
            return False
        self.wfile.write(f"{self.protocol_version} 100 Continue\r\n\r\n".encode())
        return True

    def _route(self) -> None:
        body = self._body()
        if body is None:
            return
        refusal = self._host_refusal()
        if refusal is not None:
            status, message = refusal
            if status == 400:  # no or several Host headers: not HTTP/1.1
                self.send_error(status, message)
            else:
                self._refuse(status, message)
            return
        path = self.path.split("?", 1)[0]
        if path.startswith(_CONTROL) or self.command != "POST":
            self._control(path, body)
        else:
            self._ecs(body)

    def _ecs(self, body: bytes) -> None:
        self.app._catch_up()
        target = self.headers.get("X-Amz-Target", "")
        prefix, _, operation = target.partition(".")
        service = "ecs" if target.startswith(TARGET_PREFIX) else OTHER_SERVICES.get(prefix + ".")
        if service is None or not operation:
            what = f"X-Amz-Target {target!r}" if target else "no X-Amz-Target header"
            self._send(
                *ecs_error(
                    400,
                    "UnknownOperationException",
                    f"This is a fake Amazon ECS endpoint (with CloudWatch Logs, EventBridge and "
                    f"SQS through moto); the request has {what}.",
                )
            )
            return
        headers = {k: v for k, v in self.headers.items()}
        try:
            if service == "ecs":
                answer = self.app._ecs_request(operation, headers, body)
            else:
                answer = self.app._other_request(service, operation, headers, body)
        except Exception as exc:
            self.app._log_exception()
            answer = ecs_error(
                500,
                "ServerException",
                f"pytest-ecs-tasks internal error: {type(exc).__name__}: {exc}",
            )
        self._send(*answer)

    def _control(self, path: str, body: bytes) -> None:
        refusal = self._control_refusal()
        if refusal is not None:
            self._refuse(*refusal)
            return
        self.app._catch_up()
        status, value = self.app._control_request(
            self.command, path, body if self.command != "GET" else b""
        )
        try:
            data = json.dumps(value, allow_nan=False).encode()
        except ValueError as exc:
            self.app._log_exception()
            status, data = 500, json.dumps({"error": f"unanswerable: {exc}"}).encode()
        self._send(status, {"Content-Type": _JSON}, data)

    # -- the body ------------------------------------------------------------------------

    def _body_length(self) -> int | None:
        """The body's length from the headers (``None``: an error was answered)."""
        if self.headers.get_all("Transfer-Encoding"):
            self.send_error(411, "send the body with a Content-Length, not chunked")
            return None
        values = {v.strip() for v in self.headers.get_all("Content-Length") or ()}
        if not values:
            return 0
        value = values.pop()
        if values or not _DIGITS.fullmatch(value):
            self.send_error(400, "bad Content-Length header: give the body's length in bytes")
            return None
        length = int(value)
        if length > MAX_BODY_BYTES:
            self.send_error(
                413,
                f"the body ({length} bytes) is larger than this server takes "
                f"({MAX_BODY_BYTES} bytes)",
            )
            return None
        return length

    def _body(self) -> bytes | None:
        """The request body (``None``: an error was answered and the connection closes)."""
        length = self._body_length()
        if length is None:
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            self.send_error(400, f"the body ended after {len(body)} of {length} bytes")
            return None
        return body

    # -- cross-site guards ---------------------------------------------------------------

    def _authority_refusal(self, authority: str, what: str) -> str | None:
        """Why ``authority`` (a Host header, an Origin's host[:port]) is not this
        loopback-bound server (``None``: it is)."""
        port = self.server.server_port
        match = _AUTHORITY.fullmatch(authority)
        if (
            match is not None
            and _loopback_host(match["host"])
            and (int(match["port"]) if match["port"] else 80) == port
        ):
            return None
        forms = f"127.0.0.1:{port}, localhost:{port} or [::1]:{port}"
        return (
            f"{what} {authority!r} is not this server: it answers to {forms} only "
            "(a guard against DNS rebinding)"
        )

    def _host_refusal(self) -> tuple[int, str] | None:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1:
            return 400, "the request has several Host headers"
        if not hosts:
            if self.request_version == "HTTP/1.0":
                return None
            return 400, "an HTTP/1.1 request needs a Host header"
        if not self.server.loopback:
            return None
        refusal = self._authority_refusal(hosts[0].strip(), "Host")
        return None if refusal is None else (403, refusal)

    def _control_refusal(self) -> tuple[int, str] | None:
        """Why the control API refuses this request (``None``: it does not)."""
        origins = self.headers.get_all("Origin") or []
        if origins:
            origin = origins[0].strip()
            own = len(origins) == 1 and origin.lower().startswith("http://")
            authority = origin[len("http://") :]
            if own and self.server.loopback:
                own = self._authority_refusal(authority, "Origin") is None
            elif own:
                own = authority.lower() == (self.headers.get("Host") or "").strip().lower()
            if not own:
                return 403, (
                    f"Origin {origin!r} is not this server's own: the control API "
                    "answers no other site's pages (a guard against cross-site requests)"
                )
        token = self.app.token
        if token is not None:
            match = _BEARER.fullmatch(self.headers.get("Authorization") or "")
            given = match["token"] if match else ""
            if not hmac.compare_digest(given.encode("utf-8", "replace"), token.encode()):
                return 401, (
                    "the control API needs 'Authorization: Bearer <token>', with the token "
                    "the server was given or printed at start-up"
                    + (" (that one is wrong)" if match else "")
                )
        if self.command == "POST":
            kind = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
            if kind != _JSON:
                return 415, (
                    f"send the control API's POST bodies as {_JSON} "
                    f"(Content-Type: {kind or 'none'}), even an empty one"
                )
        return None

    def _refuse(self, status: int, message: str) -> None:
        headers = {"Content-Type": _JSON}
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="pytest-ecs-tasks control API"'
        self._send(status, headers, json.dumps({"error": message}).encode(), note=message)

    # -- answers -------------------------------------------------------------------------

    def _send(self, status: int, headers: Mapping[str, str], body: bytes, note: str = "") -> None:
        """Answer: status line, headers and body in a single write."""
        status = int(status)
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        head = [
            f"{self.protocol_version} {status} {phrase}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        head += [
            f"{_clean(name)}: {_clean(value)}"
            for name, value in headers.items()
            if name.lower() not in _OWN_HEADERS
        ]
        head.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "replace")
        if self.command != "HEAD":
            data += body
        self._answered = True
        self.log_request(status, note=note)
        self.wfile.write(data)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the HTTP layer answers (bad request line, ...) as JSON too; the
        connection closes (after reading what the client still sends)."""
        self.close_connection = True
        self._linger = True
        try:
            message = message or HTTPStatus(code).phrase
        except ValueError:
            message = "error"
        body = json.dumps({"error": message}).encode()
        self._send(code, {"Content-Type": _JSON}, body, note=message)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            if self._linger:
                self._drain()

    def _drain(self) -> None:
        """Half-close, then read what the client still sends (for a while, up to a
        limit): closing with input unread would reset the connection."""
        connection = self.connection
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + _LINGER_SECONDS
            left = _LINGER_BYTES
            while left > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                connection.settimeout(remaining)
                chunk = connection.recv(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)

    # -- the log -------------------------------------------------------------------------

    def log_request(self, code: int | str = "-", size: int | str = "-", note: str = "") -> None:
        """``client - "request line" status operation-or-note``; works before the
        request's headers are read (a refused request line)."""
        if self.app.log is None:  # nothing to write it to: spare building the line
            return
        if not note:
            headers = getattr(self, "headers", None)
            target = headers.get("X-Amz-Target", "") if headers is not None else ""
            note = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else ""
        code = code.value if isinstance(code, HTTPStatus) else code
        self.log_message('"%s" %s %s', getattr(self, "requestline", ""), code, note or "-")

    def log_message(self, format: str, *args: Any) -> None:
        self.app._log_line(escape(f"{self.address_string()} - {format % args}"))
