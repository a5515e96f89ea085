from __future__ import annotations

import pytest
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs


@pytest.fixture
def ecs(ecs_tasks: FakeEcs) -> ECSClient:
    """A boto3 ECS client in the fake's home region."""
    return ecs_tasks.client()
