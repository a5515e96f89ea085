"""Put a Python function behind every boto3 ECS client, inside moto's ``mock_aws``.

moto answers AWS requests from a single ``BotocoreStubber`` object, which it
registers as a ``before-send`` handler in botocore's built-in handler list when
moto is imported, so every client created after that (before or during a mock)
sends its requests through it. While at least one ``EcsRoute`` is active,
that stubber's ``process_request`` is wrapped: a request whose ``X-Amz-Target``
header names an ECS operation goes to the innermost active route's dispatch
function, whatever URL the client was pointed at; anything else, and any ECS
request the dispatch declines, goes on to moto as before.

Creating a client is made cheap as well. moto's ``mock_aws`` drops boto3's
default session, so each test's first ``boto3.client(...)`` builds a new botocore
session (registering some 130 built-in event handlers) and reads the service
model, endpoint and partition JSON files from disk again: about 45 ms. While a
route is active, new default sessions are built from a process-wide copy of the
registered handlers and share one process-wide data loader, whose caches keep
those files once read. Each session is still new (credentials, configuration,
its own event emitter), so moto's isolation between tests is unchanged.

Clients made before the route started are answered too. A client made before
moto was imported (at import time of the code under test, say) has no moto
stubber among its handlers, so its requests would go to the network; one made
with no credentials in the environment raises ``NoCredentialsError`` before it
sends anything. While a route is active, ``Endpoint._send`` (where every
request nobody answered goes out) hands a request addressed to an AWS domain to
the stubber, and one still unanswered raises ``UnansweredRequestError``
instead of leaving the machine. A client with
no credentials, or with credentials that refresh themselves over the network
(SSO, assumed roles, instance metadata), signs with moto's fake ones instead.
"""

from __future__ import annotations

import copy
import functools
import inspect
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import boto3
import boto3.session
import botocore.parsers
import botocore.session
from botocore.credentials import Credentials, RefreshableCredentials
from botocore.endpoint import Endpoint, EndpointCreator
from botocore.exceptions import BotoCoreError
from botocore.handlers import BUILTIN_HANDLERS, REGISTER_FIRST, REGISTER_LAST
from botocore.hooks import EventAliaser, HierarchicalEmitter
from botocore.loaders import Loader, create_loader
from botocore.parsers import ResponseParserFactory
from botocore.signers import RequestSigner
from botocore.utils import parse_timestamp
from dateutil.tz import tzlocal

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest

from .. import _model as model
from . import aio
from .environment import CREDENTIALS
from .nesting import Nested

__all__ = ["Dispatch", "EcsRoute", "StaleClientError", "UnansweredRequestError"]

Dispatch = Callable[[str, str, bytes], tuple[int, dict[str, str], bytes] | None]
"""``dispatch(region, operation, body)`` answers one ECS request.

``operation`` is the API name (``"DescribeTasks"``), ``body`` the JSON request
body as sent. Return ``(http_status, headers, body)`` to answer, or ``None`` to
let moto's own ECS answer. An exception raised here comes out of the boto3 call.
"""

# ecs.us-west-2.amazonaws.com, ecs-fips.us-east-1.amazonaws.com,
# ecs.cn-north-1.amazonaws.com.cn, ecs.us-east-1.api.aws, ecs.us-iso-east-1.c2s.ic.gov, ...
_HOST_REGION = re.compile(r"^[a-z]+://ecs(?:-fips)?\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.")
_DEFAULT_REGION = "us-east-1"  # what moto assumes when a request names no region
_STAND_IN_CREDENTIALS = Credentials(*CREDENTIALS)

#: The active routes, innermost last: the first to start installs (``_install``), the
#: last to stop undoes it.
_routes: Nested[EcsRoute] = Nested(lambda: _install())


class EcsRoute:
    """Send the ECS requests of every boto3 client to ``dispatch`` while active.

    ``start`` starts moto's ``mock_aws`` (joining the caller's, with its
    data, if one is already active) and routes ECS requests to ``dispatch``;
    ``stop`` undoes both. Routes nest: the most recently started active
    route answers, and stopping it hands ECS back to the one started before.
    Active routes share one ``mock_aws``, started with the first and stopped
    with the last, so they may also be stopped in any order.
    """

    def __init__(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch

    @property
    def active(self) -> bool:
        """Whether the route is started and not yet stopped."""
        return self in _routes

    def start(self) -> None:
        """Start ``mock_aws`` and route ECS requests to this route's dispatch."""
        with _routes.lock:
            if self in _routes:
                raise RuntimeError("this EcsRoute is already started")
            _routes.add(self)

    def stop(self) -> None:
        """Stop routing to this route, and ``mock_aws`` if it was the last; else do nothing."""
        _routes.remove(self)


def _install() -> Callable[[], None]:
    """Start ``mock_aws``, wrap the stubber's ``process_request`` and speed up default sessions.

    Returns the function that puts back exactly what was replaced, then stops the mock.
    """
    # moto is imported here, once the fake has isolated the AWS environment: moto 5.0
    # builds a boto3 session on import, which fails on a broken ~/.aws/config.
    from moto import mock_aws
    from moto.core.models import botocore_stubber

    mock = mock_aws()
    mock.start()
    moto_process_request = botocore_stubber.process_request
    # An instance attribute only if someone set one; normally moto's method is on the class.
    own_process_request = vars(botocore_stubber).get("process_request")
    setup_default_session = boto3.setup_default_session

    def process_request(request: AWSPreparedRequest) -> Any:
        """Answer an ECS request from the innermost route, or hand it to moto."""
        if "aiobotocore" in sys.modules and aio.is_async_request(request):
            problem = aio.aiobotocore_problem()
            if problem is not None:
                raise aio.AsyncClientError(problem=problem)
            aio.settle_body(request)
        call = _ecs_call(request)
        if call is not None:
            route = _routes.innermost()
            if route is not None:
                answer = route._dispatch(*call)
                if answer is not None:
                    return answer
        return moto_process_request(request)

    def uninstall() -> None:
        """Put back what ``_install`` replaced and stop its ``mock_aws``."""
        try:
            if own_process_request is None:
                del vars(botocore_stubber)["process_request"]
            else:
                vars(botocore_stubber)["process_request"] = own_process_request
            vars(boto3)["setup_default_session"] = setup_default_session
        finally:
            mock.stop()

    vars(botocore_stubber)["process_request"] = process_request
    vars(boto3)["setup_default_session"] = _setup_default_session
    undo_clients = _answer_every_client()
    undo_async_clients = aio.install()
    uninstall_route = uninstall

    def uninstall_all() -> None:
        try:
            undo_async_clients()
            undo_clients()
        finally:
            uninstall_route()

    return uninstall_all


class UnansweredRequestError(BotoCoreError):
    """A request to AWS that neither the fake nor moto answers, stopped before it
    left: while a fake is active, nothing reaches real AWS. A botocore
    ``BotoCoreError``; the message names the URL."""

    fmt = (
        "pytest-ecs-tasks stopped a request to {url} while the fake ECS is active: neither "
        "the fake nor moto answers it, and it would have reached real AWS."
    )


def _answer_every_client() -> Callable[[], None]:
    """Answer clients made before moto or the route started, and keep every request local.

    Returns the function that puts back what was replaced.
    """
    own_send = vars(Endpoint)["_send"]
    own_auth = vars(RequestSigner)["get_auth_instance"]
    takes_request_credentials = "request_credentials" in inspect.signature(own_auth).parameters
    own_create_endpoint = vars(EndpointCreator)["create_endpoint"]

    def _send(endpoint: Endpoint, request: AWSPreparedRequest) -> Any:
        """Where a request nobody answered goes out. One addressed to AWS goes to
        moto (and the route) instead, or nowhere; one addressed elsewhere (an
        ``endpoint_url`` the user chose, like ``ecs-tasks serve``) goes as sent."""
        if not is_aws_url(request.url):
            return own_send(endpoint, request)
        return answer_unsent(request)

    def get_auth_instance(signer: RequestSigner, *args: Any, **kwargs: Any) -> Any:
        """Sign with moto's fake credentials where the client has none, or has
        ones that would refresh themselves over the network."""
        if kwargs.get("request_credentials") is None:
            credentials = getattr(signer, "_credentials", None)
            if credentials is None or isinstance(credentials, RefreshableCredentials):
                if takes_request_credentials:
                    kwargs["request_credentials"] = _STAND_IN_CREDENTIALS
                else:  # botocore before request_credentials: a copy signs with moto's
                    signer = copy.copy(signer)
                    signer._credentials = _STAND_IN_CREDENTIALS  # type: ignore[attr-defined]
        return own_auth(signer, *args, **kwargs)

    def create_endpoint(creator: EndpointCreator, *args: Any, **kwargs: Any) -> Any:
        """botocore's, with the endpoint kept local after the fake stops."""
        return guard_endpoint(own_create_endpoint(creator, *args, **kwargs))

    setattr(Endpoint, "_send", _send)  # noqa: B010 (a private name mypy does not know)
    setattr(RequestSigner, "get_auth_instance", get_auth_instance)  # noqa: B010
    setattr(EndpointCreator, "create_endpoint", create_endpoint)  # noqa: B010
    undo_parsers = quick_timestamps(ResponseParserFactory)

    def undo() -> None:
        undo_parsers()
        setattr(Endpoint, "_send", own_send)  # noqa: B010
        setattr(RequestSigner, "get_auth_instance", own_auth)  # noqa: B010
        setattr(EndpointCreator, "create_endpoint", own_create_endpoint)  # noqa: B010

    return undo


def quick_timestamps(factory_class: type) -> Callable[[], None]:
    """Make the parsers ``factory_class`` creates read timestamps with
    ``_parse_timestamp`` (botocore's results, faster) while a fake is active,
    where they would use botocore's default (a parser the client's session chose
    stays): so a client made before the fake started parses its answers as fast
    as one made inside it. botocore asks its endpoint's factory for a new parser
    for every response, so this reaches every client, whenever it was made.
    Returns what undoes it."""
    own_create_parser = vars(factory_class)["create_parser"]

    def create_parser(factory: Any, protocol_name: str) -> Any:
        parser = own_create_parser(factory, protocol_name)
        if getattr(parser, "_timestamp_parser", None) is botocore.parsers.DEFAULT_TIMESTAMP_PARSER:
            parser._timestamp_parser = _parse_timestamp
        return parser

    setattr(factory_class, "create_parser", create_parser)  # noqa: B010

    def undo() -> None:
        setattr(factory_class, "create_parser", own_create_parser)  # noqa: B010

    return undo


class StaleClientError(BotoCoreError):
    """A client made while a fake ECS was active, used after the fake stopped: its
    request would have gone to real AWS, so it is stopped instead. Make clients
    inside the test (or the ``with FakeEcs()`` block) that uses them. A botocore
    ``BotoCoreError``."""

    fmt = (
        "pytest-ecs-tasks stopped a request to {url}: this client was made while a fake "
        "ECS was active, and that fake has stopped, so the request would have reached real "
        "AWS. Make clients inside the test (or the `with FakeEcs()` block) that uses them."
    )


def guard_endpoint(endpoint: Any) -> Any:
    """Keep ``endpoint`` (made while a route is active) from reaching AWS after the
    last route stops: its requests to AWS then raise ``StaleClientError``.

    The guard is the endpoint's own ``_send`` (an instance attribute, sync or
    async like the class's), so nothing outlives the endpoint.
    """
    cls = type(endpoint)
    if _is_coroutine_function(vars_lookup(cls, "_send")):

        async def send_async(request: AWSPreparedRequest) -> Any:
            if not _routes and is_aws_url(request.url):
                raise StaleClientError(url=request.url)
            return await cls._send(endpoint, request)

        endpoint._send = send_async
    else:

        def send(request: AWSPreparedRequest) -> Any:
            if not _routes and is_aws_url(request.url):
                raise StaleClientError(url=request.url)
            return cls._send(endpoint, request)

        endpoint._send = send
    return endpoint


def vars_lookup(cls: type, name: str) -> Any:
    """``name`` as defined on ``cls`` or its nearest base, undecorated."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    raise AttributeError(name)


def _is_coroutine_function(function: Any) -> bool:
    import inspect

    return inspect.iscoroutinefunction(function)


def is_aws_url(url: str) -> bool:
    """Whether ``url`` is addressed to an AWS domain (of any partition)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in _aws_domains())


def answer_unsent(request: AWSPreparedRequest) -> Any:
    """Answer a request to AWS that no ``before-send`` handler answered: through
    moto's stubber (and so the route), or raise ``UnansweredRequestError``."""
    from moto.core.models import botocore_stubber

    answer = botocore_stubber("before-send", request=request)
    if answer is None:
        raise UnansweredRequestError(url=request.url)
    return answer


@functools.cache
def _aws_domains() -> frozenset[str]:
    """The DNS suffixes of every AWS partition (``amazonaws.com``, ``api.aws``, ...),
    from botocore's own partition data."""
    loader = _Sessions.loader(None)
    domains = {"amazonaws.com", "api.aws"}
    for name, key in (("endpoints", "dnsSuffix"), ("partitions", None)):
        try:
            data = loader.load_data(name)
        except Exception:
            continue
        for partition in data.get("partitions", []):
            if key is not None:
                domains.add(partition.get(key, ""))
            else:
                outputs = partition.get("outputs", {})
                domains.update(
                    (outputs.get("dnsSuffix", ""), outputs.get("dualStackDnsSuffix", ""))
                )
    domains.discard("")
    return frozenset(d.lower() for d in domains)


def _ecs_call(request: AWSPreparedRequest) -> tuple[str, str, bytes] | None:
    """The ``(region, operation, body)`` of an ECS API request, or None for any other request."""
    target = _header(request, "X-Amz-Target")
    if not target.startswith(model.TARGET_PREFIX):
        return None
    body = request.body
    if body is None:
        data = b""
    elif isinstance(body, str):
        data = body.encode("utf-8")
    elif isinstance(body, (bytes, bytearray)):
        data = bytes(body)
    else:  # a streamed body: botocore never sends one for ECS's JSON protocol
        return None
    match = _HOST_REGION.match(request.url) or model.SCOPE_REGION.search(
        _header(request, "Authorization")
    )
    region = match["region"] if match else _DEFAULT_REGION
    return region, target[len(model.TARGET_PREFIX) :], data


def _header(request: AWSPreparedRequest, name: str) -> str:
    """One request header as text, ``""`` if absent."""
    value = request.headers.get(name, "")
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class _SearchPaths(list[str]):
    """A loader's search path list that ignores a path it already holds.

    ``boto3.session.Session`` appends boto3's data directory to its loader's
    search paths; with one loader shared by every session the list would
    otherwise grow by one entry per session.
    """

    def append(self, path: str) -> None:
        """Add ``path`` at the end unless it is already in the list."""
        if path not in self:
            super().append(path)


class _Sessions:
    """Builds botocore sessions that share handler registrations and data loaders."""

    _lock = threading.Lock()
    _loaders: dict[str | None, Loader] = {}  # by AWS data path setting
    _handlers: list[tuple[Any, ...]] = []  # BUILTIN_HANDLERS as registered in _emitter
    _emitter = HierarchicalEmitter()

    @classmethod
    def botocore_session(cls) -> botocore.session.Session:
        """A new botocore session, like ``botocore.session.Session()`` but quick to set up."""
        session = botocore.session.Session(
            event_hooks=cls._builtin_handlers(), include_builtin_handlers=False
        )
        session.register_component(
            "data_loader", cls.loader(session.get_config_variable("data_path"))
        )
        parsers = ResponseParserFactory()
        parsers.set_parser_defaults(timestamp_parser=_parse_timestamp)
        session.register_component("response_parser_factory", parsers)
        return session

    @classmethod
    def _builtin_handlers(cls) -> HierarchicalEmitter:
        """A new event emitter holding botocore's built-in handlers, as a new session has."""
        with cls._lock:
            if cls._handlers != BUILTIN_HANDLERS:
                cls._handlers = list(BUILTIN_HANDLERS)
                cls._emitter = _register(cls._handlers)
            return copy.copy(cls._emitter)

    @classmethod
    def loader(cls, data_path: str | None) -> Loader:
        """The process-wide loader for this data path setting (``AWS_DATA_PATH``)."""
        with cls._lock:
            loader = cls._loaders.get(data_path)
            if loader is None:
                paths = _SearchPaths(create_loader(data_path).search_paths)
                loader = Loader(extra_search_paths=paths, include_default_search_paths=False)
                cls._loaders[data_path] = loader
            return loader


_local_zones: dict[tuple[Any, ...], tzinfo] = {}


def _parse_timestamp(value: Any) -> datetime:
    """botocore's timestamp parsing, with the same results, faster: an epoch
    timestamp is a third of parsing a DescribeTasks response of 100 tasks, most
    of it building a new ``tzlocal()`` and asking it for the offset. Here the
    zone is built once (again whenever the process's zone changes) and, where
    the local zone has no daylight saving time, the offset is the C library's."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        key = (time.timezone, time.altzone, time.daylight, time.tzname)
        zone = _local_zones.get(key)
        if zone is None:
            _local_zones.clear()
            zone = _local_zones[key] = tzlocal()
        try:
            if not time.daylight:
                return datetime.fromtimestamp(value).replace(tzinfo=zone)
            return datetime.fromtimestamp(value, zone)
        except (OSError, OverflowError, ValueError):
            pass
    parsed: datetime = parse_timestamp(value)
    return parsed


def _register(handlers: Iterable[tuple[Any, ...]]) -> HierarchicalEmitter:
    """An emitter with ``handlers`` registered the way ``botocore.session.Session`` does."""
    emitter = HierarchicalEmitter()
    events = EventAliaser(emitter)
    for event_name, handler, *register_type in handlers:
        if not register_type:
            events.register(event_name, handler)
        elif register_type[0] is REGISTER_FIRST:
            events.register_first(event_name, handler)
        elif register_type[0] is REGISTER_LAST:
            events.register_last(event_name, handler)
    return emitter


def _setup_default_session(**kwargs: Any) -> None:
    """Stand-in for ``boto3.setup_default_session`` while a route is active."""
    if kwargs.get("botocore_session") is None:
        kwargs["botocore_session"] = _Sessions.botocore_session()
    boto3.DEFAULT_SESSION = boto3.session.Session(**kwargs)
