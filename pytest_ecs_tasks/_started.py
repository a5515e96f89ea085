"""``with`` and ``async with`` for what starts and stops (``FakeEcs``, ``EcsServer``)."""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

__all__ = ["StartStop"]

_Self = TypeVar("_Self", bound="StartStop")


class StartStop:
    """``with x:`` and ``async with x:`` start ``x`` and stop it again: starting and
    stopping never wait, so an async test can use either."""

    def start(self: _Self) -> _Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self: _Self) -> _Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self: _Self) -> _Self:
        return self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop()
