"""pytest-ecs-tasks: realistic Amazon ECS task records and a fake ECS task service.

Importing the package is cheap: the names below load what they need (boto3,
moto, factory_boy, Faker) the first time they are used, so a pytest run that
has the plugin installed but does not use it pays nothing for them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .clock import Clock
    from .factories import (
        ContainerFactory,
        DescribeTasksResponseFactory,
        FailureFactory,
        TaskFactory,
    )
    from .fake import FakeEcs
    from .scenarios import Scenario, failure_scenarios
    from .transport.aio_answers import AsyncClientError
    from .transport.moto_bridge import StaleClientError, UnansweredRequestError

__all__ = [
    "AsyncClientError",
    "Clock",
    "ContainerFactory",
    "DescribeTasksResponseFactory",
    "FailureFactory",
    "FakeEcs",
    "Scenario",
    "StaleClientError",
    "TaskFactory",
    "UnansweredRequestError",
    "failure_scenarios",
]

#: Where each public name lives, loaded on first use.
_HOMES = {
    "AsyncClientError": ".transport.aio_answers",
    "Clock": ".clock",
    "ContainerFactory": ".factories",
    "DescribeTasksResponseFactory": ".factories",
    "FailureFactory": ".factories",
    "FakeEcs": ".fake",
    "Scenario": ".scenarios",
    "StaleClientError": ".transport.moto_bridge",
    "TaskFactory": ".factories",
    "UnansweredRequestError": ".transport.moto_bridge",
    "failure_scenarios": ".scenarios",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
