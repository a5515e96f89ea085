"""The fake service's clock: frozen until told to move, and only ever forwards.

Floor 1: imports nothing from the rest of the package.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

__all__ = ["DEFAULT_START", "Clock", "ClockError", "current_time", "to_utc"]

#: Where a fresh clock starts unless told otherwise: a fixed, documented instant,
#: so records and timelines are the same on every run.
DEFAULT_START = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)

When = datetime | date | str | float | int


class ClockError(ValueError):
    """The clock was asked to do something it cannot do (like move backwards)."""


def to_utc(when: When) -> datetime:
    """Turn ``when`` into an aware UTC datetime.

    Accepts an aware or naive ``datetime`` (naive is taken as UTC, like
    time-machine does), a ``date`` (midnight UTC), an ISO 8601 string or epoch
    seconds.
    """
    if isinstance(when, bool):
        raise TypeError(
            f"expected a datetime, date, ISO 8601 string or epoch seconds, got {when!r}"
        )
    if isinstance(when, datetime):
        dt = when
    elif isinstance(when, date):
        dt = datetime(when.year, when.month, when.day)
    elif isinstance(when, str):
        text = when.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{when!r} is not an ISO 8601 date or time; write it like '2024-01-01T12:00:00Z'"
            ) from None
    elif isinstance(when, (int, float)):
        dt = datetime.fromtimestamp(when, tz=timezone.utc)
    else:
        raise TypeError(
            f"expected a datetime, date, ISO 8601 string or epoch seconds, got {type(when).__name__}"
        )
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


class Clock:
    """A clock that never ticks by itself.

    ``now()`` returns the same instant until ``advance()`` or ``move_to()`` moves
    it forward. Thread-safe.
    """

    def __init__(self, start: When | None = None) -> None:
        self._now = DEFAULT_START if start is None else to_utc(start)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[datetime], None]] = []

    def __repr__(self) -> str:
        return f"<Clock {self._now.isoformat()}>"

    def now(self) -> datetime:
        """The current fake time, an aware UTC ``datetime``."""
        return self._now

    def timestamp(self) -> float:
        """The current fake time in epoch seconds."""
        return self._now.timestamp()

    def advance(self, delta: timedelta | float | None = None, **kwargs: float) -> datetime:
        """Move the clock forward by ``delta`` (a ``timedelta`` or seconds) or by
        ``timedelta`` keyword arguments (``advance(minutes=5)``). Returns the new time."""
        if delta is None:
            if not kwargs:
                raise TypeError(
                    "advance() needs how far to move: advance(timedelta(minutes=5)), "
                    "advance(300) or advance(minutes=5)"
                )
            try:
                step = timedelta(**kwargs)
            except TypeError as exc:
                raise TypeError(
                    f"advance(): {exc}; use timedelta's keywords, like minutes=5"
                ) from None
        elif kwargs:
            raise TypeError("advance() takes either a delta or keyword arguments, not both")
        elif isinstance(delta, timedelta):
            step = delta
        elif isinstance(delta, (int, float)) and not isinstance(delta, bool):
            step = timedelta(seconds=delta)
        else:
            raise TypeError(f"advance() takes a timedelta or seconds, got {type(delta).__name__}")
        if step < timedelta(0):
            raise ClockError(
                f"the clock only moves forward; advance() got {step}. "
                "Start the clock earlier instead (the `start` option of the ecs_tasks marker)."
            )
        with self._lock:
            self._now = self._now + step
            now = self._now
        self._notify(now)
        return now

    def move_to(self, when: When) -> datetime:
        """Move the clock forward to ``when`` (naive datetimes are UTC). Moving back is an error."""
        target = to_utc(when)
        with self._lock:
            if target < self._now:
                raise ClockError(
                    f"the clock only moves forward: it reads {self._now.isoformat()} and "
                    f"move_to() asked for {target.isoformat()}. Start the clock earlier instead "
                    "(the `start` option of the ecs_tasks marker, or Clock(start=...))."
                )
            self._now = target
        self._notify(target)
        return target

    def sleep(self, seconds: float) -> None:
        """What a sleep means on this clock: move forward by ``seconds``, at once."""
        if seconds > 0:
            self.advance(timedelta(seconds=seconds))

    def on_move(self, listener: Callable[[datetime], None]) -> Callable[[], None]:
        """Call ``listener(now)`` after each move; returns a function that unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, now: datetime) -> None:
        for listener in list(self._listeners):
            listener(now)


_active: list[Clock] = []
_active_lock = threading.Lock()


def push_active(clock: Clock) -> Callable[[], None]:
    """Make ``clock`` the one :func:`current_time` reads, until the returned function is called."""
    with _active_lock:
        _active.append(clock)

    def pop() -> None:
        with _active_lock:
            if clock in _active:
                _active.reverse()
                _active.remove(clock)
                _active.reverse()

    return pop


def current_time() -> datetime:
    """The time records describe by default: the clock of the innermost active
    fake ECS service, else the wall clock (UTC)."""
    with _active_lock:
        if _active:
            return _active[-1].now()
    return datetime.now(timezone.utc)
