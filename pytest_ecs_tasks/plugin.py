"""The pytest plugin: fixtures, marker, options. Glue only."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ecs_tasks(region=..., account_id=..., start=..., retention=..., long_arn_format=True, "
        "seed=...): configure the fake ECS service of the ecs_tasks fixture for this test",
    )
