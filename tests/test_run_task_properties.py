"""RunTask's new inputs against botocore's model: whatever overrides, health checks
and container plans a caller gives, every record RunTask and DescribeTasks answer
validates, and the task shows the overrides it was given."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs

from .consistency import assert_valid_response
from .setups import fargate_network, register_fargate

CONTAINERS: list[dict[str, Any]] = [
    {
        "name": "app",
        "image": "app:1",
        "essential": True,
        "healthCheck": {"command": ["CMD-SHELL", "true"], "interval": 5, "retries": 2},
    },
    {"name": "sidecar", "image": "envoy", "essential": False, "dependsOn": []},
]
#: Task sizes Fargate accepts (cpu units, MiB).
SIZES = [("256", "512"), ("512", "1024"), ("1024", "2048")]

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_ ", min_size=1, max_size=12)
environment = st.lists(
    st.fixed_dictionaries({"name": words.map(str.strip).filter(bool), "value": words}),
    max_size=3,
)
container_override = st.fixed_dictionaries(
    {"name": st.sampled_from(["app", "sidecar"])},
    optional={
        "command": st.lists(words, min_size=1, max_size=3),
        "environment": environment,
        "cpu": st.integers(0, 128),
        "memory": st.integers(64, 256),
    },
)
overrides = st.fixed_dictionaries(
    {"containerOverrides": st.lists(container_override, max_size=2, unique_by=lambda o: o["name"])},
    optional={"cpu_memory": st.sampled_from(SIZES)},
)
plans = st.fixed_dictionaries(
    {},
    optional={
        "unhealthy_after": st.integers(0, 300).map(lambda s: {"app": s}),
        "runs_for": st.integers(1, 600).map(lambda s: {"sidecar": s}),
        "exit_code": st.integers(0, 255).map(lambda c: {"sidecar": c}),
    },
)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeEcs, ECSClient, Any]]:
    with FakeEcs() as fake:
        ecs = fake.client()
        register_fargate(ecs, "app", CONTAINERS)
        yield fake, ecs, fargate_network()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides, plans, st.lists(st.integers(0, 900), min_size=1, max_size=4))
def test_every_answer_validates_and_shows_its_overrides(
    served: tuple[FakeEcs, ECSClient, Any],
    given_overrides: dict[str, Any],
    plan: dict[str, Any],
    moves: list[int],
) -> None:
    fake, ecs, network = served
    request_overrides: Any = {"containerOverrides": given_overrides["containerOverrides"]}
    if "cpu_memory" in given_overrides:
        request_overrides["cpu"], request_overrides["memory"] = given_overrides["cpu_memory"]
    fake.plan_runs(times=1, **plan)

    answer: dict[str, Any] = dict(
        ecs.run_task(
            taskDefinition="app",
            launchType="FARGATE",
            networkConfiguration=network,
            overrides=request_overrides,
        )
    )
    answer.pop("ResponseMetadata")
    assert_valid_response("RunTask", answer)
    [task] = answer["tasks"]
    shown = task["overrides"]
    shown_by_name = {o["name"]: o for o in shown["containerOverrides"]}
    assert list(shown_by_name) == ["app", "sidecar"]  # every container, in the definition's order
    for override in request_overrides["containerOverrides"]:
        assert shown_by_name[override["name"]] == override  # as given
    if "cpu" in request_overrides:
        assert (task["cpu"], task["memory"]) == (
            request_overrides["cpu"],
            request_overrides["memory"],
        )

    for seconds in sorted(moves):
        fake.clock.advance(seconds=seconds)
        described: dict[str, Any] = dict(ecs.describe_tasks(tasks=[task["taskArn"]]))
        described.pop("ResponseMetadata")
        assert_valid_response("DescribeTasks", described)
        [now] = described["tasks"]
        assert now["overrides"] == shown
        assert now["healthStatus"] in ("UNKNOWN", "HEALTHY", "UNHEALTHY")
    ecs.stop_task(task=task["taskArn"])
