"""pytest-ecs-tasks: realistic Amazon ECS task records and a fake ECS task service.

Everything a user handles is exported here, and only here: the modules behind
it have a leading underscore and may change without notice.

Importing the package is cheap: the names below load what they need (boto3,
moto, factory_boy, Faker) the first time they are used, so a pytest run that
has the plugin installed but does not use it pays nothing for them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._clock import Clock, ClockError
    from ._factories import (
        ContainerFactory,
        DescribeTasksResponseFactory,
        FailureFactory,
        TaskFactory,
    )
    from ._fake import FakeEcs
    from ._lifecycle import Timings
    from ._record_types import (
        ClusterRecord,
        ContainerRecord,
        DescribeTasksRecord,
        FailureRecord,
        TaskRecord,
    )
    from ._scenarios import Arranged, Scenario, failure_scenarios
    from ._server import EcsServer
    from ._service.core import Call
    from ._service.errors import EcsError
    from ._service.faults import Fault
    from ._service.timeline_feed import DeliveryWarning
    from ._settings import SettingError
    from ._transport.aio_answers import AsyncClientError
    from ._transport.moto_bridge import StaleClientError, UnansweredRequestError
    from ._wire import from_wire, to_wire

__all__ = [
    "Arranged",
    "AsyncClientError",
    "Call",
    "Clock",
    "ClockError",
    "ClusterRecord",
    "ContainerFactory",
    "ContainerRecord",
    "DeliveryWarning",
    "DescribeTasksRecord",
    "DescribeTasksResponseFactory",
    "EcsError",
    "EcsServer",
    "FailureFactory",
    "FailureRecord",
    "FakeEcs",
    "Fault",
    "Scenario",
    "SettingError",
    "StaleClientError",
    "TaskFactory",
    "TaskRecord",
    "Timings",
    "UnansweredRequestError",
    "failure_scenarios",
    "from_wire",
    "to_wire",
]

#: Where each public name lives, loaded on first use.
_HOMES = {
    "Arranged": "._scenarios",
    "AsyncClientError": "._transport.aio_answers",
    "Call": "._service.core",
    "Clock": "._clock",
    "ClockError": "._clock",
    "ClusterRecord": "._record_types",
    "ContainerFactory": "._factories",
    "DeliveryWarning": "._service.timeline_feed",
    "ContainerRecord": "._record_types",
    "DescribeTasksRecord": "._record_types",
    "DescribeTasksResponseFactory": "._factories",
    "EcsError": "._service.errors",
    "EcsServer": "._server",
    "FailureFactory": "._factories",
    "FailureRecord": "._record_types",
    "FakeEcs": "._fake",
    "Fault": "._service.faults",
    "Scenario": "._scenarios",
    "SettingError": "._settings",
    "StaleClientError": "._transport.moto_bridge",
    "TaskFactory": "._factories",
    "TaskRecord": "._record_types",
    "Timings": "._lifecycle",
    "UnansweredRequestError": "._transport.moto_bridge",
    "failure_scenarios": "._scenarios",
    "from_wire": "._wire",
    "to_wire": "._wire",
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
