"""The rows S1 to S9 of docs/comparison.md: moto 5.2's services and deployments,
against the fake. (Pinned to moto 5.2.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError
from moto import mock_aws
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from tests.comparison_fixtures import fixture_no_default_amis, fixture_sleeps  # noqa: F401  (fixtures)
from tests.comparison_setups import (
    MOTO_5_2,
    claim,
    ecs_client,
)
from tests.setups import fargate_network, register_fargate

pytestmark = MOTO_5_2


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
        site: dict[str, Any] = {
            "cluster": "web",
            "serviceName": "site",
            "taskDefinition": "web:1",
            "launchType": "FARGATE",
            "networkConfiguration": fargate_network(),
        }
        client.create_service(**site, desiredCount=0)
        with pytest.raises(ClientError) as twice:  # the same name, another request
            client.create_service(**site, desiredCount=1)
        assert twice.value.response["Error"] == {
            "Code": "InvalidParameterException",
            "Message": "Creation of service was not idempotent.",
        }
