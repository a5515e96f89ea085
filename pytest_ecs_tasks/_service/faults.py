"""Injected faults: the next calls of an operation answer with an ECS error."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import EcsError

__all__ = ["Fault", "Faults"]


@dataclass
class Fault:
    """An injected error, as ``FakeEcs.fail()`` returns it: the next ``times``
    calls of ``operation`` fail with ``code`` (``times=None``: every call)."""

    operation: str
    """The ECS operation it answers, like ``"DescribeTasks"``."""
    code: str
    """The error code the call raises, like ``"ThrottlingException"``."""
    message: str | None
    """The error message (``None``: the service's usual one for ``code``)."""
    times: int | None
    """How many calls it answers (``None``: every call until the test ends)."""
    used: int = 0
    """How many calls it has answered so far."""

    @property
    def exhausted(self) -> bool:
        """Whether it has answered its ``times`` calls."""
        return self.times is not None and self.used >= self.times

    def __str__(self) -> str:
        times = "every call" if self.times is None else f"{self.times} call(s)"
        return f"{self.operation} -> {self.code} ({times}, used {self.used})"


class Faults:
    """The faults waiting for their calls, first injected first used."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def take(self, operation: str) -> EcsError | None:
        """The error the next call of ``operation`` answers with, if a fault waits for it."""
        with self._lock:
            for fault in self._faults:
                if fault.operation == operation and not fault.exhausted:
                    fault.used += 1
                    return EcsError(fault.code, fault.message)
        return None

    def unused(self) -> list[Fault]:
        """Faults that were injected but never answered a call."""
        with self._lock:
            return [f for f in self._faults if f.used == 0]

    def __iter__(self) -> Iterator[Fault]:
        """Every fault injected so far, first injected first."""
        with self._lock:
            return iter(list(self._faults))
