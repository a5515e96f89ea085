"""``Clock.sleeps_in``: the sleeps of the named modules move the fake clock, nothing else's."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import types
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from pytest_ecs_tasks import Clock
from pytest_ecs_tasks._clock import LATEST, ClockError

POLLER = """
import asyncio
import time
import time as walltime
from asyncio import sleep as nap
from time import sleep

async def poll_async(times, delay):
    for _ in range(times):
        await asyncio.sleep(delay)

async def nap_async(delay):
    return await nap(delay, result="woke")

def poll(times, delay):
    for _ in range(times):
        time.sleep(delay)

def poll_aliases(delay):
    sleep(delay)
    walltime.sleep(delay)

def monotonic():
    return time.monotonic()
"""


@pytest.fixture
def poller() -> Iterator[types.ModuleType]:
    """A module that sleeps between polls, importable by name."""
    module = types.ModuleType("ecs_poller_under_test")
    exec(POLLER, module.__dict__)
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


def test_time_sleep_in_the_module_moves_the_clock_at_once(
    ecs_clock: Clock, poller: types.ModuleType
) -> None:
    before = ecs_clock.now()
    wall = time.monotonic()
    with ecs_clock.sleeps_in(poller):
        poller.poll(20, 30)
    assert ecs_clock.now() - before == timedelta(minutes=10)
    assert time.monotonic() - wall < 2


def test_asyncio_sleep_in_the_module_moves_the_clock_and_keeps_its_result(
    ecs_clock: Clock, poller: types.ModuleType
) -> None:
    async def main() -> Any:
        await poller.poll_async(4, 15)
        return await poller.nap_async(60)

    before = ecs_clock.now()
    with ecs_clock.sleeps_in("ecs_poller_under_test"):
        assert asyncio.run(main()) == "woke"
    assert ecs_clock.now() - before == timedelta(minutes=2)


def test_every_name_the_module_sleeps_through_is_covered(
    ecs_clock: Clock, poller: types.ModuleType
) -> None:
    before = ecs_clock.now()
    with ecs_clock.sleeps_in(poller):
        poller.poll_aliases(45)  # `from time import sleep` and `import time as walltime`
        assert poller.monotonic() > 0  # the rest of the time module is the real one
    assert ecs_clock.now() - before == timedelta(seconds=90)


def test_the_rest_of_the_program_sleeps_in_wall_time(
    ecs_clock: Clock, poller: types.ModuleType
) -> None:
    before = ecs_clock.now()
    with ecs_clock.sleeps_in(poller):
        wall = time.monotonic()
        time.sleep(0.05)  # this module's own sleep
        asyncio.run(asyncio.sleep(0.05))
        assert time.monotonic() - wall >= 0.1
    assert ecs_clock.now() == before


def test_names_are_put_back_on_leaving_even_after_an_error(
    ecs_clock: Clock, poller: types.ModuleType
) -> None:
    originals = dict(vars(poller))

    def poll_and_fail() -> None:
        with ecs_clock.sleeps_in(poller):
            assert poller.time is not time
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        poll_and_fail()
    assert {name: vars(poller)[name] for name in originals} == originals
    assert poller.time is time and poller.asyncio is asyncio
    assert poller.sleep is time.sleep and poller.nap is asyncio.sleep


def test_nested_uses_the_innermost_clock_and_unwind_in_order(poller: types.ModuleType) -> None:
    outer, inner = Clock(), Clock()
    with outer.sleeps_in(poller):
        poller.poll(1, 10)
        with inner.sleeps_in(poller):
            poller.poll(1, 20)
        poller.poll(1, 30)
    assert outer.now() - Clock().now() == timedelta(seconds=40)
    assert inner.now() - Clock().now() == timedelta(seconds=20)
    assert poller.time is time


def test_sleeps_from_other_threads_in_the_module_move_the_clock(
    ecs_clock: Clock, poller: types.ModuleType
) -> None:
    before = ecs_clock.now()
    with ecs_clock.sleeps_in(poller):
        worker = threading.Thread(target=poller.poll, args=(3, 100))
        worker.start()
        worker.join(timeout=10)
    assert ecs_clock.now() - before == timedelta(seconds=300)


def test_a_negative_asyncio_delay_is_no_wait_as_in_asyncio(
    ecs_clock: Clock, poller: types.ModuleType
) -> None:
    before = ecs_clock.now()
    with ecs_clock.sleeps_in(poller):
        asyncio.run(poller.poll_async(1, -5))
    assert ecs_clock.now() == before


def test_bad_sleeps_fail_in_the_caller_with_the_clocks_words(
    poller: types.ModuleType,
) -> None:
    clock = Clock(start=LATEST - timedelta(seconds=10))
    with clock.sleeps_in(poller):
        with pytest.raises(ValueError, match=r"sleep\(-1\): give a finite number of seconds"):
            poller.poll(1, -1)  # as time.sleep(-1) raises ValueError
        with pytest.raises(ClockError, match="cannot pass 5000-01-01"):
            poller.poll(1, 60)


@pytest.mark.parametrize(
    ("modules", "error", "message"),
    [
        (
            (),
            TypeError,
            "sleeps_in(): name at least one module whose sleeps should move the clock, "
            "like sleeps_in('airflow.providers.amazon.aws.triggers.ecs')",
        ),
        (
            (3,),
            TypeError,
            "sleeps_in(): got 3 (int); give modules or their dotted names, "
            "like sleeps_in('mypackage.poller')",
        ),
        (
            ("no_such_package.poller",),
            ValueError,
            "sleeps_in(): no module named 'no_such_package.poller' can be imported "
            "(No module named 'no_such_package'); give a module object or its full dotted name",
        ),
        (
            ("json",),
            ValueError,
            "sleeps_in(): the module 'json' has no global name for time, asyncio, time.sleep "
            "or asyncio.sleep, so none of its sleeps can move the clock; name the module "
            "whose code calls sleep (where `import time` or `import asyncio` is written)",
        ),
    ],
    ids=["nothing", "not-a-module", "missing", "never-sleeps"],
)
def test_bad_modules_are_refused_where_they_are_given(
    modules: tuple[Any, ...], error: type[Exception], message: str
) -> None:
    clock = Clock()
    with pytest.raises(error) as raised:
        clock.sleeps_in(*modules)
    assert str(raised.value) == message
