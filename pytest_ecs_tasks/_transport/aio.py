"""aiobotocore and aioboto3 clients on the fake, in-process and in virtual time.

aiobotocore sends a request the way botocore does, but awaits every step: it
emits ``before-send`` (where moto's stubber, and through it the fake, answers)
and then awaits the answer's ``content``. moto answers with botocore's
``AWSResponse``, whose ``content`` is bytes, so under plain moto every call
fails with ``TypeError: object bytes can't be used in 'await' expression``
after the service has already acted on it. While a route is active:

* moto's stubber answers with a response both kinds of client read
  (``.aio_answers``): its ``content`` and ``text`` can also be awaited,
  and its raw body reads as a file for botocore and as an aiohttp response
  for aiobotocore. Nothing fails in the client after the service acted.
* aiobotocore's own names are patched, each when its module is imported (so
  having aiobotocore installed costs nothing until the code under test imports
  it): request bodies that read asynchronously (checksummed uploads) are read
  into bytes before moto sees them; requests to AWS that nobody answered go to
  the stubber, or raise ``UnansweredRequestError``, instead of leaving
  the machine; clients without credentials, or with credentials that refresh
  over the network, sign with moto's; endpoints made now keep refusing to
  reach AWS after the fake stops; and waiter polls, retry back-offs and
  the adaptive rate limiter sleep through the installed sleeper (the fake
  clock), or for real when none is installed.

aiobotocore releases outside ``SUPPORTED`` are not patched: their clients
get ``AsyncClientError``, saying what to install, before the fake sees
the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import importlib.abc
import importlib.machinery
import inspect
import re
import sys
import threading
from collections.abc import Callable
from types import FunctionType, ModuleType
from typing import TYPE_CHECKING, Any, cast

from botocore.credentials import RefreshableCredentials

from .aio_answers import AsyncClientError, answer_both_kinds, settle_body
from .environment import CREDENTIALS
from .virtual_time import current_sleeper, virtual_sleep

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest

__all__ = [
    "SUPPORTED",
    "AsyncClientError",
    "aiobotocore_problem",
    "install",
    "is_async_request",
    "settle_body",
]

#: The aiobotocore releases served in-process: at least the first, below the second.
SUPPORTED = ((2, 11), (4, 0))
_EXTRA = "pip install 'pytest-ecs-tasks[async]'"
_AIO_AGENT = re.compile(r"(?:^|\s)aiobotocore/")


def aiobotocore_problem() -> str | None:
    """Why aiobotocore clients cannot be served (None when they can, or when
    aiobotocore is not imported)."""
    module = sys.modules.get("aiobotocore")
    if module is None:
        return None
    version = str(getattr(module, "__version__", "unknown"))
    parts = tuple(int(p) for p in re.findall(r"\d+", version)[:2])
    low, high = SUPPORTED
    if len(parts) == 2 and low <= parts < high:
        return None
    return (
        f"pytest-ecs-tasks serves aiobotocore clients in-process from aiobotocore "
        f"{'.'.join(map(str, low))} up to (not including) {'.'.join(map(str, high))}; "
        f"this process has aiobotocore {version}. Install a supported release with "
        f"{_EXTRA} (aioboto3 works through it), or point the client at `ecs-tasks serve` "
        "with endpoint_url."
    )


def is_async_request(request: AWSPreparedRequest) -> bool:
    """Whether an aiobotocore (or aioboto3) client sent ``request``."""
    agent = request.headers.get("User-Agent", "")
    if isinstance(agent, bytes):
        agent = agent.decode("utf-8", "replace")
    return _AIO_AGENT.search(str(agent)) is not None


# -- virtual time for aiobotocore ---------------------------------------------------------


async def _sleep(delay: float, result: Any = None) -> Any:
    """``asyncio.sleep`` through the installed sleeper (moving the fake clock at
    once, then letting other tasks run once), or for real when there is none."""
    if current_sleeper() is None:
        return await asyncio.sleep(delay, result)
    if delay > 0:
        virtual_sleep(delay)
    await asyncio.sleep(0)
    return result


async def _wait_for(awaitable: Any, timeout: float | None) -> Any:
    """``asyncio.wait_for``; a timed wait with a sleeper installed waits its
    timeout on the fake clock (the awaitable gets one turn to finish first)."""
    if timeout is None or current_sleeper() is None:
        return await asyncio.wait_for(awaitable, timeout)
    task = asyncio.ensure_future(awaitable)
    await asyncio.sleep(0)
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    if timeout > 0:
        virtual_sleep(timeout)
    raise asyncio.TimeoutError


class _VirtualAsyncio:
    """Stands in for ``asyncio`` inside aiobotocore's waiter, endpoint and rate limiter."""

    sleep = staticmethod(_sleep)
    wait_for = staticmethod(_wait_for)

    def __getattr__(self, name: str) -> Any:
        """Anything else is the real ``asyncio`` module's."""
        return getattr(asyncio, name)


_ASYNCIO = _VirtualAsyncio()


def _anyio_sleep_method(original: Callable[..., Any]) -> Callable[..., Any]:
    """An ``_sleep(self, seconds)`` method for aiobotocore's anyio classes (trio too)."""

    async def _sleep_method(self: Any, sleep_amount: float) -> None:
        if current_sleeper() is None:
            await original(self, sleep_amount)
            return
        import anyio

        if sleep_amount > 0:
            virtual_sleep(sleep_amount)
        await anyio.sleep(0)

    return _sleep_method


# -- patching aiobotocore's modules as they are imported -----------------------------------

_Undo = Callable[[], None]


def _set(owner: Any, name: str, value: object) -> _Undo:
    """Set ``owner.name`` (a module global or class attribute); return the undo."""
    namespace = vars(owner)
    had = name in namespace
    original = namespace.get(name)
    setattr(owner, name, value)

    def undo() -> None:
        if had:
            setattr(owner, name, original)
        else:
            delattr(owner, name)

    return undo


def _patch_endpoint(module: ModuleType) -> list[_Undo]:
    from .moto_bridge import answer_unsent, guard_endpoint, is_aws_url

    creator = module.AioEndpointCreator
    own_create_endpoint = vars(creator)["create_endpoint"]

    def create_endpoint(self: Any, *args: Any, **kwargs: Any) -> Any:
        return guard_endpoint(own_create_endpoint(self, *args, **kwargs))

    endpoint = module.AioEndpoint
    own_send = vars(endpoint)["_send"]
    own_create_request = vars(endpoint)["create_request"]

    async def _send(self: Any, request: AWSPreparedRequest) -> Any:
        if not is_aws_url(request.url):
            return await own_send(self, request)
        settle_body(request)
        return answer_unsent(request)

    async def create_request(self: Any, *args: Any, **kwargs: Any) -> Any:
        request = await own_create_request(self, *args, **kwargs)
        if is_aws_url(request.url):
            settle_body(request)
        return request

    undo = [
        _set(creator, "create_endpoint", create_endpoint),
        _set(endpoint, "_send", _send),
        _set(endpoint, "create_request", create_request),
        _set(module, "asyncio", _ASYNCIO),
    ]
    anyio_endpoint = getattr(module, "AnyioEndpoint", None)
    if anyio_endpoint is not None and "_sleep" in vars(anyio_endpoint):
        undo.append(
            _set(anyio_endpoint, "_sleep", _anyio_sleep_method(vars(anyio_endpoint)["_sleep"]))
        )
    return undo


def _patch_waiter(module: ModuleType) -> list[_Undo]:
    undo = [_set(module, "asyncio", _ASYNCIO)]
    for name in ("AnyioWaiter",):
        waiter = getattr(module, name, None)
        if waiter is not None and "_sleep" in vars(waiter):
            undo.append(_set(waiter, "_sleep", _anyio_sleep_method(vars(waiter)["_sleep"])))
    return undo


def _patch_signers(module: ModuleType) -> list[_Undo]:
    signer = module.AioRequestSigner
    own = vars(signer)["get_auth_instance"]
    from aiobotocore.credentials import AioCredentials

    stand_in = AioCredentials(*CREDENTIALS)
    takes_request_credentials = "request_credentials" in inspect.signature(own).parameters

    async def get_auth_instance(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("request_credentials") is None:
            credentials = getattr(self, "_credentials", None)
            if credentials is None or isinstance(credentials, RefreshableCredentials):
                if takes_request_credentials:
                    kwargs["request_credentials"] = stand_in
                else:  # aiobotocore before 2.13: a copy of the signer signs with moto's
                    self = copy.copy(self)
                    self._credentials = stand_in
        return await own(self, *args, **kwargs)

    return [_set(signer, "get_auth_instance", get_auth_instance)]


def _patch_bucket(module: ModuleType) -> list[_Undo]:
    from .virtual_time import VirtualClock

    return [_set(module, "asyncio", _ASYNCIO), _set(module, "Clock", VirtualClock)]


def _patch_standard(module: ModuleType) -> list[_Undo]:
    undo: list[_Undo] = []
    for handler in (getattr(module, "AioRetryHandler", None),):
        init = vars(handler).get("__init__") if handler is not None else None
        if not isinstance(init, FunctionType) or init.__kwdefaults__ is None:
            continue
        function = init
        defaults = dict(function.__kwdefaults__ or {})
        if defaults.get("sleep") is asyncio.sleep:
            function.__kwdefaults__ = {**defaults, "sleep": _sleep}

            def undo_defaults(function: FunctionType = function, saved: Any = defaults) -> None:
                function.__kwdefaults__ = saved

            undo.append(undo_defaults)
    return undo


def _patch_parsers(module: ModuleType) -> list[_Undo]:
    from .moto_bridge import quick_timestamps

    return [quick_timestamps(module.AioResponseParserFactory)]


_PATCHES: dict[str, Callable[[ModuleType], list[_Undo]]] = {
    "aiobotocore.endpoint": _patch_endpoint,
    "aiobotocore.parsers": _patch_parsers,
    "aiobotocore.waiter": _patch_waiter,
    "aiobotocore.signers": _patch_signers,
    "aiobotocore.retries.bucket": _patch_bucket,
    "aiobotocore.retries.standard": _patch_standard,
}


class _Patcher:
    """Applies ``_PATCHES`` to the aiobotocore modules loaded now and as they load."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._undo: list[_Undo] = []
        self._done: set[str] = set()
        self.problem: str | None = None

    def loaded(self, name: str) -> None:
        """``name`` has just been imported (or was already): patch it if it is one of ours."""
        with self._lock:
            if name in self._done or name not in _PATCHES:
                return
            module = sys.modules.get(name)
            if module is None:
                return
            self._done.add(name)
            self.problem = aiobotocore_problem()
            if self.problem is not None:
                if name == "aiobotocore.endpoint":
                    self._undo.append(_refuse_unsent(module, self.problem))
                return
            self._undo += _PATCHES[name](module)

    def undo(self) -> None:
        with self._lock:
            while self._undo:
                self._undo.pop()()
            self._done.clear()


def _refuse_unsent(module: ModuleType, problem: str) -> _Undo:
    """For an unsupported aiobotocore: its unanswered requests to AWS raise, never leave."""
    from .moto_bridge import is_aws_url

    endpoint = module.AioEndpoint
    own_send = vars(endpoint)["_send"]

    async def _send(self: Any, request: AWSPreparedRequest) -> Any:
        if is_aws_url(request.url):
            raise AsyncClientError(problem=problem)
        return await own_send(self, request)

    return _set(endpoint, "_send", _send)


class _PatchingLoader(importlib.abc.Loader):
    """Loads a module with its own loader, then lets ``_Patcher`` patch it."""

    def __init__(self, loader: Any, patcher: _Patcher) -> None:
        self._loader = loader
        self._patcher = patcher

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return cast("ModuleType | None", self._loader.create_module(spec))

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        self._patcher.loaded(module.__name__)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _Watcher(importlib.abc.MetaPathFinder):
    """Spots the import of an aiobotocore module we patch, and wraps its loader."""

    def __init__(self, patcher: _Patcher) -> None:
        self._patcher = patcher

    def find_spec(
        self, fullname: str, path: Any, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _PatchingLoader(spec.loader, self._patcher)
        return spec


def install() -> Callable[[], None]:
    """Serve aiobotocore clients while a route is active; return the undo."""
    patcher = _Patcher()
    watcher = _Watcher(patcher)
    undo_answers = answer_both_kinds()
    sys.meta_path.insert(0, watcher)
    for name in _PATCHES:
        patcher.loaded(name)

    def uninstall() -> None:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(watcher)
        patcher.undo()
        undo_answers()

    return uninstall
