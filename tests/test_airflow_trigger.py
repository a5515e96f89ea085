"""Apache Airflow's deferrable ECS trigger, unchanged, against the fake.

``TaskDoneTrigger`` is what ``EcsRunTaskOperator(deferrable=True)`` hands to the
triggerer: it opens its own aiobotocore clients through Airflow's hooks, polls
the ``tasks_stopped`` waiter one attempt at a time and ``await
asyncio.sleep(waiter_delay)`` between attempts. Nothing of Airflow's is mocked:
the trigger's clients are served in-process by the fake, and
``clock.sleeps_in`` turns the trigger's own sleeps into moves of the fake clock.

Airflow is never a dependency of this project: without it, this module is skipped.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from pytest_ecs_tasks import FakeEcs

ecs_triggers = pytest.importorskip("airflow.providers.amazon.aws.triggers.ecs")


def task_done_trigger(task_arn: str, *, waiter_delay: int, waiter_max_attempts: int) -> Any:
    """The trigger as the operator builds it; ``aws_conn_id=None``: no Airflow connection."""
    return ecs_triggers.TaskDoneTrigger(
        cluster="default",
        task_arn=task_arn,
        waiter_delay=waiter_delay,
        waiter_max_attempts=waiter_max_attempts,
        aws_conn_id=None,
        region="us-east-1",
    )


async def first_event(trigger: Any) -> Any:
    """What the triggerer does: run the trigger until its first event."""
    async for event in trigger.run():
        return event
    raise AssertionError("the trigger finished without an event")


@pytest.mark.asyncio
async def test_a_task_that_exits_0_fires_a_success_event_in_virtual_time(
    ecs_tasks: FakeEcs,
) -> None:
    ecs_tasks.create_cluster()
    task = ecs_tasks.run_task(runs_for=timedelta(minutes=5), exit_code=0)
    trigger = task_done_trigger(task["taskArn"], waiter_delay=30, waiter_max_attempts=100)
    before = ecs_tasks.clock.now()
    wall = time.monotonic()
    with ecs_tasks.clock.sleeps_in(ecs_triggers):
        event = await first_event(trigger)
    wall_seconds = time.monotonic() - wall
    moved = ecs_tasks.clock.now() - before
    polls = [call.operation for call in ecs_tasks.calls]

    assert event.payload == {
        "status": "success",
        "task_arn": task["taskArn"],
        "cluster": "default",
    }
    # Five minutes running, plus starting and stopping, polled every 30 s.
    assert timedelta(minutes=5) < moved < timedelta(minutes=8)
    assert moved.total_seconds() % 30 == 0  # only the trigger's own sleeps moved the clock
    assert wall_seconds < moved.total_seconds() / 10
    (described,) = ecs_tasks.client().describe_tasks(tasks=[task["taskArn"]])["tasks"]
    assert described["lastStatus"] == "STOPPED"
    assert described["containers"][0]["exitCode"] == 0
    # One poll at the start and one after each sleep.
    assert polls == ["DescribeTasks"] * (int(moved.total_seconds()) // 30 + 1)


@pytest.mark.asyncio
async def test_a_failing_task_is_still_done_for_the_trigger(ecs_tasks: FakeEcs) -> None:
    # The trigger only waits for STOPPED; the operator reads the exit code afterwards.
    ecs_tasks.create_cluster()
    task = ecs_tasks.run_task(runs_for=timedelta(minutes=2), exit_code=3)
    trigger = task_done_trigger(task["taskArn"], waiter_delay=15, waiter_max_attempts=100)
    with ecs_tasks.clock.sleeps_in(ecs_triggers):
        event = await first_event(trigger)
    assert event.payload["status"] == "success"
    assert event.payload["task_arn"] == task["taskArn"]
    (described,) = ecs_tasks.client().describe_tasks(tasks=[task["taskArn"]])["tasks"]
    assert described["stopCode"] == "EssentialContainerExited"
    assert described["containers"][0]["exitCode"] == 3


@pytest.mark.asyncio
async def test_max_attempts_reached_on_a_long_task_without_waiting(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.create_cluster()
    task = ecs_tasks.run_task(runs_for=timedelta(hours=1))
    trigger = task_done_trigger(task["taskArn"], waiter_delay=60, waiter_max_attempts=5)
    before = ecs_tasks.clock.now()
    wall = time.monotonic()
    with (
        ecs_tasks.clock.sleeps_in(ecs_triggers),
        pytest.raises(ecs_triggers.AirflowException, match="max attempts reached"),
    ):
        await first_event(trigger)
    wall_seconds = time.monotonic() - wall
    moved = ecs_tasks.clock.now() - before
    polls = [call.operation for call in ecs_tasks.calls]

    # Five polls, each followed by the trigger's 60 s sleep.
    assert moved == timedelta(minutes=5)
    assert wall_seconds < moved.total_seconds() / 10
    assert polls == ["DescribeTasks"] * 5
    (described,) = ecs_tasks.client().describe_tasks(tasks=[task["taskArn"]])["tasks"]
    assert described["lastStatus"] == "RUNNING"
