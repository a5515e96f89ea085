"""Every claim that docs/comparison.md makes about moto 5.2 and botocore's Stubber,
shown against the tool itself and, where the row compares, against the fake.

Each row of the page starts with a key (``T1``, ``S1``, ``M1``, ``P1``, ``B1``, ...);
the test of that row is ``test_<key>_...``, registered with ``@claim(key)``, and
``test_every_row_of_the_page_has_its_test`` fails when a row has no key, a key has no
test, or a test has no row. Speed rows are checked through their mechanism (what
moto loads or compares), never timed: the figures are the benchmark page's.
(Pinned to moto 5.2: a later moto may fix some of it, and then a row must change.)"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import boto3
import botocore.loaders
import moto
import pytest
import time_machine
from botocore.exceptions import ClientError, ParamValidationError, WaiterError
from botocore.stub import Stubber
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends
from moto.moto_api import state_manager
from mypy_boto3_ecs import ECSClient
from mypy_boto3_ecs.type_defs import NetworkConfigurationTypeDef

from pytest_ecs_tasks import FakeEcs
from tests.setups import fargate_network, register_container_instance, register_fargate

pytestmark = pytest.mark.skipif(
    not moto.__version__.startswith("5.2."), reason="documents moto 5.2's behaviour"
)

REGION = "us-east-1"
PAGE = Path(__file__).parent.parent / "docs" / "comparison.md"
TUNED = {"core": {"reset_boto3_session": False}}

Test = TypeVar("Test", bound=Callable[..., None])

#: key of a row on the page -> the name of its test in this module
CLAIMS: dict[str, str] = {}


def claim(key: str) -> Callable[[Test], Test]:
    """Register ``test`` as the check of the page's row ``key``."""

    def register(test: Test) -> Test:
        name: str = test.__name__
        assert name.startswith(f"test_{key.lower()}_"), f"{name} is not named after {key}"
        assert key not in CLAIMS, f"{key} has two tests"
        CLAIMS[key] = name
        return test

    return register


# --- set-ups for moto and the fake alike ---------------------------------------------


_sessions: list[boto3.session.Session] = []


def session() -> boto3.session.Session:
    """The one boto3 session this module's own clients come from. Under moto's defaults
    every new default session loads botocore's models again (row M1), which would be
    most of this module's time; which session made a client changes nothing any other
    row claims (M1 and M2 check boto3's default session itself)."""
    if not _sessions:
        _sessions.append(boto3.session.Session())
    return _sessions[0]


def ecs_client() -> ECSClient:
    return session().client("ecs", region_name=REGION)


def network() -> NetworkConfigurationTypeDef:
    """A subnet of moto's default VPC and its default security group (moto needs one)."""
    ec2 = session().client("ec2", region_name=REGION)
    group = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
    return fargate_network(REGION, securityGroups=[group])


def start_two_container_task(client: ECSClient) -> str:
    """In moto: clusters ``a`` and ``b``, the definition ``f`` with containers ``x``
    and ``y``, and one task of it started on ``a`` through RunTask: its ARN. (moto
    runs it on Fargate without the awsvpc network the service would ask for, which
    spares each test the start of moto's EC2.)"""
    client.create_cluster(clusterName="a")
    client.create_cluster(clusterName="b")
    client.register_task_definition(family="f", containerDefinitions=TWO_CONTAINERS)
    return start_two_container_task_in(client, "a")


TWO_CONTAINERS: Any = [
    {"name": "x", "image": "i", "memory": 64},
    {"name": "y", "image": "j", "memory": 64},
]


def start_two_container_task_in(client: ECSClient, cluster: str) -> str:
    """In moto: another task of ``f`` on ``cluster`` (after ``start_two_container_task``)."""
    return client.run_task(cluster=cluster, taskDefinition="f", launchType="FARGATE")["tasks"][0][
        "taskArn"
    ]


def fake_two_container_task(fake: FakeEcs) -> tuple[ECSClient, str]:
    """In the fake: clusters ``a`` and ``b`` and a task of containers ``x`` and ``y``
    on ``a``, running until stopped: a client and the task's ARN."""
    fake.create_cluster("a")
    fake.create_cluster("b")
    task = fake.run_task("a", containers=[{"name": "x", "image": "i"}, {"name": "y", "image": "j"}])
    return fake.client(), str(task["taskArn"])


def status(client: ECSClient, arn: str, cluster: str = "a") -> str:
    return client.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]["lastStatus"]


def task_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


@pytest.fixture(autouse=True)
def no_default_amis(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's EC2 (for default VPCs and container instances) without its catalogue of
    AMIs: none of these tests needs one, and loading it is most of EC2's start."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture
def transition() -> Iterator[Callable[[dict[str, Any]], None]]:
    """Sets moto's ``ecs::task`` transition for one test, and unsets it after (M5)."""

    def set_it(config: dict[str, Any]) -> None:
        state_manager.set_transition(model_name="ecs::task", transition=config)

    try:
        yield set_it
    finally:
        state_manager.unset_transition("ecs::task")


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every ``time.sleep`` of the test, recorded instead of slept (botocore's waiters
    sleep with it)."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


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


@claim("T12")
def test_t12_the_tasks_stopped_waiter_sleeps_for_real(sleeps: list[float]) -> None:
    with mock_aws():
        client = ecs_client()
        arn = start_two_container_task(client)
        client.get_waiter("tasks_stopped").wait(cluster="a", tasks=[arn])
        assert sleeps and set(sleeps) == {6}  # the polls moved it to STOPPED (T3)
    sleeps.clear()
    with FakeEcs() as fake:
        fake.create_cluster()
        task = fake.run_task(runs_for=300)
        started = fake.clock.now()
        fake.client().get_waiter("tasks_stopped").wait(tasks=[task["taskArn"]])
        assert sleeps == []  # no wall-clock sleep
        assert (fake.clock.now() - started).total_seconds() > 300


@claim("T13")
def test_t13_ec2_without_container_instances_raises_a_bare_exception() -> None:
    with mock_aws():
        client = ecs_client()
        client.create_cluster(clusterName="default")
        client.register_task_definition(
            family="job", containerDefinitions=[{"name": "job", "image": "job", "memory": 64}]
        )
        with pytest.raises(Exception) as raised:  # noqa: PT011  (moto's own, untyped)
            client.run_task(taskDefinition="job", launchType="EC2")
        assert not isinstance(raised.value, ClientError)  # not an answer a client can read
    with FakeEcs() as fake:
        client = fake.client()
        client.register_task_definition(
            family="job", containerDefinitions=[{"name": "job", "image": "job", "memory": 64}]
        )
        with pytest.raises(ClientError) as no_instances:
            client.run_task(taskDefinition="job", launchType="EC2")
        assert no_instances.value.response["Error"] == {
            "Code": "InvalidParameterException",
            "Message": "No Container Instances were found in your cluster.",
        }


def ghost_override_run(client: ECSClient) -> list[Any]:
    """RunTask with an override for a container the definition does not have: the
    tasks started."""
    register_fargate(client, "web", [{"name": "web", "image": "nginx", "memory": 64}])
    return client.run_task(
        taskDefinition="web",
        launchType="FARGATE",
        networkConfiguration=network(),
        overrides={"containerOverrides": [{"name": "ghost", "command": ["run"]}]},
    )["tasks"]


@claim("T14")
def test_t14_an_override_for_a_missing_container_is_accepted() -> None:
    with mock_aws():
        client = ecs_client()
        client.create_cluster(clusterName="default")  # moto has none until asked
        assert len(ghost_override_run(client)) == 1  # started anyway
    with FakeEcs() as fake:
        with pytest.raises(ClientError) as ghost:
            ghost_override_run(fake.client())
        assert ghost.value.response["Error"] == {
            "Code": "InvalidParameterException",
            "Message": "Override for container named ghost is not a container in the "
            "TaskDefinition.",
        }


@claim("T15")
def test_t15_a_task_that_fits_nowhere_gets_no_failures() -> None:
    with mock_aws():
        client = ecs_client()
        client.create_cluster(clusterName="default")
        register_container_instance(client, REGION)
        client.register_task_definition(
            family="big", containerDefinitions=[{"name": "x", "image": "i", "memory": 10**7}]
        )
        answer = client.run_task(taskDefinition="big", launchType="EC2")
        assert (answer["tasks"], answer["failures"]) == ([], [])
    with FakeEcs() as fake:
        client = fake.client()
        fake.create_cluster("ec2", container_instances=1)
        [instance] = client.list_container_instances(cluster="ec2")["containerInstanceArns"]
        client.register_task_definition(
            family="job", containerDefinitions=[{"name": "job", "image": "job", "memory": 128}]
        )
        fake.plan_runs(placement_failure="RESOURCE:MEMORY", times=1)
        answer = client.run_task(cluster="ec2", taskDefinition="job", launchType="EC2")
        assert answer["tasks"] == []
        assert answer["failures"] == [{"arn": instance, "reason": "RESOURCE:MEMORY"}]


def queue_for_ecs_events() -> str:
    """An SQS queue that an EventBridge rule on ``aws.ecs`` feeds: its URL."""
    sqs = session().client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="ecs-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    events = session().client("events", region_name=REGION)
    events.put_rule(Name="ecs", EventPattern=json.dumps({"source": ["aws.ecs"]}))
    events.put_targets(Rule="ecs", Targets=[{"Id": "q", "Arn": arn["Attributes"]["QueueArn"]}])
    return str(url)


def received(url: str) -> list[dict[str, Any]]:
    answer = (
        session()
        .client("sqs", region_name=REGION)
        .receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    )
    return [json.loads(m["Body"]) for m in answer.get("Messages", [])]


@claim("T16")
def test_t16_no_task_state_change_reaches_eventbridge() -> None:
    with mock_aws():
        url = queue_for_ecs_events()
        client = ecs_client()
        arn = start_two_container_task(client)
        for _ in range(4):
            status(client, arn)
        client.stop_task(cluster="a", task=arn)
        other = start_two_container_task_in(client, "a")
        client.stop_task(cluster="a", task=other)
        assert received(url) == []
    with FakeEcs() as fake:
        url = queue_for_ecs_events()
        fake.create_cluster()
        fake.run_task(runs_for=60)
        fake.clock.advance(minutes=5)
        events = received(url)
        assert {e["detail-type"] for e in events} == {"ECS Task State Change"}
        assert [e["detail"]["version"] for e in events] == list(range(1, len(events) + 1))
        assert events[-1]["detail"]["lastStatus"] == "STOPPED"


AWSLOGS: Any = {
    "logDriver": "awslogs",
    "options": {
        "awslogs-group": "/ecs/job",
        "awslogs-region": REGION,
        "awslogs-stream-prefix": "ecs",
        "awslogs-create-group": "true",
    },
}


@claim("T17")
def test_t17_no_task_writes_to_cloudwatch_logs() -> None:
    with mock_aws():
        client = ecs_client()
        client.create_cluster(clusterName="a")
        client.register_task_definition(
            family="job",
            containerDefinitions=[
                {"name": "app", "image": "i", "memory": 64, "logConfiguration": AWSLOGS}
            ],
        )
        arn = client.run_task(cluster="a", taskDefinition="job", launchType="FARGATE")["tasks"][0][
            "taskArn"
        ]
        for _ in range(4):
            status(client, arn)
        assert session().client("logs", region_name=REGION).describe_log_groups()["logGroups"] == []
    with FakeEcs() as fake:
        fake.create_cluster()
        fake.client().register_task_definition(
            family="job",
            containerDefinitions=[
                {"name": "app", "image": "i", "memory": 64, "logConfiguration": AWSLOGS}
            ],
        )
        task = fake.run_task(task_definition="job:1", runs_for=30, logs={"app": ["hello"]})
        fake.clock.advance(minutes=2)
        page = (
            session()
            .client("logs", region_name=REGION)
            .get_log_events(
                logGroupName="/ecs/job",
                logStreamName=f"ecs/app/{task_id(task['taskArn'])}",
                startFromHead=True,
            )
        )
        assert [e["message"] for e in page["events"]] == ["hello"]


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


def moto_service(client: ECSClient, desired: int = 2, **more: Any) -> dict[str, Any]:
    """In moto: cluster ``web``, revisions ``web:1`` and ``web:2``, and the service
    ``site`` on web:1 (without the awsvpc network moto does not ask for)."""
    client.create_cluster(clusterName="web")
    for image in ("nginx:1", "nginx:2"):
        client.register_task_definition(
            family="web", containerDefinitions=[{"name": "app", "image": image, "memory": 64}]
        )
    return client.create_service(  # type: ignore[return-value]
        cluster="web",
        serviceName="site",
        taskDefinition="web:1",
        desiredCount=desired,
        launchType="FARGATE",
        **more,
    )["service"]


def describe_service(client: ECSClient) -> dict[str, Any]:
    answer: Any = client.describe_services(cluster="web", services=["site"])
    found: dict[str, Any] = answer["services"][0]
    return found


@contextmanager
def fake_web() -> Iterator[tuple[FakeEcs, ECSClient]]:
    """In a fake: cluster ``web`` with the Fargate revisions ``web:1`` and ``web:2``."""
    with FakeEcs() as fake:
        client = fake.client()
        client.create_cluster(clusterName="web")
        for image in ("nginx:1", "nginx:2"):
            register_fargate(client, "web", [{"name": "app", "image": image}])
        yield fake, client


def fake_service(fake: FakeEcs, client: ECSClient, desired: int = 2, **more: Any) -> None:
    """The service ``site`` on web:1 in the fake, stable, its tasks healthy."""
    client.create_service(
        cluster="web",
        serviceName="site",
        taskDefinition="web:1",
        desiredCount=desired,
        launchType="FARGATE",
        networkConfiguration=fargate_network(),
        **more,
    )
    client.get_waiter("services_stable").wait(cluster="web", services=["site"])
    fake.clock.advance(minutes=1)  # healthy 40 s after RUNNING


@claim("S1")
def test_s1_running_count_is_an_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        client = ecs_client()
        assert moto_service(client)["runningCount"] == 0
        assert client.list_tasks(cluster="web")["taskArns"] == []  # no task started
        monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "2")
        assert describe_service(client)["runningCount"] == 0  # read at CreateService
        client.update_service(cluster="web", service="site", desiredCount=5)
        assert describe_service(client)["runningCount"] == 5  # at once
    with mock_aws():
        assert moto_service(ecs_client())["runningCount"] == 2
    with fake_web() as (fake, client):
        fake_service(fake, client)
        assert describe_service(client)["runningCount"] == 2
        assert len(client.list_tasks(cluster="web", serviceName="site")["taskArns"]) == 2


@claim("S2")
def test_s2_update_service_starts_no_deployment(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        client = ecs_client()
        created = moto_service(client)
        assert created["deployments"][0]["rolloutState"] == "IN_PROGRESS"
        client.update_service(cluster="web", service="site", taskDefinition="web:2")
        for _ in range(3):
            service = describe_service(client)
        assert service["taskDefinition"] == "web:2"  # as given
        (deployment,) = service["deployments"]
        assert deployment["taskDefinition"].endswith("task-definition/web:1")
        assert deployment["rolloutState"] == "IN_PROGRESS"  # and so it stays
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "2")
    with mock_aws():
        assert moto_service(ecs_client())["deployments"][0]["rolloutState"] == "COMPLETED"
    with fake_web() as (fake, client):
        fake_service(fake, client)
        client.update_service(cluster="web", service="site", taskDefinition="web:2")
        primary = describe_service(client)["deployments"][0]
        assert (primary["status"], primary["rolloutState"]) == ("PRIMARY", "IN_PROGRESS")
        assert primary["taskDefinition"].endswith("task-definition/web:2")
        client.get_waiter("services_stable").wait(cluster="web", services=["site"])
        fake.clock.advance(minutes=5)
        (done,) = describe_service(client)["deployments"]
        assert (done["id"], done["rolloutState"]) == (primary["id"], "COMPLETED")


@claim("S3")
def test_s3_failed_tasks_is_an_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ECS_SERVICE_FAILED_TASKS", "3")
    with mock_aws():
        assert moto_service(ecs_client())["deployments"][0]["failedTasks"] == 3
    with fake_web() as (fake, client):
        breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
        fake_service(fake, client, desired=1, deploymentConfiguration=breaker)
        fake.plan_runs(fail_to_start="CannotPullContainerError: denied", task_definition="web:2")
        client.update_service(cluster="web", service="site", taskDefinition="web:2")
        client.get_waiter("services_stable").wait(cluster="web", services=["site"])
        service = describe_service(client)
        assert service["taskDefinition"].endswith("task-definition/web:1")  # rolled back
        assert any(
            "deployment failed: tasks failed to start." in e["message"] for e in service["events"]
        )


@claim("S4")
def test_s4_service_events_are_always_empty() -> None:
    with mock_aws():
        client = ecs_client()
        assert moto_service(client)["events"] == []
        client.update_service(cluster="web", service="site", taskDefinition="web:2")
        client.update_service(cluster="web", service="site", desiredCount=0)
        assert describe_service(client)["events"] == []
    with fake_web() as (fake, client):
        fake_service(fake, client)
        messages = [e["message"] for e in describe_service(client)["events"]]
        assert messages[0] == "(service site) has reached a steady state."  # newest first
        assert any(m.startswith("(service site) has started 2 tasks") for m in messages)


@claim("S5")
def test_s5_services_stable_sleeps_for_real_and_needs_the_counts_equal(
    sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    with mock_aws():
        client = ecs_client()
        moto_service(client)
        with pytest.raises(WaiterError, match="Max attempts exceeded"):
            client.get_waiter("services_stable").wait(cluster="web", services=["site"])
        assert sleeps and set(sleeps) == {15}
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "2")
    with mock_aws():
        client = ecs_client()
        moto_service(client)
        client.get_waiter("services_stable").wait(cluster="web", services=["site"])
    sleeps.clear()
    with fake_web() as (fake, client):
        started = fake.clock.now()
        fake_service(fake, client)
        assert sleeps == []
        assert fake.clock.now() > started


@claim("S6")
def test_s6_a_deleted_service_is_inactive_at_once_and_still_listed() -> None:
    with mock_aws():
        client = ecs_client()
        moto_service(client)
        deleted = client.delete_service(cluster="web", service="site", force=True)["service"]
        assert deleted["status"] == "INACTIVE"
        assert len(client.list_services(cluster="web")["serviceArns"]) == 1
        updated = client.update_service(cluster="web", service="site", desiredCount=1)
        assert updated["service"]["status"] == "INACTIVE"  # accepted
    with fake_web() as (fake, client):
        fake_service(fake, client)
        deleted = client.delete_service(cluster="web", service="site", force=True)["service"]
        assert deleted["status"] == "DRAINING"
        assert client.list_services(cluster="web")["serviceArns"] == []
        client.get_waiter("services_inactive").wait(cluster="web", services=["site"])
        with pytest.raises(ClientError) as inactive:
            client.update_service(cluster="web", service="site", desiredCount=1)
        assert inactive.value.response["Error"]["Code"] == "ServiceNotActiveException"


@claim("S7")
def test_s7_a_cluster_with_a_service_is_deleted() -> None:
    with mock_aws():
        client = ecs_client()
        moto_service(client)
        assert client.delete_cluster(cluster="web")["cluster"]["status"] == "INACTIVE"
    with fake_web() as (fake, client):
        fake_service(fake, client)
        with pytest.raises(client.exceptions.ClusterContainsServicesException):
            client.delete_cluster(cluster="web")


@claim("S8")
def test_s8_list_tasks_ignores_service_name() -> None:
    with mock_aws():
        client = ecs_client()
        moto_service(client)
        arn = client.run_task(cluster="web", taskDefinition="web:1", launchType="FARGATE")["tasks"][
            0
        ]["taskArn"]  # not the service's
        assert client.list_tasks(cluster="web", serviceName="site")["taskArns"] == [arn]
        assert client.list_tasks(cluster="web", serviceName="nope")["taskArns"] == [arn]
    with fake_web() as (fake, client):
        fake_service(fake, client)
        own = fake.run_task("web", task_definition="web:1")["taskArn"]
        listed = client.list_tasks(cluster="web", serviceName="site")["taskArns"]
        assert len(listed) == 2 and own not in listed
        with pytest.raises(client.exceptions.ServiceNotFoundException):
            client.list_tasks(cluster="web", serviceName="nope")


@claim("S9")
def test_s9_create_service_takes_anything() -> None:
    with mock_aws():
        client = ecs_client()
        client.create_cluster(clusterName="web")
        bare = client.create_service(cluster="web", serviceName="bare")["service"]
        assert "taskDefinition" not in bare
        assert (bare["desiredCount"], bare["launchType"]) == (0, "EC2")
        again = client.create_service(cluster="web", serviceName="bare", desiredCount=3)
        assert again["service"]["desiredCount"] == 3
        (listed,) = client.list_services(cluster="web")["serviceArns"]  # the second replaced it
        assert listed.endswith("/bare")
    with fake_web() as (_, client):
        with pytest.raises(ClientError) as bare_refused:
            client.create_service(cluster="web", serviceName="bare")
        assert bare_refused.value.response["Error"]["Code"] == "InvalidParameterException"
        client.create_service(
            cluster="web",
            serviceName="site",
            taskDefinition="web:1",
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration=fargate_network(),
        )
        with pytest.raises(ClientError) as twice:
            client.create_service(
                cluster="web",
                serviceName="site",
                taskDefinition="web:1",
                desiredCount=1,
                launchType="FARGATE",
                networkConfiguration=fargate_network(),
            )
        assert twice.value.response["Error"] == {
            "Code": "InvalidParameterException",
            "Message": "Creation of service was not idempotent.",
        }


# --- botocore's Stubber --------------------------------------------------------------


def stubbed() -> tuple[ECSClient, Stubber]:
    client = boto3.client(
        "ecs", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    return client, Stubber(client)


def stub_task(arn: str, last_status: str, **more: Any) -> dict[str, Any]:
    return {"tasks": [{"taskArn": arn, "lastStatus": last_status, **more}], "failures": []}


@claim("B1")
def test_b1_the_stubber_checks_shapes_and_types_only() -> None:
    client, stubber = stubbed()
    impossible = stub_task(
        "arn:t/1",
        "RUNNING",
        stoppedAt=datetime(2024, 1, 1, tzinfo=timezone.utc),  # a RUNNING task, stopped
        stopCode="TaskFailedToStart",
        containers=[{"name": "app", "exitCode": 0}],  # an exit code, though it never started
    )
    stubber.add_response("describe_tasks", impossible)
    with stubber:
        assert client.describe_tasks(tasks=["arn:t/1"])["tasks"][0]["stopCode"]
    with pytest.raises(ParamValidationError):  # a type it does check
        stubber.add_response("describe_tasks", stub_task("arn:t/1", "RUNNING", cpu=256))
    with FakeEcs() as fake:
        fake.create_cluster()
        running = fake.client().describe_tasks(tasks=[fake.run_task()["taskArn"]])["tasks"][0]
        assert not {"stoppedAt", "stopCode"} & set(running)


@claim("B2")
def test_b2_the_stubber_answers_in_queued_order_whatever_is_asked() -> None:
    client, stubber = stubbed()
    stubber.add_response("describe_tasks", stub_task("arn:t/a", "RUNNING"))
    with stubber:
        assert client.describe_tasks(tasks=["arn:t/b"])["tasks"][0]["taskArn"] == "arn:t/a"
    with FakeEcs() as fake:
        fake.create_cluster()
        first, second = fake.run_task(), fake.run_task()
        answer = fake.client().describe_tasks(tasks=[second["taskArn"]])
        assert [t["taskArn"] for t in answer["tasks"]] == [second["taskArn"]] != [first["taskArn"]]


@claim("B3")
def test_b3_waiters_sleep_for_real_under_the_stubber(sleeps: list[float]) -> None:
    client, stubber = stubbed()
    stubber.add_response("describe_tasks", stub_task("arn:t/1", "RUNNING"))
    stubber.add_response("describe_tasks", stub_task("arn:t/1", "STOPPED"))
    with stubber:
        client.get_waiter("tasks_stopped").wait(tasks=["arn:t/1"])
    assert sleeps == [6]
    sleeps.clear()
    with FakeEcs() as fake:
        fake.create_cluster()
        task = fake.run_task(runs_for=60)
        fake.client().get_waiter("tasks_stopped").wait(tasks=[task["taskArn"]])
        assert sleeps == []


# --- the page and its tests correspond -----------------------------------------------

KEY = re.compile(r"^[A-Z]\d{1,2}$")
UNTESTED_SECTIONS = ("LocalStack", "Hand-written")


def page_tables() -> Iterator[tuple[str, list[list[str]]]]:
    """Each table of the page with the heading it is under: its rows, header first,
    as lists of cells."""
    heading = ""
    table: list[list[str]] = []
    for line in [*PAGE.read_text().splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):  # not the separator
                table.append(cells)
            continue
        if table:
            yield heading, table
            table = []
        if line.startswith("#"):
            heading = line.lstrip("#").strip()


def test_every_row_of_the_page_has_its_test() -> None:
    keys: list[str] = []
    for heading, (header, *rows) in page_tables():
        if heading.startswith(UNTESTED_SECTIONS):
            assert not any(KEY.match(row[0]) for row in rows), f"{heading}: a key, untested"
            continue
        assert header[0] == "key", f"{heading}: a table of claims without keys"
        for row in rows:
            assert KEY.match(row[0]), f"{heading}: a row without a key: {row}"
            keys.append(row[0])
    assert len(keys) == len(set(keys)), "a key used twice"
    assert set(keys) == set(CLAIMS), (
        f"rows without a test: {sorted(set(keys) - set(CLAIMS))}; "
        f"tests without a row: {sorted(set(CLAIMS) - set(keys))}"
    )
    for key, name in CLAIMS.items():
        assert callable(globals()[name]), key
