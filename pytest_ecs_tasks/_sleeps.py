"""Turn the sleeps of chosen modules into moves of a clock: ``Clock.sleeps_in``.

Orchestrators often sleep between polls themselves (Airflow's ECS trigger
awaits ``asyncio.sleep(waiter_delay)``, Prefect's worker calls ``time.sleep``).
Inside ``clock.sleeps_in(module)``, those sleeps move the fake clock at once
instead of waiting. Only the named modules' own global names change: a module
global bound to the ``time`` or ``asyncio`` module is replaced by a stand-in
whose ``sleep`` moves the clock (everything else on it is the real module's),
and one bound to ``time.sleep`` or ``asyncio.sleep`` themselves (``from time
import sleep``) by the clock's sleep. Every other module, and ``time.sleep``
itself, is untouched, so the rest of the program sleeps in wall time.

Floor 1: imports nothing from the rest of the package.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

__all__ = ["Sleeper", "patched_sleeps", "resolve_modules"]

Sleeper = Callable[[float], None]
"""``sleeper(seconds)``: what a virtual sleep does (moves a clock), validating its argument."""

_lock = threading.Lock()


def resolve_modules(what: str, modules: tuple[object, ...]) -> list[ModuleType]:
    """The modules named by ``modules`` (module objects or dotted names, imported
    here if need be), each checked; ``what`` names the call in error messages."""
    if not modules:
        raise TypeError(
            f"{what}: name at least one module whose sleeps should move the clock, "
            "like sleeps_in('airflow.providers.amazon.aws.triggers.ecs')"
        )
    resolved: list[ModuleType] = []
    for module in modules:
        if isinstance(module, ModuleType):
            resolved.append(module)
        elif isinstance(module, str):
            try:
                resolved.append(importlib.import_module(module))
            except ModuleNotFoundError as exc:
                raise ValueError(
                    f"{what}: no module named {module!r} can be imported ({exc}); "
                    "give a module object or its full dotted name"
                ) from None
        else:
            raise TypeError(
                f"{what}: got {module!r} ({type(module).__name__}); "
                "give modules or their dotted names, like sleeps_in('mypackage.poller')"
            )
    for module in resolved:
        if not any(_stand_in_for(value, _ignore_sleep) is not None for value in _globals(module)):
            raise ValueError(
                f"{what}: the module {module.__name__!r} has no global name for time, "
                "asyncio, time.sleep or asyncio.sleep, so none of its sleeps can move the "
                "clock; name the module whose code calls sleep (where `import time` or "
                "`import asyncio` is written)"
            )
    return resolved


def _globals(module: ModuleType) -> list[Any]:
    return list(vars(module).values())


def _ignore_sleep(seconds: float) -> None:
    """Placeholder sleeper, only for asking which globals could be replaced."""


@contextmanager
def patched_sleeps(modules: list[ModuleType], sleeper: Sleeper) -> Iterator[None]:
    """While inside, the sleeps called from ``modules`` call ``sleeper`` instead of waiting.

    Nests with itself; on leaving, each replaced name is put back unless
    something else replaced it meanwhile.
    """
    replaced: list[tuple[ModuleType, str, object, object]] = []
    with _lock:
        for module in modules:
            namespace = vars(module)
            for name, value in list(namespace.items()):
                stand_in = _stand_in_for(value, sleeper)
                if stand_in is not None:
                    namespace[name] = stand_in
                    replaced.append((module, name, value, stand_in))
    try:
        yield
    finally:
        with _lock:
            for module, name, original, stand_in in reversed(replaced):
                namespace = vars(module)
                if namespace.get(name) is stand_in:
                    namespace[name] = original


def _stand_in_for(value: object, sleeper: Sleeper) -> object | None:
    """What replaces ``value`` (a module global) while its sleeps move the clock, or None."""
    name = getattr(value, "__name__", None)
    if value is time or (isinstance(value, _SleepingModule) and name == "time"):
        return _SleepingModule(value, _sync_sleep(sleeper))
    if value is asyncio or (isinstance(value, _SleepingModule) and name == "asyncio"):
        return _SleepingModule(value, _async_sleep(sleeper))
    if value is time.sleep or _is_stand_in_sleep(value, "time"):
        return _sync_sleep(sleeper)
    if value is asyncio.sleep or _is_stand_in_sleep(value, "asyncio"):
        return _async_sleep(sleeper)
    return None


def _is_stand_in_sleep(value: object, kind: str) -> bool:
    return getattr(value, "_pytest_ecs_tasks_sleep", None) == kind


def _sync_sleep(sleeper: Sleeper) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        """``time.sleep``, on the fake clock: moves it by ``seconds`` and returns at once."""
        sleeper(seconds)

    sleep._pytest_ecs_tasks_sleep = "time"  # type: ignore[attr-defined]
    return sleep


def _async_sleep(sleeper: Sleeper) -> Callable[..., Any]:
    real_sleep = asyncio.sleep

    async def sleep(delay: float, result: Any = None) -> Any:
        """``asyncio.sleep``, on the fake clock: moves it by ``delay`` and lets the
        event loop run other tasks once, as ``asyncio.sleep(0)`` does."""
        # asyncio.sleep takes a negative delay as 0; so does this.
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay > 0:
            sleeper(delay)
        await real_sleep(0)
        return result

    sleep._pytest_ecs_tasks_sleep = "asyncio"  # type: ignore[attr-defined]
    return sleep


class _SleepingModule:
    """Stands in for the ``time`` or ``asyncio`` module in one module: ``sleep``
    moves the clock, anything else is the real module's."""

    def __init__(self, wrapped: object, sleep: Callable[..., Any]) -> None:
        self.sleep = sleep
        self._wrapped = wrapped

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)

    def __repr__(self) -> str:
        name = getattr(self._wrapped, "__name__", "?")
        return f"<module {name!r} (sleeps move the fake ECS clock)>"
