"""Seeding the factories from pytest-randomly, without loading them.

pytest-randomly loads every ``pytest_randomly.random_seeder`` entry point at the
start of a run and calls it before each test. This one is cheap: until the
factories are imported it only remembers the seed, and the factories apply it
when they load, so their records are the same as if they had been seeded then.

Floor 1: imports nothing from the rest of the package.
"""

from __future__ import annotations

import sys

__all__ = ["reseed", "take_pending"]

_pending: list[int] = []  # the seed to apply when the factories load, if any


def reseed(seed: int) -> None:
    """Reseed every random choice the factories make (Faker's and factory_boy's):
    now if they are loaded, else as they load."""
    if "pytest_ecs_tasks._factories" in sys.modules:
        from ._factories import reseed as reseed_now

        _pending.clear()
        reseed_now(seed)
    else:
        _pending[:] = [seed]


def take_pending() -> int | None:
    """The seed to apply as the factories load (once), or None."""
    return _pending.pop() if _pending else None
