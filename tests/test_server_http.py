"""The HTTP layer of ``ecs-tasks serve`` over real sockets: malformed requests answered
with JSON errors, the cross-site guards, the token, the log, speed on one kept-alive
connection and bursts of connections. Loopback only (one test also binds a non-loopback
address of this machine when it has one)."""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from pytest_ecs_tasks import FakeEcs
from pytest_ecs_tasks._clock import DEFAULT_START
from pytest_ecs_tasks._server import EcsServer
from pytest_ecs_tasks._server.handler import MAX_BODY_BYTES, MAX_REQUEST_LINE

TIMEOUT = 30  # seconds: a bound for every connection, never reached when all is well
TARGET = "AmazonEC2ContainerServiceV20141113."
AMZ_JSON = "application/x-amz-json-1.1"


# -- helpers ---------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def request(
    method: str,
    path: str,
    host: str | None,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
) -> bytes:
    """The bytes of one HTTP/1.1 request (``host`` None: no Host header)."""
    lines = [f"{method} {path} HTTP/1.1"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body and not any(name.lower() == "content-length" for name in headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def read_answer(sock: socket.socket, method: str = "GET") -> Answer:
    response = http.client.HTTPResponse(sock, method=method)
    try:
        response.begin()
        body = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        response.close()


def exchange(
    server: EcsServer,
    raw: bytes,
    *,
    host: str = "127.0.0.1",
    half_close: bool = False,
) -> Answer:
    """Send ``raw`` on a new connection; the answer (the server must close after an error)."""
    with socket.create_connection((host, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return read_answer(sock, raw.split(b" ", 1)[0].decode("latin-1"))


def own_host(server: EcsServer) -> str:
    return f"127.0.0.1:{server.port}"


def control_request(
    server: EcsServer,
    method: str,
    path: str,
    body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    host: str | None = None,
) -> Answer:
    """A control API request: JSON body and Content-Type unless ``headers`` say otherwise."""
    sent = {"Content-Type": "application/json"} if body is not None else {}
    sent.update(headers or {})
    data = json.dumps(body).encode() if body is not None else b""
    if method == "POST" and not data:
        sent["Content-Length"] = "0"
    return exchange(
        server, request(method, f"/_ecs_tasks/{path}", host or own_host(server), sent, data)
    )


def ecs_request(
    server: EcsServer,
    operation: str,
    body: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    host: str | None = None,
) -> Answer:
    sent = {"X-Amz-Target": TARGET + operation, "Content-Type": AMZ_JSON, **(headers or {})}
    data = json.dumps(body or {}).encode()
    return exchange(server, request("POST", "/", host or own_host(server), sent, data))


def assert_json_error(answer: Answer, status: int) -> str:
    assert answer.status == status, answer
    assert answer.headers["content-type"] == "application/json"
    assert list(answer.json) == ["error"], answer.body
    assert isinstance(answer.json["error"], str)
    assert answer.json["error"]
    assert b"Traceback" not in answer.body
    return str(answer.json["error"])


def assert_still_serves(server: EcsServer) -> None:
    """A normal control API call and a normal ECS API call, each on a new connection."""
    clock = control_request(server, "GET", "clock")
    assert (clock.status, list(clock.json)) == (200, ["now"])
    clusters = ecs_request(server, "ListClusters")
    assert clusters.status == 200, clusters
    assert "clusterArns" in clusters.json


@pytest.fixture
def log() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def server(ecs_tasks: FakeEcs, log: io.StringIO) -> Iterator[EcsServer]:
    with EcsServer(ecs_tasks, "127.0.0.1", 0, log=log) as served:
        yield served


# -- malformed requests ----------------------------------------------------------------------


def _headers(count: int) -> str:
    return "".join(f"X-Header-{i}: {i}\r\n" for i in range(count))


def _cl(value: str) -> Callable[[str], bytes]:
    def build(host: str) -> bytes:
        return (
            f"POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: {TARGET}ListClusters\r\n"
            f"Content-Type: {AMZ_JSON}\r\nContent-Length: {value}\r\n\r\n{{}}"
        ).encode()

    return build


MALFORMED: dict[str, tuple[Callable[[str], bytes], int, str]] = {
    "request-line-too-long": (
        lambda host: f"GET /{'a' * (MAX_REQUEST_LINE + 5000)} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(),
        414,
        "request line is longer",
    ),
    "header-too-long": (
        lambda host: f"GET /_ecs_tasks/clock HTTP/1.1\r\nHost: {host}\r\nX-Long: {'a' * 70_000}\r\n\r\n".encode(),
        431,
        "",
    ),
    "too-many-headers": (
        lambda host: f"GET /_ecs_tasks/clock HTTP/1.1\r\nHost: {host}\r\n{_headers(150)}\r\n".encode(),
        431,
        "",
    ),
    "http-2": (lambda host: f"GET / HTTP/2.0\r\nHost: {host}\r\n\r\n".encode(), 505, "HTTP/2.0"),
    "bad-version": (lambda host: f"GET / HTTP/one\r\nHost: {host}\r\n\r\n".encode(), 400, "HTTP version"),
    "no-version": (lambda host: b"GET /_ecs_tasks/clock\r\n\r\n", 400, "bad request line"),
    "garbage-line": (lambda host: b"this is not HTTP at all\r\n\r\n", 400, "bad request line"),
    "binary-line": (lambda host: b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", 400, "bad request line"),
    "blank-line": (lambda host: b"\r\n\r\n   \r\n\r\n", 400, "bad request line"),
    "content-length-not-a-number": (_cl("twelve"), 400, "Content-Length"),
    "content-length-exponent": (_cl("3e10"), 400, "Content-Length"),
    "content-length-negative": (_cl("-1"), 400, "Content-Length"),
    "content-length-plus": (_cl("+2"), 400, "Content-Length"),
    "content-length-huge": (_cl("30000000000"), 413, f"({MAX_BODY_BYTES} bytes)"),
    "content-length-enormous": (_cl("9" * 5000), 400, "Content-Length"),
    "content-length-over-limit": (_cl(str(MAX_BODY_BYTES + 1)), 413, "larger than"),
    "content-length-twice": (_cl("2\r\nContent-Length: 3"), 400, "Content-Length"),
    "chunked": (
        lambda host: f"POST / HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{{}}\r\n0\r\n\r\n".encode(),
        411,
        "not chunked",
    ),
    "unknown-method": (lambda host: f"BREW /pot HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(), 501, "BREW"),
    "no-host": (lambda host: b"GET /_ecs_tasks/clock HTTP/1.1\r\n\r\n", 400, "needs a Host header"),
    "two-hosts": (lambda host: f"GET /_ecs_tasks/clock HTTP/1.1\r\nHost: {host}\r\nHost: {host}\r\n\r\n".encode(), 400, "several Host"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_request_gets_a_json_error_and_the_server_serves_on(
    server: EcsServer, log: io.StringIO, capfd: pytest.CaptureFixture[str], case: str
) -> None:
    build, status, fragment = MALFORMED[case]
    answer = exchange(server, build(own_host(server)))
    assert fragment in assert_json_error(answer, status)
    assert answer.headers["connection"] == "close"
    assert answer.headers["server"].startswith("pytest-ecs-tasks")
    assert_still_serves(server)
    assert f" {status} " in log.getvalue()
    assert "Traceback" not in log.getvalue()
    assert "Traceback" not in capfd.readouterr().err


def test_the_body_ending_early_gets_a_json_error(server: EcsServer, log: io.StringIO) -> None:
    raw = request("POST", "/", own_host(server), {"Content-Length": "100"}, b"{}")
    answer = exchange(server, raw, half_close=True)
    assert "ended after 2 of 100 bytes" in assert_json_error(answer, 400)
    assert_still_serves(server)
    assert "Traceback" not in log.getvalue()


def test_a_refused_body_being_sent_does_not_lose_the_answer(server: EcsServer) -> None:
    """The server answers 413 from the headers, then reads what the client still sends
    before closing: a close with input unread would reset the connection."""
    head = request("POST", "/", own_host(server), {"Content-Length": str(MAX_BODY_BYTES + 1)})
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
        sock.sendall(head + b"x" * (1024 * 1024))
        answer = read_answer(sock, "POST")
    assert_json_error(answer, 413)
    assert_still_serves(server)


def test_expect_100_continue_refuses_a_body_too_large_before_it_is_sent(
    server: EcsServer,
) -> None:
    headers = {"Content-Length": str(MAX_BODY_BYTES * 2), "Expect": "100-continue"}
    answer = exchange(server, request("POST", "/", own_host(server), headers))
    assert_json_error(answer, 413)

    # a body within the limit: 100 Continue, then the answer
    body = b"{}"
    headers = {
        "Content-Length": "2",
        "Expect": "100-continue",
        "X-Amz-Target": TARGET + "ListClusters",
        "Content-Type": AMZ_JSON,
    }
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
        sock.sendall(request("POST", "/", own_host(server), headers))
        interim = sock.recv(1024)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        answer = read_answer(sock, "POST")
    assert answer.status == 200
    assert "clusterArns" in answer.json


def test_a_kept_alive_connection_serves_on_after_an_answered_error(server: EcsServer) -> None:
    """Errors of the two APIs (not of HTTP itself) keep the connection open."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        connection.request("GET", "/_ecs_tasks/no-such-path")
        response = connection.getresponse()
        assert (response.status, list(json.loads(response.read()))) == (404, ["error"])
        assert response.getheader("Connection") is None
        connection.request("GET", "/_ecs_tasks/clock")
        response = connection.getresponse()
        assert (response.status, json.loads(response.read())) == (
            200,
            {"now": DEFAULT_START.isoformat()},
        )
    finally:
        connection.close()


# -- cross-site guards ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
def test_a_control_post_that_is_not_json_is_refused_and_changes_nothing(
    ecs_tasks: FakeEcs, server: EcsServer, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    body = json.dumps({"seconds": 3600}).encode()
    raw = request("POST", "/_ecs_tasks/clock/advance", own_host(server), headers, body)
    assert "application/json" in assert_json_error(exchange(server, raw), 415)
    assert ecs_tasks.clock.now() == DEFAULT_START

    # with it, the same body moves the clock
    answer = control_request(server, "POST", "clock/advance", {"seconds": 3600})
    assert answer.status == 200
    assert ecs_tasks.clock.now() == DEFAULT_START.replace(hour=DEFAULT_START.hour + 1)


def test_json_with_a_charset_is_json(ecs_tasks: FakeEcs, server: EcsServer) -> None:
    headers = {"Content-Type": "Application/JSON; charset=utf-8"}
    answer = control_request(server, "POST", "clock/advance", {"seconds": 1}, headers)
    assert answer.status == 200, answer


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "https://127.0.0.1:{port}",  # another scheme: another origin
        "http://127.0.0.1:1",
        "http://evil.example:{port}",
        "null",
    ],
)
def test_a_foreign_origin_is_refused_and_changes_nothing(
    ecs_tasks: FakeEcs, server: EcsServer, origin: str
) -> None:
    origin = origin.format(port=server.port)
    answer = control_request(server, "POST", "clock/advance", {"seconds": 60}, {"Origin": origin})
    assert "cross-site" in assert_json_error(answer, 403)
    assert ecs_tasks.clock.now() == DEFAULT_START
    answer = control_request(
        server, "POST", "faults", {"operation": "DescribeTasks", "code": "ServerException"}, {"Origin": origin}
    )  # fmt: skip
    assert_json_error(answer, 403)
    assert list(ecs_tasks._service.faults) == []
    assert_json_error(control_request(server, "GET", "state", headers={"Origin": origin}), 403)


@pytest.mark.parametrize(
    "origin", ["http://127.0.0.1:{port}", "http://localhost:{port}", "http://[::1]:{port}"]
)
def test_the_servers_own_origin_is_served(
    ecs_tasks: FakeEcs, server: EcsServer, origin: str
) -> None:
    headers = {"Origin": origin.format(port=server.port)}
    answer = control_request(server, "POST", "clock/advance", {"seconds": 60}, headers)
    assert answer.status == 200, answer
    assert ecs_tasks.clock.now() == DEFAULT_START.replace(minute=DEFAULT_START.minute + 1)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:{port}",
        "evil.example",
        "127.0.0.1",  # no port: only right on port 80
        "127.0.0.1:1",
        "localhost.evil.example:{port}",
        "10.0.0.1:{port}",
        "[::2]:{port}",
        "",
    ],
)
def test_a_host_that_is_not_the_bound_address_is_refused_and_changes_nothing(
    ecs_tasks: FakeEcs, server: EcsServer, host: str
) -> None:
    host = host.format(port=server.port)
    clusters = ecs_tasks.client().list_clusters()["clusterArns"]
    answer = control_request(server, "POST", "clock/advance", {"seconds": 60}, host=host or " ")
    error = assert_json_error(answer, 403)
    assert f"127.0.0.1:{server.port}, localhost:{server.port} or [::1]:{server.port}" in error
    assert ecs_tasks.clock.now() == DEFAULT_START
    # the ECS API too: a page that rebinds a name to 127.0.0.1 reads and changes nothing
    answer = ecs_request(server, "CreateCluster", {"clusterName": "rebound"}, host=host or " ")
    assert_json_error(answer, 403)
    assert_json_error(ecs_request(server, "ListClusters", host=host or " "), 403)
    assert ecs_tasks.client().list_clusters()["clusterArns"] == clusters


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}", "[::1]:{port}"]
)
def test_the_bound_address_as_host_is_served(server: EcsServer, host: str) -> None:
    host = host.format(port=server.port)
    answer = control_request(server, "GET", "clock", host=host)
    assert (answer.status, answer.json) == (200, {"now": DEFAULT_START.isoformat()})
    answer = ecs_request(server, "CreateCluster", {"clusterName": "jobs"}, host=host)
    assert answer.status == 200, answer
    assert answer.json["cluster"]["clusterName"] == "jobs"


def test_an_http_1_0_request_without_host_is_served(server: EcsServer) -> None:
    answer = exchange(server, b"GET /_ecs_tasks/clock HTTP/1.0\r\n\r\n")
    assert (answer.status, answer.json) == (200, {"now": DEFAULT_START.isoformat()})
    assert answer.headers["connection"] == "close"


# -- the token ------------------------------------------------------------------------------


def _assert_token_required(ecs_tasks: FakeEcs, server: EcsServer, address: str) -> None:
    assert server.token is not None
    host = f"{address}:{server.port}" if ":" not in address else f"[{address}]:{server.port}"

    def call(path: str, body: Mapping[str, Any] | None, headers: Mapping[str, str]) -> Answer:
        method = "GET" if body is None else "POST"
        sent = {"Content-Type": "application/json"} if body is not None else {}
        data = json.dumps(body).encode() if body is not None else b""
        raw = request(method, f"/_ecs_tasks/{path}", host, {**sent, **headers}, data)
        return exchange(server, raw, host=address)

    wrong = "y" * len(server.token)
    for headers in (
        {},
        {"Authorization": f"Bearer {wrong}"},
        {"Authorization": f"Basic {server.token}"},
        {"Authorization": server.token},
        {"Authorization": f"Bearer {server.token}x"},
        {"Authorization": "Bearer \u00e9t\u00e9"},
    ):
        answer = call("clock/advance", {"seconds": 60}, headers)
        assert "Authorization: Bearer <token>" in assert_json_error(answer, 401)
        assert answer.headers["www-authenticate"].startswith("Bearer ")
        assert_json_error(call("clock", None, headers), 401)
    assert ecs_tasks.clock.now() == DEFAULT_START

    bearer = {"Authorization": f"Bearer {server.token}"}
    assert call("clock/advance", {"seconds": 60}, bearer).status == 200
    assert call("clock", None, {"Authorization": f"bearer  {server.token}"}).status == 200
    assert ecs_tasks.clock.now() == DEFAULT_START.replace(minute=DEFAULT_START.minute + 1)

    # the ECS API needs no token: SDKs cannot send one
    raw = request(
        "POST",
        "/",
        host,
        {"X-Amz-Target": TARGET + "ListClusters", "Content-Type": AMZ_JSON},
        b"{}",
    )
    answer = exchange(server, raw, host=address)
    assert answer.status == 200, answer
    assert "clusterArns" in answer.json


def test_a_server_with_a_token_requires_it_for_the_control_api(ecs_tasks: FakeEcs) -> None:
    with EcsServer(ecs_tasks, "127.0.0.1", 0, token="x" * 20) as server:
        assert server.token == "x" * 20
        _assert_token_required(ecs_tasks, server, "127.0.0.1")


def _non_loopback_address() -> str | None:
    """An address of this machine other than loopback (None: none found)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 9))  # UDP: no packet is sent
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    if address.startswith("127.") or address == "0.0.0.0":
        return None
    try:
        with socket.socket() as bound:
            bound.bind((address, 0))
    except OSError:
        return None
    return address


def test_a_server_off_loopback_makes_up_a_token_and_requires_it(ecs_tasks: FakeEcs) -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to bind")
    with EcsServer(ecs_tasks, address, 0) as server:
        assert server.token is not None
        assert len(server.token) >= 16
        _assert_token_required(ecs_tasks, server, address)


# -- the log ------------------------------------------------------------------------------


def test_the_log_escapes_control_characters(server: EcsServer, log: io.StringIO) -> None:
    path = "/_ecs_tasks/\x1b[31mred\x1b[0m\x07\x7f"
    answer = exchange(server, request("GET", path, own_host(server)))
    assert_json_error(answer, 404)

    target = TARGET + "ListClusters\x1b]0;owned\x07"
    raw = request("POST", "/", own_host(server), {"X-Amz-Target": target}, b"{}")
    assert exchange(server, raw).status == 400

    assert_json_error(exchange(server, b"\x1b[2J\x9b1m / HTTP/1.1\r\n\r\n"), 400)

    text = log.getvalue()
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0 for c in text.replace("\n", ""))
    assert '"GET /_ecs_tasks/\\x1b[31mred\\x1b[0m\\x07\\x7f HTTP/1.1" 404' in text
    assert "\\x1b[2J\\x9b1m" in text
    assert "Traceback" not in text


# -- speed and bursts ------------------------------------------------------------------------


def test_calls_on_one_kept_alive_connection_do_not_wait_for_nagle(server: EcsServer) -> None:
    """Each answer goes out in one write, with TCP_NODELAY: no ~40 ms delayed-ACK stall
    per call (50 calls would take 2 s or more)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    headers = {"X-Amz-Target": TARGET + "DescribeTasks", "Content-Type": AMZ_JSON}
    body = json.dumps({"tasks": ["0123456789abcdef0123456789abcdef"]}).encode()

    def call() -> None:
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        assert response.status == 200
        assert json.loads(response.read())["failures"][0]["reason"] == "MISSING"

    try:
        call()  # warm up
        httpd = server._httpd
        assert httpd is not None
        with httpd.connections_lock:
            (accepted,) = httpd.connections
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)

        started = time.perf_counter()
        for _ in range(50):
            call()
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    assert elapsed < 1.5, f"50 calls on one connection took {elapsed:.2f} s"


def test_a_burst_of_100_connections_is_answered(server: EcsServer) -> None:
    count = 100
    barrier = threading.Barrier(count)
    answers: list[tuple[int, float]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def client() -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            started = time.perf_counter()
            answer = control_request(server, "GET", "clock")
            with lock:
                answers.append((answer.status, time.perf_counter() - started))
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=client) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    assert errors == []
    assert sorted(status for status, _ in answers) == [200] * count
    slowest = max(seconds for _, seconds in answers)
    assert slowest < 10, f"the slowest of {count} simultaneous connections took {slowest:.2f} s"
