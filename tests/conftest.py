from __future__ import annotations

import os

import pytest
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs

# Some 90 tests start pytest in a subprocess (pytester, the docs' examples). Each
# assertion-rewrites about 200 plugin modules (Faker's and Hypothesis's whole
# packages among them); with PYTHONDONTWRITEBYTECODE set (as on some CI machines)
# none of that is cached and every subprocess compiles them again, about 1.5 s
# each. The children may cache it; this process is unchanged.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.fixture
def ecs(ecs_tasks: FakeEcs) -> ECSClient:
    """A boto3 ECS client in the fake's home region."""
    return ecs_tasks.client()
