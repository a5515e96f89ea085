"""Factories for realistic ECS records (factory_boy + Faker)."""

from __future__ import annotations

import factory.random

from .._seeding import take_pending
from .factories import ContainerFactory, DescribeTasksResponseFactory, FailureFactory, TaskFactory

__all__ = [
    "ContainerFactory",
    "DescribeTasksResponseFactory",
    "FailureFactory",
    "TaskFactory",
    "reseed",
]


def reseed(seed: int) -> None:
    """Reseed every random choice the factories make (Faker's and factory_boy's).

    pytest-randomly reaches it through :func:`pytest_ecs_tasks._seeding.reseed` (the
    ``pytest_randomly.random_seeder`` entry point), so ``pytest -p randomly
    --randomly-seed=N`` reproduces the same records.
    """
    factory.random.reseed_random(seed)


# pytest-randomly may have named a seed before the factories loaded (see ..seeding).
_seed = take_pending()
if _seed is not None:
    reseed(_seed)
