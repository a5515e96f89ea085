"""The factories: realistic, consistent records, valid against botocore's model."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import factory.random
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pytest_ecs_tasks import (
    ContainerFactory,
    DescribeTasksResponseFactory,
    FailureFactory,
    TaskFactory,
    from_wire,
    to_wire,
)
from pytest_ecs_tasks import _lifecycle as lifecycle
from pytest_ecs_tasks import _model as model

from .consistency import STATUS_ORDER, assert_consistent_task, assert_valid_response

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
SAMPLE = Path(__file__).parent / "data" / "describe-tasks-sample.json"

STATUS_TRAITS = [
    "running",
    "pending",
    "provisioning",
    "stopped",
    "failed_to_start",
    "essential_exited",
    "user_stopped",
    "spot_interrupted",
]
OTHER_TRAITS = ["tagged", "service", "old_arn_format"]
STOP_CODES = [
    "TaskFailedToStart",
    "EssentialContainerExited",
    "UserInitiated",
    "ServiceSchedulerInitiated",
    "SpotInterruption",
    "TerminationNotice",
]


@st.composite
def task_kwargs(draw: st.DrawFn) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    status_trait = draw(st.sampled_from([None, *STATUS_TRAITS]))
    if status_trait:
        kwargs[status_trait] = True
    if status_trait != "spot_interrupted":
        launch = draw(st.sampled_from([None, "fargate", "ec2"]))
        if launch:
            kwargs[launch] = True
    for trait in OTHER_TRAITS:
        if draw(st.booleans()):
            kwargs[trait] = True
    if draw(st.booleans()):
        kwargs["lastStatus"] = draw(st.sampled_from(STATUS_ORDER))
    if draw(st.booleans()):
        kwargs["stopCode"] = draw(st.sampled_from(STOP_CODES))
    if draw(st.booleans()):
        kwargs["cluster"] = draw(st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True))
    if draw(st.booleans()):
        kwargs["region"] = draw(
            st.sampled_from(["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"])
        )
    if draw(st.booleans()):
        kwargs["account_id"] = draw(st.from_regex(r"\d{12}", fullmatch=True))
    if draw(st.booleans()):
        names = draw(
            st.lists(
                st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
        kwargs["containers"] = [
            {"name": n, **({"exitCode": draw(st.integers(0, 255))} if draw(st.booleans()) else {})}
            for n in names
        ]
    kwargs["now"] = draw(
        st.datetimes(
            min_value=datetime(2015, 1, 1),
            max_value=datetime(2035, 1, 1),
            timezones=st.just(timezone.utc),
        )
    )
    return kwargs


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(task_kwargs())
def test_every_record_is_valid_and_consistent(kwargs: dict[str, Any]) -> None:
    try:
        task = TaskFactory(**kwargs)
    except ValueError as exc:
        # Only combinations the service could never show are refused, and they say why.
        assert "never happens" in str(exc) or "failed to start never ran" in str(exc)
        assume(False)
        return
    assert_consistent_task(task, now=kwargs["now"])
    if "lastStatus" in kwargs:
        assert task["lastStatus"] == kwargs["lastStatus"]
    if "stopCode" in kwargs:
        assert task["stopCode"] == kwargs["stopCode"]
    if "cluster" in kwargs and "old_arn_format" not in kwargs:
        assert f":task/{kwargs['cluster']}/" in task["taskArn"]


@pytest.mark.parametrize("trait", STATUS_TRAITS + OTHER_TRAITS + ["fargate", "ec2"])
def test_each_trait_gives_a_consistent_record(trait: str) -> None:
    task = TaskFactory(now=NOW, **{trait: True})
    assert_consistent_task(task, now=NOW)


def test_default_is_a_running_fargate_task() -> None:
    task = TaskFactory(now=NOW)
    assert task["lastStatus"] == "RUNNING"
    assert task["desiredStatus"] == "RUNNING"
    assert task["launchType"] == "FARGATE"
    assert task["version"] == 4
    assert task["tags"] == []
    for absent in ("stopCode", "stoppedReason", "stoppingAt", "stoppedAt", "executionStoppedAt"):
        assert absent not in task
    (attachment,) = task["attachments"]
    assert attachment["type"] == "ElasticNetworkInterface"
    assert attachment["status"] == "ATTACHED"
    names = {d["name"] for d in attachment["details"]}
    assert names == {
        "subnetId",
        "networkInterfaceId",
        "macAddress",
        "privateDnsName",
        "privateIPv4Address",
    }
    assert task["ephemeralStorage"] == {"sizeInGiB": 20}
    assert isinstance(task["cpu"], str) and isinstance(task["memory"], str)


def test_failed_to_start_has_no_start_and_no_exit_codes() -> None:
    task = TaskFactory(failed_to_start=True, now=NOW)
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith("CannotPullContainerError")
    assert "startedAt" not in task
    for c in task["containers"]:
        assert "exitCode" not in c
        assert c["reason"] == task["stoppedReason"]


def test_essential_container_exit_is_visible() -> None:
    task = TaskFactory(essential_exited=True, now=NOW)
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["stoppedReason"] == "Essential container in task exited"
    assert task["containers"][0]["exitCode"] != 0


def test_container_exit_codes_by_name() -> None:
    task = TaskFactory(
        stopped=True, now=NOW, containers=[{"name": "app", "exitCode": 3}, {"name": "sidecar"}]
    )
    assert [(c["name"], c["exitCode"]) for c in task["containers"]] == [("app", 3), ("sidecar", 0)]


def test_user_stopped_containers_end_by_sigterm() -> None:
    task = TaskFactory(user_stopped=True, now=NOW)
    assert task["stoppedReason"] == "Task stopped by user"
    assert {c["exitCode"] for c in task["containers"]} == {143}


def test_stopped_task_stopped_minutes_before_now() -> None:
    task = TaskFactory(stopped=True, now=NOW)
    assert NOW - timedelta(hours=1) < task["stoppedAt"] <= NOW


def test_ec2_task_has_container_instance_and_host_ports() -> None:
    task = TaskFactory(ec2=True, now=NOW, region="eu-west-1", cluster="prod")
    assert task["containerInstanceArn"].startswith(
        "arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/"
    )
    assert task["attachments"] == []
    assert task["containers"][0]["networkBindings"][0]["hostPort"] >= 32768


def test_partition_follows_region() -> None:
    assert TaskFactory(region="cn-north-1")["taskArn"].startswith("arn:aws-cn:ecs:cn-north-1:")
    assert TaskFactory(region="us-gov-west-1")["clusterArn"].startswith("arn:aws-us-gov:")


def test_task_arn_override_places_the_task() -> None:
    arn = "arn:aws:ecs:eu-west-1:111122223333:task/prod/0123456789abcdef0123456789abcdef"
    task = TaskFactory(taskArn=arn, now=NOW)
    assert task["taskArn"] == arn
    assert task["clusterArn"] == "arn:aws:ecs:eu-west-1:111122223333:cluster/prod"
    assert all(c["taskArn"] == arn for c in task["containers"])
    assert_consistent_task(task, now=NOW)


def test_service_and_tagged_traits() -> None:
    task = TaskFactory(service=True, tagged=True)
    assert task["group"].startswith("service:")
    assert (
        task["startedBy"].startswith("ecs-svc/") and len(task["startedBy"]) == len("ecs-svc/") + 19
    )
    assert 1 <= len(task["tags"]) <= 3


def test_old_arn_format() -> None:
    task = TaskFactory(old_arn_format=True, now=NOW)
    assert task["taskArn"].count("/") == 1
    assert task["containers"][0]["containerArn"].count("/") == 1


def test_build_batch_gives_distinct_tasks() -> None:
    tasks = TaskFactory.build_batch(1000)
    assert len({t["taskArn"] for t in tasks}) == 1000


def test_seeded_runs_give_identical_records() -> None:
    def draw() -> list[object]:
        factory.random.reseed_random(1234)
        return [
            TaskFactory(now=NOW),
            TaskFactory(now=NOW, stopped=True, ec2=True),
            ContainerFactory(),
            FailureFactory(),
            DescribeTasksResponseFactory(tasks=TaskFactory.build_batch(3, now=NOW)),
        ]

    first, second = draw(), draw()
    assert first == second
    factory.random.reseed_random(4321)
    assert TaskFactory(now=NOW) != first[0]


def known_to_botocore(wire: dict[str, Any]) -> dict[str, Any]:
    """The sample as the installed botocore can know it: an older model (botocore
    1.34) lacks newer Task members, which its parser drops. With the newest
    botocore this is the whole sample."""
    members = model.members("Task")
    return {**wire, "tasks": [{k: v for k, v in t.items() if k in members} for t in wire["tasks"]]}


def test_captured_response_round_trips() -> None:
    wire = json.loads(SAMPLE.read_text())
    records = from_wire(wire)
    assert records["tasks"][0]["createdAt"] == datetime(
        2025, 2, 3, 21, 1, 55, 201000, tzinfo=timezone.utc
    )
    assert_valid_response("DescribeTasks", records)
    assert to_wire(records, timestamps="iso") == known_to_botocore(wire)
    assert from_wire(json.dumps(to_wire(records))) == records


def test_factory_records_round_trip_through_the_wire() -> None:
    response = DescribeTasksResponseFactory(
        tasks=[TaskFactory(stopped=True), TaskFactory(ec2=True)]
    )
    assert from_wire(json.dumps(to_wire(response))) == response


def test_failure_factory_is_missing_without_detail() -> None:
    failure = FailureFactory(cluster="prod", region="eu-west-1")
    assert failure["reason"] == "MISSING"
    assert "detail" not in failure
    assert failure["arn"].startswith("arn:aws:ecs:eu-west-1:123456789012:task/prod/")


def test_describe_tasks_response_factory() -> None:
    response = DescribeTasksResponseFactory(failures=[FailureFactory()])
    assert len(response["tasks"]) == 1 and len(response["failures"]) == 1
    assert_valid_response("DescribeTasks", response)


def test_container_factory() -> None:
    task = TaskFactory()
    container = ContainerFactory(task_arn=task["taskArn"], lastStatus="STOPPED", exitCode=2)
    assert container["taskArn"] == task["taskArn"]
    assert container["exitCode"] == 2
    pending = ContainerFactory(pending=True)
    assert "runtimeId" not in pending and "exitCode" not in pending


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"lastStatus": "FINISHED"},
            "lastStatus='FINISHED' is not a value the service returns; valid: PROVISIONING",
        ),
        (
            {"stopCode": "Crashed"},
            "stopCode='Crashed' is not a value the service returns; valid: TaskFailedToStart",
        ),
        (
            {"launchType": "LAMBDA"},
            "launchType='LAMBDA' is not a value the service returns; valid: FARGATE, EC2",
        ),
        ({"taskArn": "arn:aws:ecs:task/nope"}, "taskArn='arn:aws:ecs:task/nope' is not a task ARN"),
        ({"clusterArn": "default"}, "clusterArn='default' is not an ARN"),
        ({"desiredStatus": "DONE"}, "desiredStatus='DONE' is not a value the service returns"),
        ({"region": "mars"}, "region must look like 'us-east-1', got 'mars'"),
        ({"cluster": "no spaces"}, "a cluster name is 1 to 255 letters"),
        ({"cpu": 256}, "cpu=256: the API sends a task's cpu and memory as strings, like cpu='256'"),
        (
            {"enableExecuteCommand": "yes"},
            "not a valid Task record:\nInvalid type for parameter enableExecuteCommand",
        ),
        (
            {"lastStatus": "RUNNING", "failed_to_start": True},
            "lastStatus='RUNNING' never happens with stopCode='TaskFailedToStart'",
        ),
        (
            {"ec2": True, "lastStatus": "PROVISIONING"},
            "lastStatus='PROVISIONING' never happens on this launch type",
        ),
        (
            {"stopCode": "TaskFailedToStart", "lastStatus": "RUNNING"},
            "lastStatus='RUNNING' never happens with stopCode='TaskFailedToStart'",
        ),
        ({"colour": "red"}, "unknown Task member 'colour'"),
        ({"containers": "app"}, "containers must be a list of dicts"),
    ],
)
def test_impossible_records_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        TaskFactory(**kwargs)


def test_create_builds_too() -> None:
    assert TaskFactory.create(now=NOW, stopped=True)["lastStatus"] == "STOPPED"
    assert len({t["taskArn"] for t in TaskFactory.create_batch(3)}) == 3
    assert FailureFactory.create()["reason"] == "MISSING"
    assert ContainerFactory.create(pending=True)["lastStatus"] == "PENDING"
    assert len(DescribeTasksResponseFactory.create()["tasks"]) == 1


ALL_TRAITS = [*STATUS_TRAITS, "fargate", "ec2", *OTHER_TRAITS]


@pytest.mark.parametrize("trait", ALL_TRAITS)
def test_same_seed_same_batch_for_every_trait(trait: str) -> None:
    def batch() -> list[Any]:
        factory.random.reseed_random(99)
        return TaskFactory.build_batch(20, now=NOW, **{trait: True})

    assert batch() == batch()


@pytest.mark.parametrize("trait", ALL_TRAITS)
def test_declarations_as_overrides_give_what_their_values_give(trait: str) -> None:
    # factory_boy's declarations still work as overrides, and agree with plain values.
    factory.random.reseed_random(7)
    plain = TaskFactory.build_batch(3, now=NOW, cluster="prod", **{trait: True})
    factory.random.reseed_random(7)
    declared = TaskFactory.build_batch(
        3,
        now=factory.LazyFunction(lambda: NOW),
        cluster=factory.LazyAttribute(lambda o: "prod"),
        **{trait: True},
    )
    assert declared == plain


def test_subclasses_keep_declarations_and_traits() -> None:
    class WebTaskFactory(TaskFactory):
        cluster = "web"
        group = factory.Sequence(lambda n: f"service:web-{n}")

        class Params:
            canary = factory.Trait(tags=[{"key": "canary", "value": "yes"}], lastStatus="PENDING")

    class QuietTaskFactory(TaskFactory):
        startedBy = factory.LazyFunction(lambda: "me")

        class Params:
            loud = factory.Trait(startedBy="you")

    web = WebTaskFactory(now=NOW, canary=True, ec2=True)
    assert web["clusterArn"].endswith(":cluster/web")
    assert web["group"].startswith("service:web-")
    assert web["tags"] == [{"key": "canary", "value": "yes"}]
    assert (web["lastStatus"], web["launchType"]) == ("PENDING", "EC2")
    assert WebTaskFactory(now=NOW)["tags"] == []
    assert QuietTaskFactory(now=NOW)["startedBy"] == "me"
    assert QuietTaskFactory(now=NOW, loud=True)["startedBy"] == "you"
    assert QuietTaskFactory(now=NOW, loud=True, startedBy="them")["startedBy"] == "them"
    assert [t["lastStatus"] for t in QuietTaskFactory.build_batch(2, now=NOW, stopped=True)] == [
        "STOPPED",
        "STOPPED",
    ]
    for record in (web, QuietTaskFactory(now=NOW, service=True)):
        assert_consistent_task(record, now=NOW)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"pending": True}, {"stopped": True}, {"ec2": True}, {"stopped": True, "ec2": True}],
)
def test_container_and_failure_records_are_valid(kwargs: dict[str, Any]) -> None:
    task = TaskFactory(now=NOW)
    containers = [
        ContainerFactory(**kwargs),
        ContainerFactory(task_arn=task["taskArn"], **kwargs),
        ContainerFactory(region="cn-north-1", cluster="c", name="app", cpu="256", **kwargs),
    ]
    failures = [FailureFactory(), FailureFactory(region="eu-west-1", detail="gone")]
    assert_valid_response(
        "DescribeTasks", {"tasks": [{**task, "containers": containers}], "failures": failures}
    )


def test_records_carry_only_members_the_installed_botocore_knows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An older botocore lacks newer members (fargateEphemeralStorage, ...): the
    # records leave out whatever the installed model does not know.
    def build() -> list[Any]:
        return [
            TaskFactory(now=NOW, startedBy="me", capacityProviderName="FARGATE"),
            TaskFactory(now=NOW, ec2=True, tagged=True),
        ]

    # Members every botocore knows, or that the lifecycle sets: not dropped here.
    kept = {"containers", "name", "lastStatus", "exitCode", "reason"} | set(
        lifecycle.TIMELINE_TASK_MEMBERS
    )
    tasks = build()
    real = model.members
    for shape, members in (
        ("Task", {k for t in tasks for k in t}),
        ("Container", {k for t in tasks for c in t["containers"] for k in c}),
    ):
        for member in sorted(members - kept):

            def older(name: str, shape: str = shape, member: str = member) -> frozenset[str]:
                return real(name) - {member} if name == shape else real(name)

            monkeypatch.setattr(model, "members", older)
            for task in build():
                records = [task] if shape == "Task" else task["containers"]
                assert all(member not in record for record in records), (shape, member)
            monkeypatch.undo()
