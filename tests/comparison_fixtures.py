"""The pytest fixtures that several of the comparison's test modules use. A module
takes them by importing them (``from tests.comparison_fixtures import ...``): pytest
finds a fixture by the names of the test's own module. Each is defined as
``fixture_<name>`` with ``name="<name>"``, so that a test's argument does not shadow
the imported function."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from moto.moto_api import state_manager


@pytest.fixture(autouse=True, name="no_default_amis")
def fixture_no_default_amis(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's EC2 (for default VPCs and container instances) without its catalogue of
    AMIs: none of these tests needs one, and loading it is most of EC2's start."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture(name="transition")
def fixture_transition() -> Iterator[Callable[[dict[str, Any]], None]]:
    """Sets moto's ``ecs::task`` transition for one test, and unsets it after (M5)."""

    def set_it(config: dict[str, Any]) -> None:
        state_manager.set_transition(model_name="ecs::task", transition=config)

    try:
        yield set_it
    finally:
        state_manager.unset_transition("ecs::task")


@pytest.fixture(name="sleeps")
def fixture_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every ``time.sleep`` of the test, recorded instead of slept (botocore's waiters
    sleep with it)."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept
