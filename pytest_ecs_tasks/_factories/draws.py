"""The seeded draws every random part of a record comes from.

Everything is drawn with factory_boy's random generator (and its Faker), so
``factory.random.reseed_random`` makes records reproducible. The draws here are
made for speed, as every record makes dozens of them: keep their order and their
number per record, or seeded records change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import factory.random
from factory.faker import Faker as _FactoryFaker
from faker import Faker

__all__ = [
    "choice",
    "digits",
    "faker",
    "getrandbits",
    "hex_digits",
    "randgen",
    "random",
    "randrange",
]

_T = TypeVar("_T")


def randgen() -> Any:
    """factory_boy's random generator (reseeded by ``factory.random.reseed_random``)."""
    return _RANDOM


def faker() -> Faker:
    """The Faker instance factory_boy's declarations use (same seeding)."""
    return _FactoryFaker._get_faker()  # type: ignore[no-any-return]


#: factory_boy's generator itself: ``reseed_random`` sets its state in place, so the
#: object never changes and every draw can use it without a lookup.
_RANDOM = factory.random.randgen
#: ``random.getrandbits`` of the seeded generator.
getrandbits = _RANDOM.getrandbits
#: ``random.random`` of the seeded generator: a float in [0, 1).
random = _RANDOM.random


def choice(seq: Sequence[_T]) -> _T:
    """``random.choice`` from one ``random()`` draw: twice as fast, and for the
    short sequences drawn from here (a few thousand items at most) no further from
    uniform than 2**-40."""
    return seq[int(random() * len(seq))]


def randrange(start: int, stop: int | None = None) -> int:
    """``random.randrange`` (one or two arguments) from one ``random()`` draw, like
    ``choice``: for the ranges drawn from here (under 2**16)."""
    if stop is None:
        start, stop = 0, start
    return start + int(random() * (stop - start))


def digits(n: int) -> str:
    """``n`` random decimal digits."""
    if n <= 15:  # within the 53 bits of one random() draw
        return f"{int(random() * 10**n):0{n}d}"
    return f"{_RANDOM.randrange(10**n):0{n}d}"


def hex_digits(count: int) -> str:
    """``count`` random hex digits. A record draws all its ids' digits at once:
    one draw and one formatting instead of one per id."""
    return f"{getrandbits(4 * count):0{count}x}"
