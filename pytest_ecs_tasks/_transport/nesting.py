"""What nests: routes and sleepers that share one installation (patches, moto's
``mock_aws``), made by the first to start and undone by the last to stop."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

__all__ = ["Nested"]

T = TypeVar("T")


class Nested(Generic[T]):
    """Active entries, innermost last, sharing one installation: ``install()`` runs
    when the first is added and what it returns runs when the last is removed.
    Entries may be removed in any order; the innermost still active is in use."""

    def __init__(self, install: Callable[[], Callable[[], None]]) -> None:
        #: Held around every change and read (reentrant: callers may hold it too).
        self.lock = threading.RLock()
        self._entries: list[T] = []
        self._install = install
        self._undo: Callable[[], None] | None = None

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __iter__(self) -> Iterator[T]:
        """The active entries as they are now, outermost first."""
        with self.lock:
            return iter(list(self._entries))

    def __contains__(self, entry: object) -> bool:
        with self.lock:
            return entry in self._entries

    def innermost(self) -> T | None:
        with self.lock:
            return self._entries[-1] if self._entries else None

    def add(self, entry: T) -> None:
        with self.lock:
            if not self._entries:
                self._undo = self._install()
            self._entries.append(entry)

    def remove(self, entry: T) -> None:
        """Remove ``entry`` (nothing if it is not there); the last one out uninstalls."""
        with self.lock:
            if entry not in self._entries:
                return
            self._entries.remove(entry)
            if not self._entries and self._undo is not None:
                undo, self._undo = self._undo, None
                undo()
