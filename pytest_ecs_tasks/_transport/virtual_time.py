"""Hand botocore's waiter and retry sleeps to a function of the test's choosing.

botocore sleeps in these places, all reached through a module-level name:

* ``botocore.waiter`` calls ``time.sleep`` between a waiter's polls;
* ``botocore.endpoint`` calls ``time.sleep`` before each retry, whatever the
  retry mode (legacy, standard and adaptive all hand it the delay);
* adaptive mode's client-side rate limiter, built per client from
  ``botocore.retries.bucket``, reads its own ``bucket.Clock`` (``time.time``)
  and blocks on a ``threading.Condition`` with a timeout until its token bucket
  refills;
* standard mode's ``RetryHandler`` keeps a ``sleep=time.sleep`` default
  argument, used only to pause long-polling operations (SQS, Step Functions,
  SWF) once the retry quota is spent.

While a sleeper is installed those names point at stand-ins: a ``time`` whose
``sleep`` calls the sleeper, a ``Clock`` that reads the real time plus every
second slept through a sleeper so far (so a token bucket sees virtual time pass
and refills), a ``threading`` whose ``Condition`` turns timed waits into virtual
sleeps, and the stand-in ``sleep`` as the default argument. ``time.sleep``
itself is untouched. The stand-ins look for a sleeper on every call, from any
thread, and sleep for real when none is installed, so objects botocore built
with them keep working after uninstalling.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import FunctionType, ModuleType
from typing import Any, cast

import botocore.endpoint
import botocore.waiter
from botocore.retries import bucket, standard

from .nesting import Nested

__all__ = ["Sleeper", "VirtualClock", "current_sleeper", "install_sleeper", "virtual_sleep"]

Sleeper = Callable[[float], None]
"""``sleeper(seconds)`` is called instead of ``time.sleep(seconds)``."""

_lock = threading.Lock()  # around _virtual_seconds
#: The installed sleepers, innermost last: the first patches botocore, the last unpatches.
_installed: Nested[_Installed] = Nested(lambda: _patch())
_virtual_seconds = 0.0  # seconds slept through sleepers so far, process-wide, never reset


class _Installed:
    """One ``install_sleeper`` call, told apart from others by identity."""

    def __init__(self, sleeper: Sleeper) -> None:
        self.sleeper = sleeper


def current_sleeper() -> Sleeper | None:
    """The innermost installed sleeper, or None."""
    entry = _installed.innermost()
    return entry.sleeper if entry is not None else None


class _VirtualTime:
    """Stands in for the ``time`` module inside ``botocore.waiter`` and ``botocore.endpoint``."""

    def sleep(self, seconds: float) -> None:
        """Call the installed sleeper, or really sleep when there is none."""
        global _virtual_seconds
        sleeper = current_sleeper()
        if sleeper is None:
            time.sleep(seconds)
            return
        sleeper(seconds)
        with _lock:
            _virtual_seconds += seconds

    def __getattr__(self, name: str) -> Any:
        """Anything else is the real ``time`` module's."""
        return getattr(time, name)


_TIME = _VirtualTime()


def virtual_sleep(seconds: float) -> None:
    """Sleep ``seconds`` through the installed sleeper, or for real when there is none."""
    _TIME.sleep(seconds)


class VirtualClock(bucket.Clock):
    """Adaptive mode's clock, on which virtual sleeps pass as well as real time.

    Never runs backwards: the seconds slept through sleepers are never forgotten.
    """

    def sleep(self, amount: float) -> None:
        """Sleep through the installed sleeper, or for real when there is none."""
        _TIME.sleep(amount)

    def current_time(self) -> float:
        """The real ``time.time()`` plus every second slept through a sleeper so far."""
        return time.time() + _virtual_seconds


class _VirtualCondition(threading.Condition):
    """A condition variable whose timed waits become virtual sleeps while a sleeper is installed."""

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep ``timeout`` seconds through the sleeper (lock released meanwhile) if one is set."""
        if timeout is None or current_sleeper() is None:
            return super().wait(timeout)
        self.release()
        try:
            _TIME.sleep(timeout)
        finally:
            self.acquire()
        return False


class _VirtualThreading:
    """Stands in for the ``threading`` module inside ``botocore.retries.bucket``."""

    Condition = _VirtualCondition

    def __getattr__(self, name: str) -> Any:
        """Anything else is the real ``threading`` module's."""
        return getattr(threading, name)


# (module, global name, stand-in): the names replaced while a sleeper is installed.
_REPLACEMENTS: tuple[tuple[ModuleType, str, object], ...] = (
    (botocore.waiter, "time", _TIME),
    (botocore.endpoint, "time", _TIME),
    (bucket, "Clock", VirtualClock),
    (bucket, "threading", _VirtualThreading()),
)
_RETRY_HANDLER_INIT = cast("FunctionType", standard.RetryHandler.__init__)


def _patch() -> Callable[[], None]:
    """Point botocore's names at the stand-ins; return the function that puts them back."""
    originals = [vars(module)[name] for module, name, _ in _REPLACEMENTS]
    defaults = _RETRY_HANDLER_INIT.__defaults__
    for module, name, stand_in in _REPLACEMENTS:
        vars(module)[name] = stand_in
    if defaults is not None:
        _RETRY_HANDLER_INIT.__defaults__ = tuple(
            _TIME.sleep if value is time.sleep else value for value in defaults
        )

    def unpatch() -> None:
        """Put back exactly what was replaced."""
        for (module, name, _), original in zip(_REPLACEMENTS, originals, strict=True):
            vars(module)[name] = original
        _RETRY_HANDLER_INIT.__defaults__ = defaults

    return unpatch


def install_sleeper(sleeper: Sleeper) -> Callable[[], None]:
    """Make botocore's waiter and retry sleeps call ``sleeper(seconds)``, in every thread.

    Returns the function that uninstalls it (calling that again does nothing).
    Installs nest: the most recently installed sleeper still installed is the one
    called; when the last is uninstalled botocore is exactly as it was.
    """
    entry = _Installed(sleeper)
    _installed.add(entry)

    def uninstall() -> None:
        """Stop sending botocore's sleeps to this sleeper."""
        _installed.remove(entry)

    return uninstall
