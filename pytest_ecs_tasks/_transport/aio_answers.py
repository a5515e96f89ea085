"""Answers that sync and async clients both read, and request bodies moto can read.

aiobotocore awaits a response's ``content``; botocore reads it as bytes. moto's
stubber builds botocore's ``AWSResponse`` around a ``BytesIO``; while a route
is active it builds ``_Response`` around ``_Raw`` instead, which
serve both. See ``.aio`` for the rest of what serves aiobotocore clients.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Generator, Iterator
from io import BytesIO
from typing import TYPE_CHECKING, Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import BotoCoreError

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest

__all__ = ["AsyncClientError", "answer_both_kinds", "settle_body"]


class AsyncClientError(BotoCoreError):
    """An aiobotocore (or aioboto3) request the fake cannot serve in-process: the
    installed aiobotocore is outside the supported range (the ``async`` extra
    installs one inside it), or the request's body is a stream that waits for
    data. The message says which, and what to do. A botocore ``BotoCoreError``, so
    the client raises it as it would a connection problem; the request never
    reaches AWS."""

    fmt = "{problem}"


# -- answers both kinds of client can read ---------------------------------------------


class _AwaitableBytes(bytes):
    """Bytes that can also be awaited (to themselves), as aiobotocore awaits ``content``."""

    def __await__(self) -> Generator[Any, None, _AwaitableBytes]:
        return self
        yield  # a generator: awaiting it returns at once


class _AwaitableStr(str):
    """Text that can also be awaited (to itself), as aiobotocore awaits ``text``."""

    def __await__(self) -> Generator[Any, None, _AwaitableStr]:
        return self
        yield


class _Content:
    """The ``content`` of an aiohttp response: the body, read asynchronously."""

    def __init__(self, body: BytesIO) -> None:
        self._body = body

    async def read(self, n: int = -1) -> bytes:
        return self._body.read(None if n is None or n < 0 else n)

    async def readany(self) -> bytes:
        return self._body.read()

    def at_eof(self) -> bool:
        return self._body.tell() >= len(self._body.getbuffer())


class _Raw(BytesIO):
    """A response body botocore reads as a file, and aiobotocore as an aiohttp response."""

    def __init__(self, body: str | bytes) -> None:
        super().__init__(body.encode("utf-8") if isinstance(body, str) else body)
        self.content = _Content(self)
        self.url = ""
        self.headers: Any = {}

    @property
    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """aiohttp's headers as sent (aiobotocore before 2.21 reads them)."""
        return [(str(k).encode("utf-8"), str(v).encode("utf-8")) for k, v in self.headers.items()]

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        """What botocore reads a response through: the rest of the body, once."""
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()

    def at_eof(self) -> bool:
        return self.content.at_eof()

    def release(self) -> None:
        """aiohttp's: give the connection back (there is none)."""

    async def __aenter__(self) -> _AioResponseView:
        """aiobotocore 2's body enters its raw response: an aiohttp response, read asynchronously."""
        return _AioResponseView(self)

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()


class _AioResponseView:
    """A body as an aiohttp response: ``read()`` is a coroutine."""

    def __init__(self, raw: _Raw) -> None:
        self._raw = raw
        self.content = raw.content
        self.url = raw.url

    async def read(self, n: int = -1) -> bytes:
        return await self.content.read(n)

    def at_eof(self) -> bool:
        return self._raw.at_eof()

    def release(self) -> None:
        """aiohttp's: give the connection back (there is none)."""

    def close(self) -> None:
        self._raw.close()


class _Response(AWSResponse):
    """botocore's response, readable by aiobotocore too (its ``content`` can be awaited)."""

    def __init__(self, url: str, status_code: int, headers: Any, raw: Any) -> None:
        super().__init__(url, status_code, headers, raw)
        if isinstance(raw, _Raw):
            raw.url = url
            raw.headers = self.headers

    @property
    def content(self) -> bytes:
        content: bytes | None = vars(self).get("_content")
        if content is None:
            content = b"".join(self.raw.stream()) or b""
        if not isinstance(content, _AwaitableBytes):
            content = _AwaitableBytes(content)
        self._content = content
        return content

    @property
    def text(self) -> str:
        return _AwaitableStr(AWSResponse.text.fget(self))  # type: ignore[attr-defined]


def answer_both_kinds() -> Callable[[], None]:
    """Make moto's stubber answer with ``_Response``; return the undo."""
    from moto.core import botocore_stubber as stubber_module

    namespace = vars(stubber_module)
    originals = {name: namespace[name] for name in ("AWSResponse", "MockRawResponse")}
    namespace["AWSResponse"] = _Response
    namespace["MockRawResponse"] = _Raw

    def undo() -> None:
        namespace.update(originals)

    return undo


# -- request bodies ----------------------------------------------------------------------


def settle_body(request: AWSPreparedRequest) -> None:
    """Read a request body that reads asynchronously into bytes, so moto can read it.

    aiobotocore wraps checksummed uploads in a stream whose ``read`` is a
    coroutine; over an in-memory body it never waits, so it is run to the end here.
    """
    body = request.body
    read = getattr(body, "read", None)
    if read is None or isinstance(body, (bytes, bytearray, str)):
        return
    if not asyncio.iscoroutinefunction(read):
        return
    chunks: list[bytes] = []
    while True:
        chunk = _run_at_once(read())
        if not chunk:
            break
        chunks.append(chunk if isinstance(chunk, bytes) else bytes(chunk))
    request.body = b"".join(chunks)


def _run_at_once(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that never suspends; refuse one that does (a real stream)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise AsyncClientError(
        problem=(
            "pytest-ecs-tasks cannot send this request body in-process: it is a stream "
            "that waits for data. Pass bytes or a file object as the body instead."
        )
    )
