"""HTTP for ``ecs-tasks serve``: connections, requests, answers, the log.

Each request goes to the ECS endpoint or the control API of its :class:`EcsServer`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from .ecs_endpoint import TARGET_PREFIX, ecs_error

if TYPE_CHECKING:
    from . import EcsServer

__all__ = ["Handler", "HttpServer"]

_CONTROL = "/_ecs_tasks/"
_JSON = "application/json"


class HttpServer(ThreadingHTTPServer):
    """A threaded HTTP server that knows its :class:`EcsServer` and its open connections."""

    daemon_threads = True

    def __init__(self, app: EcsServer, address: tuple[str, int]) -> None:
        self.app = app
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

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


class Handler(BaseHTTPRequestHandler):
    """One connection: ECS API requests and control API requests."""

    server: HttpServer
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
        self.app.catch_up()
        path = self.path.split("?", 1)[0]
        if path.startswith(_CONTROL):
            self._control("POST", path, body)
            return
        target = self.headers.get("X-Amz-Target", "")
        if not target.startswith(TARGET_PREFIX):
            what = f"X-Amz-Target {target!r}" if target else "no X-Amz-Target header"
            self._send(
                *ecs_error(
                    400,
                    "UnknownOperationException",
                    f"This is a fake Amazon ECS endpoint; the request has {what}.",
                )
            )
            return
        headers = {k: v for k, v in self.headers.items()}
        try:
            answer = self.app.ecs_request(target[len(TARGET_PREFIX) :], headers, body)
        except Exception as exc:
            self.app.log_exception()
            answer = ecs_error(
                500,
                "ServerException",
                f"pytest-ecs-tasks internal error: {type(exc).__name__}: {exc}",
            )
        self._send(*answer)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if self._body() is None:
            return
        self.app.catch_up()
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
        operation = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else ""
        code = code.value if isinstance(code, HTTPStatus) else code
        self.log_message('"%s" %s %s', self.requestline, code, operation or "-")

    def log_message(self, format: str, *args: Any) -> None:
        self.app.log_line(f"{self.address_string()} - {format % args}")
