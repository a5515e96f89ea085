"""pytest-ecs-tasks: realistic Amazon ECS task records and a fake ECS task service."""

from __future__ import annotations

from .clock import Clock
from .factories import ContainerFactory, DescribeTasksResponseFactory, FailureFactory, TaskFactory
from .fake import FakeEcs

__all__ = [
    "Clock",
    "ContainerFactory",
    "DescribeTasksResponseFactory",
    "FailureFactory",
    "FakeEcs",
    "TaskFactory",
]
