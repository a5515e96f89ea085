"""The Python API of FakeEcs and Clock: misuse gets errors that say what to do."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import Clock, ClockError, FakeEcs, SettingError, TaskFactory
from pytest_ecs_tasks._model import validate_output

from .setups import fargate_network, register_fargate


def test_clock_moves_forward_only() -> None:
    clock = Clock("2024-05-01T00:00:00Z")
    assert clock.advance(minutes=5) == datetime(2024, 5, 1, 0, 5, tzinfo=timezone.utc)
    assert clock.advance(timedelta(seconds=30)).second == 30
    assert clock.advance(1.5).microsecond == 500000
    assert clock.move_to(datetime(2024, 5, 2)) == datetime(
        2024, 5, 2, tzinfo=timezone.utc
    )  # naive = UTC
    with pytest.raises(
        ClockError, match=r"^the clock only moves forward: it reads 2024-05-02T00:00:00\+00:00"
    ):
        clock.move_to("2024-05-01T12:00:00Z")
    with pytest.raises(ClockError, match="the clock only moves forward; advance"):
        clock.advance(-1)
    with pytest.raises(TypeError, match=r"advance\(\) needs how far to move"):
        clock.advance()
    with pytest.raises(ValueError, match="is not an ISO 8601 date or time"):
        clock.move_to("tomorrow")


def test_clock_keeps_the_time_when_nobody_moves_it() -> None:
    clock = Clock()
    assert clock.now() == clock.now() == datetime(2024, 1, 1, 12, tzinfo=timezone.utc)


def test_run_task_on_an_unknown_cluster_says_what_to_do(ecs_tasks: FakeEcs) -> None:
    with pytest.raises(
        ValueError,
        match=r"^there is no active cluster 'prod' in us-east-1: create it first with ecs_tasks.create_cluster\('prod'\)$",
    ):
        ecs_tasks.run_task("prod")


def test_run_task_argument_errors(ecs_tasks: FakeEcs) -> None:
    with pytest.raises(ValueError, match="launch_type='LAMBDA'; valid: FARGATE, EC2"):
        ecs_tasks.run_task(launch_type="LAMBDA")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pass runs_for or fail_to_start, not both"):
        ecs_tasks.run_task(runs_for=10, fail_to_start="CannotPullContainerError: x")
    with pytest.raises(
        TypeError, match="unknown timing 'pul'; the timings are: activating, deprovisioning"
    ):
        ecs_tasks.run_task(pul=3)


def test_add_task_refuses_what_is_not_a_task(ecs_tasks: FakeEcs) -> None:
    with pytest.raises(ValueError, match="add_task\\(\\): not a valid Task record"):
        ecs_tasks.add_task({"taskArn": 42})
    with pytest.raises(TypeError, match="add_task\\(\\) takes a Task record"):
        ecs_tasks.add_task(["not", "a", "dict"])  # type: ignore[arg-type]
    elsewhere = TaskFactory(region="eu-west-1")
    with pytest.raises(
        ValueError,
        match="the record's taskArn is in eu-west-1/123456789012, but the fake serves us-east-1",
    ):
        ecs_tasks.add_task(elsewhere)
    task = TaskFactory(cluster="prod")
    with pytest.raises(ValueError, match="there is no active cluster 'prod'"):
        ecs_tasks.add_task(task, cluster="prod")
    ecs_tasks.create_cluster("prod")
    ecs_tasks.add_task(task, cluster="prod")
    with pytest.raises(ValueError, match="already stored"):
        ecs_tasks.add_task(task, cluster="prod")


def test_add_task_without_a_record_builds_one(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    task = ecs_tasks.add_task(stopped=True)
    served = ecs.describe_tasks(tasks=[task["taskArn"]])["tasks"][0]
    assert served["lastStatus"] == "STOPPED"
    assert served["stoppedAt"] <= ecs_tasks.clock.now()


def test_delete_cluster_raises_as_boto3_would(ecs_tasks: FakeEcs) -> None:
    ecs_tasks.run_task()
    with pytest.raises(ClientError) as exc:
        ecs_tasks.delete_cluster("default")
    assert exc.value.response["Error"] == {
        "Code": "ClusterContainsTasksException",
        "Message": "The Cluster cannot be deleted while Tasks are active.",
    }


def test_stop_task_of_an_unknown_task(ecs_tasks: FakeEcs) -> None:
    with pytest.raises(
        ValueError, match=r"no task '0123' in us-east-1: start one with ecs_tasks\.run_task"
    ):
        ecs_tasks.stop_task("0123")
    with pytest.raises(ValueError, match="stop_code='Nope'; valid: TaskFailedToStart"):
        ecs_tasks.stop_task("0123", stop_code="Nope")  # type: ignore[arg-type]


def test_client_before_start_says_so() -> None:
    with pytest.raises(RuntimeError, match="start the fake first"):
        FakeEcs().client()


def test_start_twice_is_an_error() -> None:
    fake = FakeEcs()
    with fake, pytest.raises(RuntimeError, match="already started"):
        fake.start()
    assert not fake.active


def test_bad_settings() -> None:
    with pytest.raises(SettingError) as error:
        FakeEcs(region="Mars")
    assert str(error.value) == "FakeEcs(): region='Mars': give a region name like 'us-east-1'"
    with pytest.raises(SettingError) as error:
        FakeEcs(account_id="1")
    assert str(error.value) == "FakeEcs(): account_id='1': give 12 digits, like '123456789012'"


def test_calls_record_every_answered_call_and_each_response_is_valid(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    register_fargate(ecs, "f", [{"name": "c", "image": "i", "memory": 64}])
    ecs.create_cluster(clusterName="c1", tags=[{"key": "k", "value": "v"}])
    run = ecs.run_task(
        cluster="c1",
        taskDefinition="f",
        launchType="FARGATE",
        networkConfiguration=fargate_network(),
    )
    arn = run["tasks"][0]["taskArn"]
    ecs.describe_tasks(cluster="c1", tasks=[arn, "0" * 32], include=["TAGS"])
    ecs.list_tasks(cluster="c1")
    ecs.stop_task(cluster="c1", task=arn)
    ecs.list_tasks(cluster="c1", desiredStatus="STOPPED")
    ecs.describe_clusters(clusters=["c1", "nope"], include=["TAGS"])
    ecs.list_clusters()
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "b"}])
    ecs.list_tags_for_resource(resourceArn=arn)
    ecs.untag_resource(resourceArn=arn, tagKeys=["a"])
    with pytest.raises(ClientError):
        ecs.describe_tasks(tasks=[])
    operations = [c.operation for c in ecs_tasks.calls]
    assert operations == [
        "CreateCluster",
        "RunTask",
        "DescribeTasks",
        "ListTasks",
        "StopTask",
        "ListTasks",
        "DescribeClusters",
        "ListClusters",
        "TagResource",
        "ListTagsForResource",
        "UntagResource",
        "DescribeTasks",
    ]
    assert ecs_tasks.calls[-1].error is not None
    assert ecs_tasks.calls[-1].error.code == "InvalidParameterException"
    for call in ecs_tasks.calls[:-1]:
        assert call.error is None
        assert call.response is not None
        validate_output(call.operation, call.response)


def test_run_task_checks_container_definitions(ecs_tasks: FakeEcs) -> None:
    with pytest.raises(ValueError, match=r"^containers\[0\] needs a name"):
        ecs_tasks.run_task(containers=[{"image": "nginx"}])
    with pytest.raises(
        ValueError, match=r"^containers\[1\]: not a valid ContainerDefinition record"
    ):
        ecs_tasks.run_task(containers=[{"name": "a"}, {"name": "b", "cpu": "lots"}])
    with pytest.raises(TypeError, match="containers must be a list of container definitions"):
        ecs_tasks.run_task(containers="app")  # type: ignore[arg-type]
    task = ecs_tasks.run_task(containers=[{"name": "a", "image": "i", "cpu": 128, "memory": 256}])
    assert (task["containers"][0]["cpu"], task["containers"][0]["memory"]) == ("128", "256")


def test_tag_values_are_at_most_256_characters(ecs_tasks: FakeEcs, ecs: ECSClient) -> None:
    arn = ecs_tasks.run_task()["taskArn"]
    with pytest.raises(ClientError) as exc:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "v" * 257}])
    assert (
        exc.value.response["Error"]["Message"] == "Tag values can be at most 256 characters long."
    )
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "v" * 256}])
