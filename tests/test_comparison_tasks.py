"""The rows T1 to T11 of docs/comparison.md: what moto 5.2's DescribeTasks, StopTask
and DeleteCluster answer about tasks, against the fake. (Pinned to moto 5.2: a later
moto may fix some of it, and then a row must change.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import time_machine
from botocore.exceptions import ClientError
from moto import mock_aws

from pytest_ecs_tasks import FakeEcs
from tests.comparison_fixtures import fixture_no_default_amis, fixture_transition  # noqa: F401  (fixtures)
from tests.comparison_setups import (
    MOTO_5_2,
    TWO_CONTAINERS,
    claim,
    ecs_client,
    fake_two_container_task,
    start_two_container_task,
    start_two_container_task_in,
    status,
    task_id,
)

pytestmark = MOTO_5_2

# --- moto: tasks ---------------------------------------------------------------------


@claim("T1")
def test_t1_an_unknown_id_is_dropped_by_describe_tasks_only() -> None:
    with mock_aws():
        client = ecs_client()
        arn = start_two_container_task(client)
        answer = client.describe_tasks(cluster="a", tasks=[arn, "0" * 32])
        assert answer["failures"] == []
        assert len(answer["tasks"]) == 1
        # moto's other Describe calls do answer MISSING
        clusters = client.describe_clusters(clusters=["nope"])
        assert [f["reason"] for f in clusters["failures"]] == ["MISSING"]
        services = client.describe_services(cluster="a", services=["nope"])
        assert [f["reason"] for f in services["failures"]] == ["MISSING"]
    with FakeEcs() as fake:
        client, arn = fake_two_container_task(fake)
        answer = client.describe_tasks(cluster="a", tasks=[arn, "0" * 32])
        assert answer["failures"] == [
            {"arn": arn.replace(task_id(arn), "0" * 32), "reason": "MISSING"}
        ]


@claim("T2")
def test_t2_a_task_of_another_cluster_is_found() -> None:
    with mock_aws():
        client = ecs_client()
        arn = start_two_container_task(client)
        assert len(client.describe_tasks(cluster="b", tasks=[arn])["tasks"]) == 1
        around = f"zz{task_id(arn)}zz"  # any string holding the id finds the task
        assert client.describe_tasks(cluster="b", tasks=[around])["tasks"][0]["taskArn"] == arn
    with FakeEcs() as fake:
        client, arn = fake_two_container_task(fake)
        answer = client.describe_tasks(cluster="b", tasks=[arn])
        assert answer["tasks"] == []
        assert [f["reason"] for f in answer["failures"]] == ["MISSING"]


@claim("T3")
def test_t3_each_describe_moves_the_task_one_state_on() -> None:
    with mock_aws():
        client = ecs_client()
        arn = start_two_container_task(client)
        seen = [status(client, arn) for _ in range(4)]
        assert seen == ["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"]
        task = client.describe_tasks(cluster="a", tasks=[arn])["tasks"][0]
        assert task["desiredStatus"] == "RUNNING"  # nobody stopped it
    with FakeEcs() as fake:
        client, arn = fake_two_container_task(fake)
        assert {status(client, arn) for _ in range(4)} == {"PROVISIONING"}
        fake.clock.advance(minutes=1)
        assert status(client, arn) == "RUNNING"


BEFORE_RUNNING = {"PROVISIONING", "PENDING", "ACTIVATING"}


@pytest.mark.parametrize(
    "config",
    [
        None,
        {"progression": "manual", "times": 2},
        {"progression": "immediate"},
        {"progression": "time", "seconds": 0},
    ],
    ids=["default", "manual", "immediate", "time"],
)
@claim("T4")
def test_t4_no_state_before_running_is_ever_seen(
    config: dict[str, Any] | None, transition: Callable[[dict[str, Any]], None]
) -> None:
    if config is not None:
        transition(config)
    with mock_aws():
        client = ecs_client()
        client.create_cluster(clusterName="a")
        client.register_task_definition(family="f", containerDefinitions=TWO_CONTAINERS)
        started = client.run_task(cluster="a", taskDefinition="f", launchType="FARGATE")["tasks"][0]
        seen = {started["lastStatus"]} | {status(client, started["taskArn"]) for _ in range(10)}
        assert seen.isdisjoint(BEFORE_RUNNING)
        assert "STOPPED" in seen
    with FakeEcs() as fake:
        fake.create_cluster()
        task = fake.run_task()
        fake.clock.advance(minutes=1)
        walked = [e["detail"]["lastStatus"] for e in fake.events_of(task)]
        assert walked[:4] == ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING"]


@claim("T5")
def test_t5_stop_task_stops_at_once_without_a_stop_code() -> None:
    with mock_aws():
        client = ecs_client()
        arn = start_two_container_task(client)
        stopped = client.stop_task(cluster="a", task=arn, reason="done here")["task"]
        assert (stopped["lastStatus"], stopped["stoppedReason"]) == ("STOPPED", "done here")
        assert "stopCode" not in stopped
        assert status(client, arn) == "STOPPED"
    with FakeEcs() as fake:
        client, arn = fake_two_container_task(fake)
        fake.clock.advance(minutes=1)
        stopping = client.stop_task(cluster="a", task=arn)["task"]
        assert (stopping["lastStatus"], stopping["desiredStatus"]) == ("RUNNING", "STOPPED")
        fake.clock.advance(minutes=2)
        task = client.describe_tasks(cluster="a", tasks=[arn])["tasks"][0]
        assert (task["lastStatus"], task["stopCode"]) == ("STOPPED", "UserInitiated")


@claim("T6")
def test_t6_no_timestamps_stop_code_or_version_in_any_state() -> None:
    with mock_aws():
        client = ecs_client()
        arn = start_two_container_task(client)
        records = [client.describe_tasks(cluster="a", tasks=[arn])["tasks"][0] for _ in range(4)]
        other = start_two_container_task_in(client, "a")
        records.append(client.stop_task(cluster="a", task=other)["task"])
        assert [r["lastStatus"] for r in records][-2:] == ["STOPPED", "STOPPED"]
        for record in records:
            assert not [key for key in record if key.endswith("At")]
            assert "stopCode" not in record
            assert "version" not in record
    with FakeEcs() as fake:
        client, arn = fake_two_container_task(fake)
        fake.clock.advance(minutes=1)
        running = client.describe_tasks(cluster="a", tasks=[arn])["tasks"][0]
        assert {"createdAt", "startedAt", "version"} <= set(running)
        assert not {"stoppedAt", "stopCode"} & set(running)
        client.stop_task(cluster="a", task=arn)
        fake.clock.advance(minutes=2)
        stopped = client.describe_tasks(cluster="a", tasks=[arn])["tasks"][0]
        assert {"stoppedAt", "stopCode", "version"} <= set(stopped)


@claim("T7")
def test_t7_one_container_exit_code_0_and_the_definitions_arn() -> None:
    with mock_aws():
        client = ecs_client()
        client.create_cluster(clusterName="a")
        client.register_task_definition(family="f", containerDefinitions=TWO_CONTAINERS)
        started = client.run_task(cluster="a", taskDefinition="f", launchType="FARGATE")["tasks"][0]
        assert started["lastStatus"] == "RUNNING"
        (running,) = started["containers"]  # only the first container definition
        assert (running["name"], running["exitCode"]) == ("x", 0)  # an exit code while running
        for _ in range(4):
            task = client.describe_tasks(cluster="a", tasks=[started["taskArn"]])["tasks"][0]
        assert task["lastStatus"] == "STOPPED"
        (container,) = task["containers"]
        assert (container["exitCode"], container["lastStatus"]) == (0, "PENDING")
        assert ":task-definition/" in container["taskArn"]  # not the task's ARN
    with FakeEcs() as fake:
        client = fake.client()
        client.create_cluster(clusterName="a")
        task = fake.run_task(
            "a",
            containers=[{"name": "x", "image": "i"}, {"name": "y", "image": "j"}],
            runs_for=60,
            exit_code={"x": 3, "y": 0},
        )
        fake.clock.advance(minutes=5)
        stopped = client.describe_tasks(cluster="a", tasks=[task["taskArn"]])["tasks"][0]
        exits = {c["name"]: c["exitCode"] for c in stopped["containers"]}
        assert exits == {"x": 3, "y": 0}
        assert all(c["taskArn"] == task["taskArn"] for c in stopped["containers"])


@claim("T8")
def test_t8_101_ids_are_accepted() -> None:
    with mock_aws():
        client = ecs_client()
        start_two_container_task(client)
        assert client.describe_tasks(cluster="a", tasks=["x"] * 101)["tasks"] == []
    with FakeEcs() as fake:
        client, _ = fake_two_container_task(fake)
        with pytest.raises(ClientError) as refused:
            client.describe_tasks(cluster="a", tasks=["x"] * 101)
        assert refused.value.response["Error"] == {
            "Code": "InvalidParameterException",
            "Message": "taskIds can have at most 100 items.",
        }


@claim("T9")
def test_t9_a_cluster_with_a_running_task_is_deleted() -> None:
    with mock_aws():
        client = ecs_client()
        start_two_container_task(client)
        assert client.delete_cluster(cluster="a")["cluster"]["status"] == "INACTIVE"
    with FakeEcs() as fake:
        client, _ = fake_two_container_task(fake)
        with pytest.raises(client.exceptions.ClusterContainsTasksException):
            client.delete_cluster(cluster="a")


@claim("T10")
def test_t10_stopped_tasks_never_expire() -> None:
    with mock_aws():
        client = ecs_client()
        arn = start_two_container_task(client)
        client.stop_task(cluster="a", task=arn)
        with time_machine.travel(datetime.now(timezone.utc) + timedelta(days=1)):
            assert status(client, arn) == "STOPPED"  # a day of wall-clock time later
    with FakeEcs() as fake:
        client, arn = fake_two_container_task(fake)
        client.stop_task(cluster="a", task=arn)
        fake.clock.advance(hours=2)  # retention: one hour
        answer = client.describe_tasks(cluster="a", tasks=[arn])
        assert [f["reason"] for f in answer["failures"]] == ["MISSING"]


@claim("T11")
def test_t11_a_recreated_cluster_still_has_the_old_tasks() -> None:
    with mock_aws():
        client = ecs_client()
        arn = start_two_container_task(client)
        client.delete_cluster(cluster="a")
        client.create_cluster(clusterName="a")
        assert client.describe_tasks(cluster="a", tasks=[arn])["tasks"][0]["taskArn"] == arn
        assert arn in client.list_tasks(cluster="a")["taskArns"]
    with FakeEcs() as fake:
        client, arn = fake_two_container_task(fake)
        client.stop_task(cluster="a", task=arn)
        fake.clock.advance(minutes=2)
        client.delete_cluster(cluster="a")
        client.create_cluster(clusterName="a")
        answer = client.describe_tasks(cluster="a", tasks=[arn])
        assert [f["reason"] for f in answer["failures"]] == ["MISSING"]
