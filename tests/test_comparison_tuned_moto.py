"""The rows M1 to M6 and P1 of docs/comparison.md: moto 5.2 tuned as its docs allow
(``reset_boto3_session``, the state manager's transitions), and what its DescribeTasks
costs. Speed rows are checked through their mechanism (what moto loads or compares),
never timed: the figures are the benchmark page's. (Pinned to moto 5.2.)"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import botocore.loaders
import pytest
import time_machine
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends
from moto.moto_api import state_manager

from pytest_ecs_tasks import FakeEcs
from tests.comparison_fixtures import fixture_no_default_amis, fixture_transition  # noqa: F401  (fixtures)
from tests.comparison_setups import (
    MOTO_5_2,
    REGION,
    TUNED,
    claim,
    ecs_client,
    fake_two_container_task,
    start_two_container_task,
    start_two_container_task_in,
    status,
)

pytestmark = MOTO_5_2

# --- moto tuned ----------------------------------------------------------------------


@pytest.fixture
def model_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every time botocore reads the ECS service model from disk, recorded; and no
    default boto3 session to begin with (put back after the test)."""
    loaded: list[str] = []
    read = botocore.loaders.JSONFileLoader.load_file

    def load_file(self: botocore.loaders.JSONFileLoader, file_path: str) -> Any:
        if f"{os.sep}ecs{os.sep}" in file_path and file_path.endswith("service-2"):
            loaded.append(file_path)
        return read(self, file_path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", load_file)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return loaded


def loads_per_client(loaded: list[str], clients: int = 2) -> list[int]:
    """How many times each of ``clients`` new ECS clients loaded the model."""
    counts = []
    for _ in range(clients):
        before = len(loaded)
        boto3.client("ecs", region_name=REGION)
        counts.append(len(loaded) - before)
    return counts


@claim("M1")
def test_m1_without_the_session_reset_the_model_is_loaded_once(model_loads: list[str]) -> None:
    for _ in range(2):  # by default, the first client of every mock loads it again
        with mock_aws():
            first, second = loads_per_client(model_loads)
        assert first > 0
        assert second == 0
    with mock_aws(config=TUNED):
        assert loads_per_client(model_loads)[0] > 0
    with mock_aws(config=TUNED):
        assert loads_per_client(model_loads) == [0, 0]
    with FakeEcs():
        loads_per_client(model_loads, 1)
    with FakeEcs():  # a new fake, with no setting: no reload
        assert loads_per_client(model_loads) == [0, 0]


@claim("M2")
def test_m2_without_the_session_reset_moto_s_session_outlives_the_mock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    with mock_aws(config=TUNED):
        boto3.client("ecs", region_name=REGION)  # from the default session
        made = boto3.DEFAULT_SESSION
        key = os.environ["AWS_ACCESS_KEY_ID"]  # moto's
    assert made is not None
    assert boto3.DEFAULT_SESSION is made
    credentials = made.get_credentials()
    assert credentials is not None and credentials.access_key == key
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    with mock_aws():  # by default, the session is reset, and put back after
        boto3.client("ecs", region_name=REGION)  # from the default session
        assert boto3.DEFAULT_SESSION is not None
    assert boto3.DEFAULT_SESSION is None
    before = boto3.session.Session(region_name="eu-west-1")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", before)
    with FakeEcs():
        boto3.client("ecs", region_name=REGION)  # from the default session
        assert boto3.DEFAULT_SESSION is not before
    assert boto3.DEFAULT_SESSION is before


@claim("M3")
def test_m3_a_manual_transition_slows_the_walk_or_holds_it_at_running(
    transition: Callable[[dict[str, Any]], None],
) -> None:
    with mock_aws():
        client = ecs_client()
        transition({"progression": "manual", "times": 3})
        arn = start_two_container_task(client)
        assert [status(client, arn) for _ in range(6)] == ["RUNNING", "RUNNING"] + [
            "DEACTIVATING"
        ] * 3 + ["STOPPING"]
        transition({"progression": "manual", "times": 1_000_000})
        held = start_two_container_task_in(client, "a")
        assert {status(client, held) for _ in range(20)} == {"RUNNING"}
        assert client.stop_task(cluster="a", task=held)["task"]["lastStatus"] == "STOPPED"
        assert status(client, held) == "STOPPED"
    with FakeEcs() as fake:
        client, arn = fake_two_container_task(fake)
        fake.clock.advance(minutes=1)
        assert {status(client, arn) for _ in range(20)} == {"RUNNING"}


@claim("M4")
def test_m4_a_time_transition_walks_on_the_wall_clock(
    transition: Callable[[dict[str, Any]], None],
) -> None:
    transition({"progression": "time", "seconds": 60})
    wall = datetime(2030, 1, 1, tzinfo=timezone.utc)
    with mock_aws(), time_machine.travel(wall, tick=False) as traveller:
        client = ecs_client()
        arn = start_two_container_task(client)
        assert {status(client, arn) for _ in range(5)} == {"RUNNING"}
        seen = []
        for _ in range(4):
            traveller.shift(61)  # a minute of wall-clock time
            seen.append(status(client, arn))
        assert seen == ["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"]
    with FakeEcs() as fake:
        client, arn = fake_two_container_task(fake)
        fake.clock.advance(minutes=1)
        now = fake.clock.now()
        with time_machine.travel(datetime.now(timezone.utc) + timedelta(hours=1)):
            assert status(client, arn) == "RUNNING"
            assert fake.clock.now() == now


@claim("M5")
def test_m5_a_transition_outlives_its_mock(transition: Callable[[dict[str, Any]], None]) -> None:
    config = {"progression": "manual", "times": 2}
    with mock_aws():
        transition(config)
    assert state_manager.get_transition("ecs::task") == config
    with mock_aws():  # a later mock: the task still walks by it
        client = ecs_client()
        arn = start_two_container_task(client)
        assert [status(client, arn) for _ in range(2)] == ["RUNNING", "DEACTIVATING"]
    state_manager.unset_transition("ecs::task")
    assert state_manager.get_transition("ecs::task") == {"progression": "manual", "times": 1}
    with FakeEcs(retention="2h") as fake:
        assert fake.retention == timedelta(hours=2)
    with FakeEcs() as fake:
        assert fake.retention == timedelta(hours=1)


@claim("M6")
def test_m6_tuned_moto_describes_tasks_as_by_default(
    transition: Callable[[dict[str, Any]], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # M2: moto's session stays after
    transition({"progression": "manual", "times": 1_000_000})
    with mock_aws(config=TUNED):
        client = boto3.client("ecs", region_name=REGION)
        arn = start_two_container_task(client)
        answer = client.describe_tasks(cluster="a", tasks=[arn, "0" * 32])  # T1
        assert (len(answer["tasks"]), answer["failures"]) == (1, [])
        (task,) = client.describe_tasks(cluster="b", tasks=[arn])["tasks"]  # T2
        assert task["lastStatus"] == "RUNNING"
        assert not [key for key in task if key.endswith("At")]  # T6
        assert not {"stopCode", "version"} & set(task)
        (container,) = task["containers"]  # T7
        assert container["exitCode"] == 0
        assert client.describe_tasks(cluster="a", tasks=["x"] * 101)["tasks"] == []  # T8
        client.delete_cluster(cluster="a")  # T9: while the task runs
        client.create_cluster(clusterName="a")
        assert status(client, arn) == "RUNNING"  # T11: the old task is still there
        client.stop_task(cluster="a", task=arn)
        with time_machine.travel(datetime.now(timezone.utc) + timedelta(days=1)):
            assert status(client, arn) == "STOPPED"  # T10


# --- speed ---------------------------------------------------------------------------


class Requested(list[str]):
    """The ids of a DescribeTasks, noting each stored task ARN compared with them."""

    def __init__(self, ids: list[str]) -> None:
        super().__init__(ids)
        self.compared: set[str] = set()

    def __contains__(self, arn: object) -> bool:
        self.compared.add(str(arn))
        return super().__contains__(arn)


@claim("P1")
def test_p1_moto_compares_every_stored_task_with_the_requested_ids() -> None:
    with mock_aws():
        client = ecs_client()
        arn = start_two_container_task(client)
        stored = {arn}
        for cluster in ("a", "b"):
            stored |= {start_two_container_task_in(client, cluster) for _ in range(5)}
        requested = Requested([arn])
        backend = ecs_backends[DEFAULT_ACCOUNT_ID][REGION]
        backend.describe_tasks("a", requested)
        assert requested.compared == stored  # all 11, of both clusters, for one id


# --- moto: services ------------------------------------------------------------------
