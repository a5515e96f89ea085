"""pytest-ecs-tasks: realistic Amazon ECS task records and a fake ECS task service."""

from __future__ import annotations

from .clock import Clock
from .factories import ContainerFactory, DescribeTasksResponseFactory, FailureFactory, TaskFactory
from .fake import FakeEcs
from .scenarios import Scenario, failure_scenarios

__all__ = [
    "Clock",
    "ContainerFactory",
    "DescribeTasksResponseFactory",
    "FailureFactory",
    "FakeEcs",
    "Scenario",
    "TaskFactory",
    "failure_scenarios",
]
