"""Containers on their own timelines and their health (floor 1: ``_containers``,
``_container_timeline``, ``_health``), read through ``_lifecycle.render_task``; every
record they render validates against botocore's model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck as Checks
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_ecs_tasks import _container_timeline, _containers, _health, _model
from pytest_ecs_tasks import _lifecycle as lifecycle
from pytest_ecs_tasks._arns import TaskIdentity
from pytest_ecs_tasks._containers import ContainerPlan, container_specs, plan_timeline
from pytest_ecs_tasks._factories import task_parts
from pytest_ecs_tasks._health import HealthCheck, HealthPlan, plan_health, task_health

from .consistency import ORDER
from .floors import assert_on_floor_1

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
Defs = list[dict[str, Any]]
CHECK: dict[str, Any] = {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}
STATUSES = lifecycle.TASK_STATUSES
CONTAINER_STATUSES = ("PENDING", "RUNNING", "STOPPED")


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def static(definitions: Sequence[Mapping[str, Any]], launch_type: str = "FARGATE") -> Any:
    identity = TaskIdentity("us-east-1", "123456789012", "default", "0123456789abcdef" * 2)
    return task_parts.static_task(
        identity, launch_type=launch_type, containers=definitions, family="app", revision=1
    )


def render(
    definitions: Sequence[Mapping[str, Any]],
    timeline: lifecycle.Timeline,
    at: float | datetime,
    exits: Mapping[str, lifecycle.ContainerExit] | None = None,
    launch_type: str = "FARGATE",
) -> dict[str, Any]:
    now = at if isinstance(at, datetime) else T0 + s(at)
    task = lifecycle.render_task(static(definitions, launch_type), timeline, now, exits)
    _model.validate_output("DescribeTasks", {"tasks": [task], "failures": []})
    return task


def containers(task: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in task["containers"]}


def since_start(timeline: lifecycle.Timeline, seconds: float) -> datetime:
    """``seconds`` after the first containers start (today's ``startedAt``)."""
    first = T0 + sum(
        (
            timeline.timings.provisioning,
            timeline.timings.pending,
            timeline.timings.pull,
            timeline.timings.activating,
        ),
        timedelta(0),
    )
    return first + s(seconds)


# -- without plans, dependencies or checks: exactly as before ------------------------------


@pytest.mark.parametrize("awsvpc", [True, False])
@pytest.mark.parametrize("runs_for", [None, s(0), s(42)])
def test_without_anything_of_their_own_containers_move_as_before(
    awsvpc: bool, runs_for: timedelta | None
) -> None:
    definitions: Defs = [{"name": "app", "image": "nginx"}, {"name": "log", "essential": False}]
    old = lifecycle.Timeline.plan(T0, awsvpc=awsvpc, runs_for=runs_for)
    new = plan_timeline(T0, awsvpc=awsvpc, runs_for=runs_for, containers=definitions)
    assert new == old and new.containers is None
    parts = static(definitions, "FARGATE" if awsvpc else "EC2")
    exits = {"app": lifecycle.ContainerExit(3)}
    for second in range(0, 120, 3):
        now = T0 + s(second)
        assert lifecycle.render_task(parts, new, now, exits) == lifecycle.render_task(
            parts, old, now, exits
        )


def test_a_start_failure_keeps_its_old_path_whatever_the_plans() -> None:
    definitions: Defs = [{"name": "app", "healthCheck": CHECK}]
    failing = plan_timeline(T0, start_failure="CannotPullContainerError: x", containers=definitions)
    assert failing == lifecycle.Timeline.plan(T0, start_failure="CannotPullContainerError: x")


def test_one_planned_container_keeps_the_lifecycle_instants() -> None:
    definitions: Defs = [{"name": "app"}]
    old = lifecycle.Timeline.plan(T0, runs_for=s(60))
    new = plan_timeline(
        T0, containers=definitions, plans={"app": ContainerPlan(runs_for=s(60), exit_code=3)}
    )
    assert new.stages == old.stages and new.instants == old.instants and new.stop == old.stop
    task = render(definitions, new, 600)
    assert task["stopCode"] == "EssentialContainerExited"
    assert containers(task)["app"]["exitCode"] == 3


# -- containers on their own -----------------------------------------------------------------

SIDECAR: Defs = [{"name": "app", "image": "nginx"}, {"name": "side", "essential": False}]


def test_a_non_essential_container_exits_on_its_own_and_the_task_runs_on() -> None:
    timeline = plan_timeline(
        T0, containers=SIDECAR, plans={"side": ContainerPlan(runs_for=30, exit_code=2)}
    )
    assert timeline.stop is None
    before = render(SIDECAR, timeline, since_start(timeline, 29))
    after = render(SIDECAR, timeline, since_start(timeline, 30))
    assert containers(before)["side"]["lastStatus"] == "RUNNING"
    side, app = containers(after)["side"], containers(after)["app"]
    assert (side["lastStatus"], side["exitCode"]) == ("STOPPED", 2)
    assert "runtimeId" in side  # it ran
    assert (app["lastStatus"], after["lastStatus"], after["desiredStatus"]) == (
        "RUNNING",
        "RUNNING",
        "RUNNING",
    )
    assert "stopCode" not in after and "exitCode" not in app
    assert after["version"] == before["version"] + 1  # the container's change is a change
    assert render(SIDECAR, timeline, 10**6)["lastStatus"] == "RUNNING"


def test_when_the_essential_container_exits_the_others_end_with_the_task() -> None:
    definitions: Defs = [*SIDECAR, {"name": "cron", "essential": False}]
    timeline = plan_timeline(
        T0,
        runs_for=s(60),
        containers=definitions,
        plans={"side": ContainerPlan(exit_code=0), "cron": ContainerPlan(runs_for=600)},
    )
    task = render(definitions, timeline, 600, {"app": lifecycle.ContainerExit(5)})
    assert task["lastStatus"] == "STOPPED"
    assert task["stopCode"] == "EssentialContainerExited"
    got = {n: c["exitCode"] for n, c in containers(task).items()}
    # app: the exit code given; side: asked to stop, ends as planned; cron: cut short
    assert got == {"app": 5, "side": 0, "cron": lifecycle.DEFAULT_STOP_EXIT_CODE}


def test_a_user_stop_ends_running_containers_with_sigterm_and_nothing_after_happens() -> None:
    timeline = plan_timeline(
        T0, containers=SIDECAR, plans={"side": ContainerPlan(runs_for=100, exit_code=2)}
    )
    at = since_start(timeline, 50)
    task = render(SIDECAR, timeline.stopped(at, "UserInitiated", "Task stopped by user"), 3600)
    assert task["stopCode"] == "UserInitiated"
    assert {c["exitCode"] for c in task["containers"]} == {lifecycle.DEFAULT_STOP_EXIT_CODE}
    # the sidecar's own exit would have come after the stop: it never happens
    lockstep = lifecycle.Timeline.plan(T0).stopped(at, "UserInitiated", "Task stopped by user")
    assert task["version"] == lockstep.at(T0 + s(3600)).version


def test_out_of_memory_of_an_essential_container_stops_the_task() -> None:
    timeline = plan_timeline(
        T0, containers=SIDECAR, plans={"app": ContainerPlan.out_of_memory(after=90)}
    )
    task = render(SIDECAR, timeline, 600)
    app = containers(task)["app"]
    assert (task["stopCode"], task["stoppedReason"]) == (
        "EssentialContainerExited",
        "Essential container in task exited",
    )
    assert app["exitCode"] == 137
    assert app["reason"] == "OutOfMemoryError: Container killed due to memory usage"
    assert task["stoppingAt"] == since_start(timeline, 90)


def test_out_of_memory_of_a_sidecar_leaves_the_task_running() -> None:
    timeline = plan_timeline(
        T0, containers=SIDECAR, plans={"side": ContainerPlan.out_of_memory(after=s(5))}
    )
    task = render(SIDECAR, timeline, 3600)
    assert task["lastStatus"] == "RUNNING"
    side = containers(task)["side"]
    assert (side["exitCode"], side["reason"]) == (137, lifecycle.OUT_OF_MEMORY_REASON)


# -- dependsOn -------------------------------------------------------------------------------


def init_then_app(condition: str, **app: Any) -> list[dict[str, Any]]:
    return [
        {"name": "init", "image": "busybox", "essential": False},
        {
            "name": "app",
            "image": "nginx",
            "dependsOn": [{"containerName": "init", "condition": condition}],
            **app,
        },
    ]


@pytest.mark.parametrize(
    ("launch_type", "waiting"), [("FARGATE", "ACTIVATING"), ("EC2", "PENDING")]
)
def test_success_starts_the_app_after_init_exited_0(launch_type: str, waiting: str) -> None:
    definitions = init_then_app("SUCCESS")
    timeline = plan_timeline(
        T0,
        awsvpc=launch_type != "EC2",
        containers=definitions,
        plans={"init": ContainerPlan(runs_for=20)},
    )
    during = render(definitions, timeline, since_start(timeline, 10), launch_type=launch_type)
    assert during["lastStatus"] == waiting and "startedAt" not in during
    init, app = containers(during)["init"], containers(during)["app"]
    assert init["lastStatus"] == "RUNNING" and "runtimeId" in init
    assert app["lastStatus"] == "PENDING" and "runtimeId" not in app
    after = render(definitions, timeline, since_start(timeline, 20), launch_type=launch_type)
    assert after["lastStatus"] == "RUNNING"
    assert after["startedAt"] == since_start(timeline, 20)
    init, app = containers(after)["init"], containers(after)["app"]
    assert (init["lastStatus"], init["exitCode"], app["lastStatus"]) == ("STOPPED", 0, "RUNNING")


def test_success_never_met_stops_the_task_and_says_why() -> None:
    definitions = init_then_app("SUCCESS")
    timeline = plan_timeline(
        T0, containers=definitions, plans={"init": ContainerPlan(runs_for=20, exit_code=1)}
    )
    task = render(definitions, timeline, 600)
    init, app = containers(task)["init"], containers(task)["app"]
    assert task["lastStatus"] == "STOPPED"
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["stoppingAt"] == since_start(timeline, 20)
    assert (
        "startedAt" not in task and "executionStoppedAt" in task
    )  # init ran; the task never RUNNING
    assert (init["exitCode"], app["exitCode"]) == (1, 143)
    assert "runtimeId" in init and "runtimeId" not in app
    assert app["reason"] == (
        "CannotStartContainerError: dependency graph: failed to resolve container ordering "
        "dependency [init(busybox) (STOPPED->RUNNING) - Exit: 1] for target "
        "[app(nginx) (NONE->RUNNING)] as dependency did not exit successfully."
    )
    states = [render(definitions, timeline, t)["lastStatus"] for t in range(0, 120)]
    assert "RUNNING" not in states and states[-1] == "STOPPED"


def test_a_failed_dependency_of_a_sidecar_leaves_the_task_running() -> None:
    definitions: Defs = [
        {"name": "app"},
        {"name": "init", "essential": False},
        {
            "name": "side",
            "essential": False,
            "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}],
        },
    ]
    timeline = plan_timeline(
        T0, containers=definitions, plans={"init": ContainerPlan(runs_for=3, exit_code=2)}
    )
    task = render(definitions, timeline, 600)
    assert task["lastStatus"] == "RUNNING" and timeline.stop is None
    assert task["startedAt"] == since_start(timeline, 3)  # once every container started or stopped
    assert containers(task)["side"]["exitCode"] == 143


def test_complete_starts_after_any_exit() -> None:
    definitions = init_then_app("COMPLETE")
    timeline = plan_timeline(
        T0, containers=definitions, plans={"init": ContainerPlan(runs_for=5, exit_code=9)}
    )
    task = render(definitions, timeline, 600)
    assert task["lastStatus"] == "RUNNING" and task["startedAt"] == since_start(timeline, 5)
    assert containers(task)["init"]["exitCode"] == 9


def test_start_starts_with_the_dependency() -> None:
    definitions = init_then_app("START")
    timeline = plan_timeline(T0, containers=definitions)
    task = render(definitions, timeline, 600)
    assert task["startedAt"] == since_start(timeline, 0)
    assert timeline.containers is not None


def test_healthy_starts_once_the_dependency_is_healthy() -> None:
    definitions: Defs = [
        {"name": "db", "essential": False, "healthCheck": {**CHECK, "interval": 10}},
        {"name": "app", "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}]},
    ]
    timeline = plan_timeline(T0, containers=definitions)
    task = render(definitions, timeline, 600)
    assert task["startedAt"] == since_start(timeline, 10)
    assert containers(task)["db"]["healthStatus"] == "HEALTHY"


def test_a_dependency_short_of_its_condition_by_its_start_timeout_fails_the_wait() -> None:
    definitions: Defs = [
        {"name": "db", "essential": False, "healthCheck": CHECK, "startTimeout": 60},
        {"name": "app", "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}]},
    ]
    timeline = plan_timeline(
        T0, containers=definitions, plans={"db": ContainerPlan(unhealthy_after=0)}
    )
    task = render(definitions, timeline, 600)
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["stoppingAt"] == since_start(timeline, 60)
    assert containers(task)["app"]["reason"].endswith("has timed out.")
    # checks at 30 s and 60 s failed; the third (90 s) came after the stop: not yet UNHEALTHY
    assert containers(task)["db"]["healthStatus"] == "UNKNOWN"


def test_a_condition_that_never_holds_without_a_timeout_waits_for_ever() -> None:
    definitions: Defs = [
        {"name": "db", "essential": False, "healthCheck": CHECK},
        {"name": "app", "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}]},
    ]
    timeline = plan_timeline(
        T0, containers=definitions, plans={"db": ContainerPlan(unhealthy_after=0)}
    )
    assert timeline.stop is None and timeline.containers is not None
    assert timeline.containers.ready_at is None
    task = render(definitions, timeline, 10**6)
    assert task["lastStatus"] == "ACTIVATING"
    assert containers(task)["app"]["lastStatus"] == "PENDING"
    stopped = timeline.stopped(T0 + s(3600), "UserInitiated", "Task stopped by user")
    task = render(definitions, stopped, 7200)
    db, app = containers(task)["db"], containers(task)["app"]
    assert task["lastStatus"] == "STOPPED" and "startedAt" not in task
    assert (db["exitCode"], db["healthStatus"]) == (143, "UNHEALTHY")
    assert "exitCode" not in app and "runtimeId" not in app


def test_a_dependency_that_will_never_start_fails_its_dependents() -> None:
    definitions: Defs = [
        {"name": "init", "essential": False},
        {
            "name": "db",
            "essential": False,
            "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}],
        },
        {"name": "app", "dependsOn": [{"containerName": "db", "condition": "START"}]},
    ]
    timeline = plan_timeline(
        T0, containers=definitions, plans={"init": ContainerPlan(runs_for=7, exit_code=1)}
    )
    task = render(definitions, timeline, 600)
    app = containers(task)["app"]
    assert app["exitCode"] == 143 and app["reason"].endswith("because dependency will never start")
    assert task["stoppingAt"] == since_start(timeline, 7)


@pytest.mark.parametrize(
    ("definitions", "message"),
    [
        ([{"name": "a"}, {"name": "a"}], "used twice"),
        (
            [{"name": "a", "dependsOn": [{"containerName": "b", "condition": "START"}]}],
            "'b' is not",
        ),
        (
            [{"name": "a", "dependsOn": [{"containerName": "a", "condition": "START"}]}],
            "'a' is not",
        ),
        (
            [{"name": "a"}, {"name": "b", "dependsOn": [{"containerName": "a", "condition": "X"}]}],
            "condition='X'",
        ),
        (
            [
                {"name": "a"},
                {"name": "b", "dependsOn": [{"containerName": "a", "condition": "SUCCESS"}]},
            ],
            "is essential",
        ),
        (
            [
                {"name": "a"},
                {"name": "b", "dependsOn": [{"containerName": "a", "condition": "HEALTHY"}]},
            ],
            "no healthCheck",
        ),
        (
            [
                {"name": "a", "dependsOn": [{"containerName": "b", "condition": "START"}]},
                {"name": "b", "dependsOn": [{"containerName": "a", "condition": "START"}]},
            ],
            "cycle: a -> b -> a",
        ),
        ([{"name": "a", "startTimeout": -1}], "startTimeout"),
        ([{"name": "a", "essential": "yes"}], "essential"),
        ([{"name": "a", "healthCheck": {**CHECK, "interval": 4}}], "interval=4 is out of range"),
        ([{"name": "a", "healthCheck": {**CHECK, "retries": 11}}], "retries=11"),
        ([{"name": "a", "healthCheck": {**CHECK, "timeout": 1.5}}], "whole number"),
    ],
)
def test_definitions_that_cannot_run_are_refused_naming_what_is_wrong(
    definitions: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        container_specs(definitions)


def test_plans_are_checked_against_the_containers() -> None:
    with pytest.raises(ValueError, match="plans name 'db'"):
        plan_timeline(T0, containers=SIDECAR, plans={"db": ContainerPlan()})
    with pytest.raises(ValueError, match="no healthCheck"):
        plan_timeline(T0, containers=SIDECAR, plans={"app": ContainerPlan(unhealthy_after=1)})
    with pytest.raises(ValueError, match="runs_for cannot be negative"):
        ContainerPlan(runs_for=-1)
    with pytest.raises(TypeError, match="exit_code"):
        ContainerPlan(exit_code=True)
    with pytest.raises(ValueError, match="at most 1024"):
        ContainerPlan(reason="x" * 1025)
    assert ContainerPlan(runs_for=1.5).runs_for == s(1.5)


# -- health --------------------------------------------------------------------------------


def test_health_check_defaults_are_the_services() -> None:
    check = HealthCheck.from_definition(CHECK)
    assert check == HealthCheck(s(30), s(5), 3, s(0))
    assert HealthCheck.from_definition(None) is None
    assert HealthCheck.from_definition({"command": ["NONE"]}) is None
    given_ = {**CHECK, "interval": 10, "timeout": 2, "retries": 1, "startPeriod": 300}
    assert HealthCheck.from_definition(given_) == HealthCheck(s(10), s(2), 1, s(300))


def test_a_container_turns_healthy_at_its_first_check_then_unhealthy_after_retries() -> None:
    definitions: Defs = [
        {"name": "app", "healthCheck": CHECK},
        {"name": "side", "essential": False},
    ]
    timeline = plan_timeline(
        T0, containers=definitions, plans={"app": ContainerPlan(unhealthy_after=120)}
    )

    def health(seconds: float) -> tuple[str, str, str]:
        task = render(definitions, timeline, since_start(timeline, seconds))
        c = containers(task)
        return task["healthStatus"], c["app"]["healthStatus"], c["side"]["healthStatus"]

    assert health(29.9) == ("UNKNOWN", "UNKNOWN", "UNKNOWN")
    assert health(30) == ("HEALTHY", "HEALTHY", "UNKNOWN")
    # checks at 120, 150, 180 fail: the third failure makes it UNHEALTHY
    assert health(179.9) == ("HEALTHY", "HEALTHY", "UNKNOWN")
    assert health(180) == ("UNHEALTHY", "UNHEALTHY", "UNKNOWN")
    # a standalone task runs on, unhealthy (API reference, HealthCheck)
    assert render(definitions, timeline, 10**6)["lastStatus"] == "RUNNING"


def test_a_container_never_healthy_counts_failures_only_after_its_start_period() -> None:
    check = HealthCheck(interval=s(10), retries=2, start_period=s(45))
    plan = plan_health(check, T0, unhealthy_after=s(0))
    assert plan == HealthPlan(None, T0 + s(60))  # checks at 50 and 60 count
    healthy_first = plan_health(check, T0, unhealthy_after=s(15))
    assert healthy_first == HealthPlan(T0 + s(10), T0 + s(30))  # 20 and 30 count
    assert plan_health(check, T0) == HealthPlan(T0 + s(10), None)


def test_health_is_computed_not_stepped_through() -> None:
    # billions of checks: only arithmetic gets there (a loop would never finish)
    check = HealthCheck(interval=s(5))
    plan = plan_health(check, T0, unhealthy_after=timedelta(days=365 * 1000))
    assert plan.unhealthy_at == T0 + timedelta(days=365 * 1000) + s(10)
    odd = plan_health(HealthCheck(interval=s(7), retries=1), T0, unhealthy_after=s(10**9))
    assert odd.unhealthy_at == T0 + s(7 * -(-(10**9) // 7))


@pytest.mark.parametrize(
    ("containers_", "expected"),
    [
        # the API reference's examples (HealthCheck), all essential containers with checks
        ([(True, "UNHEALTHY"), (True, "UNKNOWN")], "UNHEALTHY"),
        ([(True, "UNHEALTHY"), (True, "HEALTHY")], "UNHEALTHY"),
        ([(True, "HEALTHY"), (True, "UNKNOWN")], "UNKNOWN"),
        ([(True, "HEALTHY"), (True, "HEALTHY")], "HEALTHY"),
        ([(True, "HEALTHY"), (True, "UNKNOWN"), (True, "HEALTHY")], "UNKNOWN"),
        ([(True, "UNHEALTHY"), (True, "HEALTHY"), (True, "HEALTHY")], "UNHEALTHY"),
        # non-essential containers do not count ...
        ([(True, "HEALTHY"), (False, "UNHEALTHY")], "HEALTHY"),
        # ... unless no essential container has a check (inferred, see _health)
        ([(True, None), (False, "UNHEALTHY")], "UNHEALTHY"),
        # containers without a check do not count
        ([(True, "HEALTHY"), (True, None)], "HEALTHY"),
        ([(True, None)], "UNKNOWN"),
        ([], "UNKNOWN"),
    ],
)
def test_task_health_follows_the_essential_containers(
    containers_: list[tuple[bool, str | None]], expected: str
) -> None:
    assert task_health(containers_) == expected


def test_health_stays_as_last_heard_once_the_container_stopped() -> None:
    definitions: Defs = [
        {"name": "app"},
        {"name": "side", "essential": False, "healthCheck": CHECK},
    ]
    timeline = plan_timeline(T0, containers=definitions, plans={"side": ContainerPlan(runs_for=45)})
    task = render(definitions, timeline, 3600)
    side = containers(task)["side"]
    assert (side["lastStatus"], side["healthStatus"]) == ("STOPPED", "HEALTHY")
    # no essential container has a check: the sidecar's counts (inferred)
    assert task["healthStatus"] == "HEALTHY"


# -- pure, shifted, cheap ------------------------------------------------------------------


def test_shifted_timelines_render_the_same_task_later() -> None:
    definitions = init_then_app("SUCCESS", healthCheck=CHECK)
    timeline = plan_timeline(
        T0,
        containers=definitions,
        plans={"init": ContainerPlan(runs_for=20), "app": ContainerPlan(unhealthy_after=60)},
    )
    later = timeline.shifted(timedelta(hours=5))
    parts = static(definitions)
    for second in range(0, 400, 7):
        now = T0 + s(second)
        a = lifecycle.render_task(parts, timeline, now)
        b = lifecycle.render_task(parts, later, now + timedelta(hours=5))
        moved = {k: v + timedelta(hours=5) for k, v in a.items() if k in ORDER}
        assert {**a, **moved} == b


def test_a_record_a_thousand_years_on_is_read_off_the_plan() -> None:
    definitions = init_then_app("SUCCESS", healthCheck=CHECK)
    timeline = plan_timeline(
        T0,
        containers=definitions,
        plans={"init": ContainerPlan(runs_for=20), "app": ContainerPlan(unhealthy_after=60)},
    )
    task = render(definitions, timeline, T0 + timedelta(days=365 * 1000))
    assert (task["lastStatus"], task["healthStatus"]) == ("RUNNING", "UNHEALTHY")
    assert task["version"] == render(definitions, timeline, T0 + timedelta(days=1))["version"]


# -- property: any plan renders valid, consistent records at any time ----------------------


@st.composite
def planned_tasks(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    count = draw(st.integers(1, 4))
    definitions: list[dict[str, Any]] = []
    plans: dict[str, ContainerPlan] = {}
    for i in range(count):
        name = f"c{i}"
        essential = i == 0 or draw(st.booleans())
        definition: dict[str, Any] = {"name": name, "essential": essential, "image": "busybox"}
        if draw(st.booleans()):
            definition["healthCheck"] = {
                **CHECK,
                "interval": draw(st.sampled_from([5, 10, 30])),
                "retries": draw(st.integers(1, 3)),
                "startPeriod": draw(st.sampled_from([0, 20, 60])),
            }
        if draw(st.booleans()):
            definition["startTimeout"] = draw(st.sampled_from([30, 120]))
        depends = []
        for j in range(i):
            other = definitions[j]
            conditions = ["START"]
            if not other["essential"]:
                conditions += ["COMPLETE", "SUCCESS"]
            if "healthCheck" in other:
                conditions.append("HEALTHY")
            if draw(st.integers(0, 2)) == 0:
                depends.append(
                    {"containerName": other["name"], "condition": draw(st.sampled_from(conditions))}
                )
        if depends:
            definition["dependsOn"] = depends
        definitions.append(definition)
        if draw(st.booleans()):
            plans[name] = ContainerPlan(
                runs_for=draw(st.none() | st.sampled_from([0, 5, 40, 300])),
                exit_code=draw(st.sampled_from([0, 1, 137])),
                reason=draw(st.none() | st.just(lifecycle.OUT_OF_MEMORY_REASON)),
                unhealthy_after=(
                    draw(st.none() | st.sampled_from([0, 25, 200]))
                    if "healthCheck" in definition
                    else None
                ),
            )
    options: dict[str, Any] = {
        "awsvpc": draw(st.booleans()),
        "runs_for": draw(st.none() | st.sampled_from([s(10), s(100)])),
        "stop_at": draw(st.none() | st.sampled_from([5, 25, 60, 400])),
    }
    return definitions, {"plans": plans, **options}


def assert_consistent(task: Mapping[str, Any], now: datetime) -> None:
    present = [task[k] for k in ORDER if k in task]
    assert present == sorted(present) and all(t <= now for t in present)
    assert task["healthStatus"] in _health.HEALTH_STATUSES
    status = task["lastStatus"]
    essential_stopped = False
    for c in task["containers"]:
        assert c["healthStatus"] in _health.HEALTH_STATUSES
        if status == "RUNNING":
            assert c["lastStatus"] in ("RUNNING", "STOPPED")
        if c["lastStatus"] == "RUNNING":
            assert "runtimeId" in c and "exitCode" not in c
        if "exitCode" in c:
            assert c["lastStatus"] == "STOPPED"
            # it ran, or a dependency never met stopped it without starting
            assert "runtimeId" in c or c["reason"].startswith("CannotStartContainerError:")
        elif c["lastStatus"] == "STOPPED":
            assert "runtimeId" not in c  # never started: no exit code either
        if c["lastStatus"] == "PENDING":
            assert "runtimeId" not in c
        essential_stopped |= c["lastStatus"] == "STOPPED" and "exitCode" in c
    if status == "STOPPED" and task.get("stopCode") == "EssentialContainerExited":
        assert essential_stopped


@settings(max_examples=300, deadline=None, suppress_health_check=[Checks.too_slow])
@given(planned_tasks(), st.lists(st.integers(0, 1200), min_size=1, max_size=12))
def test_any_plan_renders_valid_consistent_records_at_any_time(
    drawn: tuple[list[dict[str, Any]], dict[str, Any]], seconds: list[int]
) -> None:
    definitions, options = drawn
    timeline = plan_timeline(
        T0,
        awsvpc=options["awsvpc"],
        runs_for=options["runs_for"],
        containers=definitions,
        plans=options["plans"],
    )
    if options["stop_at"] is not None:
        timeline = timeline.stopped(
            T0 + s(options["stop_at"]), "UserInitiated", "Task stopped by user"
        )
    launch_type = "FARGATE" if options["awsvpc"] else "EC2"
    parts = static(definitions, launch_type)
    previous: dict[str, Any] | None = None
    for second in sorted(seconds):
        now = T0 + s(second)
        task = lifecycle.render_task(parts, timeline, now)
        _model.validate_output("DescribeTasks", {"tasks": [task], "failures": []})
        _model.validate_shape("Task", task)
        assert task == lifecycle.render_task(parts, timeline, now)  # a pure function
        assert_consistent(task, now)
        if previous is not None:
            assert task["version"] >= previous["version"]
            assert STATUSES.index(task["lastStatus"]) >= STATUSES.index(previous["lastStatus"])
            for before, after in zip(previous["containers"], task["containers"], strict=True):
                assert CONTAINER_STATUSES.index(after["lastStatus"]) >= CONTAINER_STATUSES.index(
                    before["lastStatus"]
                )
        previous = task


# -- floor 1 -------------------------------------------------------------------------------

FLOOR_1 = {
    "_arns",
    "_clock",
    "_model",
    "_lifecycle",
    "_lifecycle_constants",
    "_timeline",
    "_health",
    "_containers",
    "_container_timeline",
}


@pytest.mark.parametrize("module", [_containers, _container_timeline, _health])
def test_the_container_modules_stay_on_floor_1(module: Any) -> None:
    assert module.__file__ is not None
    assert len(Path(module.__file__).read_text().splitlines()) < 450
    assert_on_floor_1(module, FLOOR_1)
