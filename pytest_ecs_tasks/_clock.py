"""The fake service's clock: frozen until told to move, and only ever forwards.

Floor 1: imports nothing from the rest of the package.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta, timezone
from types import ModuleType

__all__ = [
    "DEFAULT_START",
    "LATEST",
    "LONGEST",
    "Clock",
    "ClockError",
    "current_time",
    "to_duration",
    "to_utc",
    "travel_with",
]

#: Where a fresh clock starts unless told otherwise: a fixed, documented instant,
#: so records and timelines are the same on every run.
DEFAULT_START = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
#: The clock never passes this instant, nor starts after it: a task's timeline
#: and its retention are added to the clock's time, and Python's datetimes end
#: in the year 9999.
LATEST = datetime(5000, 1, 1, tzinfo=timezone.utc)
#: The longest duration any setting or argument takes (1,000 years).
LONGEST = timedelta(days=365_000)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
_DURATION_FORMS = "a timedelta, seconds, or text like '90m' or '1h'"


def to_duration(value: object) -> timedelta:
    """A non-negative duration of at most ``LONGEST`` from a ``timedelta``,
    seconds (``int`` or ``float``) or text (``"90"``, ``"1.5s"``, ``"5m"``,
    ``"2h"``, ``"1d"``, ``"250ms"``). Anything else raises ``TypeError`` or
    ``ValueError`` saying what is valid."""
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and abs(value) > LONGEST.total_seconds():
            raise ValueError(f"longer than {LONGEST.days:,} days")
        if not math.isfinite(value):
            raise ValueError(f"not a finite number; give {_DURATION_FORMS}")
        if abs(value) > LONGEST.total_seconds():
            raise ValueError(f"longer than {LONGEST.days:,} days")
        result = timedelta(seconds=value)
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if match is None:
            text = value.strip()
            if text.startswith("-") and _DURATION.match(text[1:]):
                raise ValueError("cannot be negative")
            raise ValueError(f"give {_DURATION_FORMS}")
        seconds = float(match[1]) * _UNITS[match[2]]
        if seconds > LONGEST.total_seconds():
            raise ValueError(f"longer than {LONGEST.days:,} days")
        result = timedelta(seconds=seconds)
    else:
        raise TypeError(f"a {type(value).__name__} is not a duration; give {_DURATION_FORMS}")
    if result < timedelta(0):
        raise ValueError("cannot be negative")
    if result > LONGEST:
        raise ValueError(f"longer than {LONGEST.days:,} days")
    return result


When = datetime | date | str | float | int


def _shown(value: object) -> str:
    """``repr(value)``, shortened: a huge number must not make the message huge."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} characters)"


class ClockError(ValueError):
    """The clock was asked to do something it cannot do: move backwards, or past
    the year 5000. A ``ValueError``; the message says what to do instead (start
    the clock earlier, where the clock's owner sets its start)."""


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
        try:
            dt = datetime.fromtimestamp(when, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ValueError(
                f"{when!r} is not a time: epoch seconds must be a finite number "
                f"before {LATEST.isoformat()}"
            ) from None
    else:
        raise TypeError(
            f"expected a datetime, date, ISO 8601 string or epoch seconds, got {type(when).__name__}"
        )
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    try:
        return dt.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(
            f"{when!r} is out of range: give a time before {LATEST.isoformat()}"
        ) from None


class Clock:
    """A clock that never ticks by itself.

    ``now()`` returns the same instant until ``advance()`` or ``move_to()`` moves
    it forward. Thread-safe.
    """

    def __init__(self, start: When | None = None) -> None:
        self._now = DEFAULT_START if start is None else to_utc(start)
        if self._now > LATEST:
            raise ClockError(
                f"start={start!r}: the clock cannot start after {LATEST.isoformat()} "
                "(timelines and retention are added to its time)"
            )
        self._lock = threading.Lock()
        self._listeners: list[Callable[[datetime], None]] = []
        #: Where the owner of this clock sets its start, as its errors advise:
        #: a fake's surface replaces it with its own spelling.
        self._start_hint = "Clock(start=...)"

    def __repr__(self) -> str:
        return f"<Clock {self._now.isoformat()}>"

    def now(self) -> datetime:
        """The current fake time, an aware UTC ``datetime``."""
        return self._now

    def timestamp(self) -> float:
        """The current fake time in epoch seconds."""
        return self._now.timestamp()

    def advance(self, delta: timedelta | float | str | None = None, **kwargs: float) -> datetime:
        """Move the clock forward by ``delta`` (a ``timedelta``, seconds, or text
        like ``"5m"``) or by ``timedelta`` keyword arguments (``advance(minutes=5)``).
        Returns the new time."""
        if delta is None:
            if not kwargs:
                raise TypeError(
                    "advance() needs how far to move: advance(timedelta(minutes=5)), "
                    "advance(300), advance('5m') or advance(minutes=5)"
                )
            for name, value in kwargs.items():
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise TypeError(
                        f"advance({name}={value!r}): give a number, like advance(minutes=5)"
                    )
            try:
                step = timedelta(**kwargs)
            except TypeError as exc:
                raise TypeError(
                    f"advance(): {exc}; use timedelta's keywords, like minutes=5"
                ) from None
            except (OverflowError, ValueError):
                raise ClockError(
                    f"advance({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}): not a "
                    f"finite step of at most {LONGEST.days:,} days"
                ) from None
        elif kwargs:
            raise TypeError("advance() takes either a delta or keyword arguments, not both")
        elif isinstance(delta, timedelta) and delta < timedelta(0):
            step = delta  # refused below, with the clock's own words
        else:
            try:
                step = to_duration(delta)
            except TypeError as exc:
                raise TypeError(f"advance({delta!r}): {exc}") from None
            except ValueError as exc:
                if isinstance(delta, (int, float)) and delta < 0:
                    try:
                        step = timedelta(seconds=delta)
                    except OverflowError:
                        raise ClockError(
                            f"the clock only moves forward; advance() got {_shown(delta)}. "
                            f"Start the clock earlier instead ({self._start_hint})."
                        ) from None
                else:
                    raise ClockError(f"advance({_shown(delta)}): {exc}") from None
        if step < timedelta(0):
            raise ClockError(
                f"the clock only moves forward; advance() got {step}. "
                f"Start the clock earlier instead ({self._start_hint})."
            )
        with self._lock:
            now = self._now
            if step > LATEST - now:
                raise ClockError(
                    f"advance({delta if delta is not None else step!r}): the clock reads "
                    f"{now.isoformat()} and cannot pass {LATEST.isoformat()}"
                )
            self._now = now = now + step
        self._notify(now)
        return now

    def move_to(self, when: When) -> datetime:
        """Move the clock forward to ``when`` (naive datetimes are UTC). Moving back is an error."""
        target = to_utc(when)
        if target > LATEST:
            raise ClockError(
                f"move_to({when!r}): the clock cannot pass {LATEST.isoformat()} "
                "(timelines and retention are added to its time)"
            )
        with self._lock:
            if target < self._now:
                raise ClockError(
                    f"the clock only moves forward: it reads {self._now.isoformat()} and "
                    f"move_to() asked for {target.isoformat()}. Start the clock earlier instead "
                    f"({self._start_hint})."
                )
            self._now = target
        self._notify(target)
        return target

    def sleep(self, seconds: float) -> None:
        """What a sleep means on this clock: move forward by ``seconds``, at once.
        Takes what ``time.sleep`` takes: a non-negative number of seconds."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(
                f"sleep({seconds!r}): give a number of seconds, as to time.sleep(), like sleep(5)"
            )
        if isinstance(seconds, int) and seconds > LONGEST.total_seconds():
            raise ClockError(f"sleep({_shown(seconds)}): longer than {LONGEST.days:,} days")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"sleep({seconds!r}): give a finite number of seconds, 0 or more")
        if seconds > 0:
            self.advance(seconds)

    def sleeps_in(self, *modules: ModuleType | str) -> AbstractContextManager[None]:
        """A context manager: inside it, ``time.sleep`` and ``asyncio.sleep`` as
        called from ``modules`` (module objects or dotted names) move this clock
        at once and return, instead of waiting. The rest of the program is
        untouched. For code that sleeps between polls itself:

            with ecs_tasks.clock.sleeps_in("airflow.providers.amazon.aws.triggers.ecs"):
                ...

        Each module must hold ``time``, ``asyncio``, ``time.sleep`` or
        ``asyncio.sleep`` under a global name (``import time``, ``from asyncio
        import sleep``); name the module whose code calls sleep.
        """
        from ._sleeps import patched_sleeps, resolve_modules

        return patched_sleeps(resolve_modules("sleeps_in()", modules), self.sleep)

    def _rewind(self, when: datetime) -> None:
        """Set the time to ``when``, even backwards: only for a fake's ``reset()``."""
        with self._lock:
            self._now = when
        self._notify(when)

    def on_move(self, listener: Callable[[datetime], None]) -> Callable[[], None]:
        """Call ``listener(now)`` after each move; returns a function that unsubscribes it."""
        if not callable(listener):
            raise TypeError(
                f"on_move({listener!r}): give a function that takes the new time, "
                "like on_move(lambda now: print(now))"
            )
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
    """Make ``clock`` the one ``current_time`` reads, until the returned function is called."""
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


def travel_with(clock: Clock) -> list[Callable[[], None]]:
    """Freeze ``datetime.now()`` and ``time.time()`` at the clock's time and move
    them with it (time-machine); returns what undoes that, in start order."""
    try:
        import time_machine
    except ImportError:
        raise RuntimeError(
            'time_machine=True needs the time-machine package: pip install "pytest-ecs-tasks[time-machine]"'
        ) from None
    travel = time_machine.travel(clock.now(), tick=False)
    traveller = travel.start()
    return [travel.stop, clock.on_move(traveller.move_to)]
