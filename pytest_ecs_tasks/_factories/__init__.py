"""Factories for realistic ECS records (factory_boy + Faker).

The factories, one module each: ``.task``, ``.container``, ``.failure``
and ``.describe_tasks`` (on ``.base``). What they build records from:
``._parts`` (a task's and a container's static parts, which the fake service
uses too), made of ``.draws``, ``.ids``, ``.names`` and ``.network``;
``.moments`` places a task in time. ``._checks`` checks their arguments.
"""

from __future__ import annotations

from typing import Any

import factory.random

from .. import _arns as arns
from .._seeding import take_pending
from . import _parts
from .container import ContainerFactory
from .describe_tasks import DescribeTasksResponseFactory
from .failure import FailureFactory
from .task import TaskFactory

__all__ = [
    "ContainerFactory",
    "DescribeTasksResponseFactory",
    "FailureFactory",
    "TaskFactory",
    "reseed",
    "task_parts",
]


def reseed(seed: int) -> None:
    """Reseed every random choice the factories make (Faker's and factory_boy's).

    pytest-randomly reaches it through ``pytest_ecs_tasks._seeding.reseed`` (the
    ``pytest_randomly.random_seeder`` entry point), so ``pytest -p randomly
    --randomly-seed=N`` reproduces the same records.
    """
    factory.random.reseed_random(seed)


class _TaskParts:
    """The static parts of the tasks the fake service starts, from the factories
    (the service's ``TaskParts``: it never imports the factories itself)."""

    def new_task_id(self, *, old_format: bool = False) -> str:
        return _parts.new_task_id(old_format=old_format)

    def static_task(self, identity: arns.TaskIdentity, **kwargs: Any) -> dict[str, Any]:
        return _parts.static_task(identity, **kwargs)


task_parts = _TaskParts()

# pytest-randomly may have named a seed before the factories loaded (see ..seeding).
_seed = take_pending()
if _seed is not None:
    reseed(_seed)
