"""ECS services on the fake clock, through real boto3 clients: the scheduler keeps the
desired count, rolls deployments within their bounds, the circuit breaker fails and
rolls back, services scale and drain, and botocore's own waiters finish in virtual time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError
from mypy_boto3_ecs import ECSClient

from pytest_ecs_tasks import FakeEcs
from tests.consistency import assert_valid_response
from tests.setups import fargate_network, register_fargate

BREAKER = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}


@pytest.fixture
def web(ecs_tasks: FakeEcs, ecs: ECSClient) -> ECSClient:
    """Cluster ``web`` with the Fargate task definitions ``web:1`` and ``web:2``."""
    ecs_tasks.create_cluster("web")
    for image in ("nginx:1", "nginx:2"):
        register_fargate(ecs, "web", [{"name": "app", "image": image, "essential": True}])
    return ecs


def create(ecs: ECSClient, desired: int = 3, **more: Any) -> dict[str, Any]:
    return ecs.create_service(  # type: ignore[return-value]
        cluster="web",
        serviceName="site",
        taskDefinition=more.pop("taskDefinition", "web:1"),
        desiredCount=desired,
        launchType="FARGATE",
        networkConfiguration=fargate_network(),
        **more,
    )["service"]


def describe(ecs: ECSClient) -> dict[str, Any]:
    answer: Any = ecs.describe_services(cluster="web", services=["site"])
    answer.pop("ResponseMetadata")
    assert_valid_response("DescribeServices", answer)
    found: dict[str, Any] = answer["services"][0]
    return found


def stable(ecs: ECSClient) -> None:
    ecs.get_waiter("services_stable").wait(cluster="web", services=["site"])


def messages(service: dict[str, Any]) -> list[str]:
    """The service's events, oldest first."""
    return [e["message"] for e in reversed(service["events"])]


def tasks_of(ecs: ECSClient, **filters: Any) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster="web", **filters)["taskArns"]
    if not arns:
        return []
    answer: Any = ecs.describe_tasks(cluster="web", tasks=arns)
    answer.pop("ResponseMetadata")
    assert_valid_response("DescribeTasks", answer)
    found: list[dict[str, Any]] = answer["tasks"]
    return found


def test_a_new_service_starts_its_tasks_and_reaches_a_steady_state(
    ecs_tasks: FakeEcs, web: ECSClient
) -> None:
    created = create(web)
    assert (created["status"], created["desiredCount"], created["pendingCount"]) == ("ACTIVE", 3, 3)
    [deployment] = created["deployments"]
    assert deployment["id"].startswith("ecs-svc/") and len(deployment["id"]) == 27
    assert (deployment["status"], deployment["rolloutState"]) == ("PRIMARY", "IN_PROGRESS")
    assert created["deploymentConfiguration"]["minimumHealthyPercent"] == 100
    assert created["deploymentConfiguration"]["maximumPercent"] == 200
    before = ecs_tasks.clock.now()
    stable(web)
    assert ecs_tasks.clock.now() - before < timedelta(minutes=2)  # in virtual time
    ecs_tasks.clock.advance(minutes=1)  # RUNNING for 40 s: the tasks count as healthy
    service = describe(web)
    assert service["runningCount"] == 3
    [deployment] = service["deployments"]
    assert deployment["rolloutState"] == "COMPLETED"
    assert deployment["rolloutStateReason"] == f"ECS deployment {deployment['id']} completed."
    log = messages(service)
    assert log[0].startswith("(service site) has started 3 tasks: (task ")
    assert log[-2:] == [
        f"(service site) (deployment {deployment['id']}) deployment completed.",
        "(service site) has reached a steady state.",
    ]
    tasks = tasks_of(web, serviceName="site")
    assert len(tasks) == 3
    for task in tasks:
        assert task["startedBy"] == deployment["id"]
        assert task["group"] == "service:site"
        assert task["lastStatus"] == "RUNNING"
    # their lifecycles are events like any task's
    assert {e["resources"][0] for e in ecs_tasks.events} == {t["taskArn"] for t in tasks}


def test_a_rolling_deployment_replaces_every_task_within_its_bounds(
    ecs_tasks: FakeEcs, web: ECSClient
) -> None:
    create(web, desired=4)
    stable(web)
    ecs_tasks.clock.advance(minutes=1)
    old_tasks = {t["taskArn"] for t in tasks_of(web, serviceName="site")}
    web.update_service(cluster="web", service="site", taskDefinition="web:2")
    during = describe(web)
    assert [(d["status"], d["desiredCount"]) for d in during["deployments"]] == [
        ("PRIMARY", 4),
        ("ACTIVE", 0),
    ]
    assert during["deployments"][1]["rolloutState"] == "COMPLETED"
    most = 0
    for _ in range(40):  # watch it every 5 s: maximumPercent 200 bounds the tasks
        ecs_tasks.clock.advance(seconds=5)
        most = max(most, len(tasks_of(web, serviceName="site")))
        service = describe(web)
        if len(service["deployments"]) == 1:
            break
    assert most <= 8
    [deployment] = service["deployments"]
    assert service["taskDefinition"].endswith("task-definition/web:2")
    assert deployment["rolloutState"] == "COMPLETED"
    new_tasks = tasks_of(web, serviceName="site")
    assert {t["taskDefinitionArn"].rsplit("/", 1)[1] for t in new_tasks} == {"web:2"}
    assert not old_tasks & {t["taskArn"] for t in new_tasks}
    stopped = web.describe_tasks(cluster="web", tasks=sorted(old_tasks))["tasks"]
    old_id = during["deployments"][1]["id"]
    for task in stopped:
        assert task["stopCode"] == "ServiceSchedulerInitiated"
        assert task["stoppedReason"] == f"Scaling activity initiated by (deployment {old_id})"
    assert messages(service)[-1] == "(service site) has reached a steady state."


def test_a_deployment_whose_tasks_fail_to_start_is_rolled_back_by_the_circuit_breaker(
    ecs_tasks: FakeEcs, web: ECSClient
) -> None:
    create(web, desired=2, deploymentConfiguration=BREAKER)
    stable(web)
    ecs_tasks.clock.advance(minutes=1)
    first = describe(web)["deployments"][0]["id"]
    reason = "CannotPullContainerError: pull image manifest has been retried 5 time(s)"
    ecs_tasks.plan_runs(fail_to_start=reason, task_definition="web:2")
    web.update_service(cluster="web", service="site", taskDefinition="web:2")
    failed = describe(web)["deployments"][0]["id"]
    stable(web)  # the rollback completes: one deployment, two tasks running
    service = describe(web)
    [deployment] = service["deployments"]
    assert deployment["id"] == first  # the last completed deployment comes back
    assert service["taskDefinition"].endswith("task-definition/web:1")
    log = messages(service)
    assert f"(service site) (deployment {failed}) deployment failed: tasks failed to start." in log
    assert f"(service site) rolling back to deployment {first}." in log
    ecs_tasks.clock.advance(minutes=2)
    assert describe(web)["deployments"][0]["rolloutStateReason"] == (
        f"ECS deployment {first} completed."
    )
    # the failed tasks stopped as tasks that fail to start do
    failures = [
        t
        for t in web.describe_tasks(
            cluster="web",
            tasks=[
                e["resources"][0]
                for e in ecs_tasks.events
                if "web:2" in e["detail"]["taskDefinitionArn"]
            ],
        )["tasks"]
        if t.get("stopCode") == "TaskFailedToStart"
    ]
    assert failures and all(t["stoppedReason"] == reason for t in failures)


def test_without_rollback_the_failed_deployment_stays_and_never_stabilizes(
    ecs_tasks: FakeEcs, web: ECSClient
) -> None:
    create(
        web,
        desired=1,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
    )
    stable(web)
    ecs_tasks.clock.advance(minutes=1)  # the old task counts as healthy: it stays
    ecs_tasks.plan_runs(fail_to_start="CannotPullContainerError: denied", task_definition="web:2")
    web.update_service(cluster="web", service="site", taskDefinition="web:2")
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        stable(web)  # 40 polls 15 s apart, in virtual time
    service = describe(web)
    primary, active = service["deployments"]
    assert (primary["rolloutState"], primary["failedTasks"]) == ("FAILED", 3)  # the threshold: 3
    assert primary["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert active["runningCount"] == 1  # the old task runs on
    # a FAILED deployment launches no new tasks
    started = sum(1 for m in messages(service) if "has started" in m)
    ecs_tasks.clock.advance(hours=1)
    assert sum(1 for m in messages(describe(web)) if "has started" in m) == started


def test_scale_out_and_in(ecs_tasks: FakeEcs, web: ECSClient) -> None:
    create(web, desired=2)
    stable(web)
    web.update_service(cluster="web", service="site", desiredCount=5)
    stable(web)
    assert describe(web)["runningCount"] == 5
    assert len(describe(web)["deployments"]) == 1  # a new count is no new deployment
    newest = sorted(tasks_of(web, serviceName="site"), key=lambda t: t["createdAt"])[-4:]
    web.update_service(cluster="web", service="site", desiredCount=1)
    stable(web)
    left = tasks_of(web, serviceName="site")
    assert len(left) == 1 and left[0]["taskArn"] not in {t["taskArn"] for t in newest}


def test_a_task_that_exits_is_replaced(ecs_tasks: FakeEcs, web: ECSClient) -> None:
    ecs_tasks.plan_runs(runs_for="2m", exit_code=1, times=1)
    create(web, desired=1)
    ecs_tasks.clock.advance(minutes=5)
    service = describe(web)
    assert service["runningCount"] == 1
    assert (
        sum(1 for m in messages(service) if m.startswith("(service site) has started 1 tasks")) == 2
    )
    [task] = tasks_of(web, serviceName="site")
    stopped = tasks_of(web, serviceName="site", desiredStatus="STOPPED")
    assert [t["containers"][0]["exitCode"] for t in stopped] == [1]
    assert task["taskArn"] != stopped[0]["taskArn"]


def test_delete_drains_the_service_and_frees_the_cluster(
    ecs_tasks: FakeEcs, web: ECSClient
) -> None:
    create(web, desired=2)
    stable(web)
    with pytest.raises(ClientError) as refused:
        web.delete_cluster(cluster="web")
    assert refused.value.response["Error"]["Code"] == "ClusterContainsServicesException"
    with pytest.raises(ClientError) as scaled:
        web.delete_service(cluster="web", service="site")
    assert scaled.value.response["Error"]["Message"] == (
        "The service cannot be stopped while it is scaled above 0."
    )
    deleted = web.delete_service(cluster="web", service="site", force=True)["service"]
    assert (deleted["status"], deleted["desiredCount"]) == ("DRAINING", 0)
    assert web.list_services(cluster="web")["serviceArns"] == []
    web.get_waiter("services_inactive").wait(cluster="web", services=["site"])
    assert describe(web)["status"] == "INACTIVE"
    assert tasks_of(web, serviceName="site") == []
    with pytest.raises(ClientError) as inactive:
        web.update_service(cluster="web", service="site", desiredCount=1)
    assert inactive.value.response["Error"]["Code"] == "ServiceNotActiveException"
    # INACTIVE once its tasks are STOPPING; the cluster waits for them to be STOPPED
    with pytest.raises(ClientError) as busy:
        web.delete_cluster(cluster="web")
    assert busy.value.response["Error"]["Code"] == "ClusterContainsTasksException"
    ecs_tasks.clock.advance(minutes=1)
    web.delete_cluster(cluster="web")
    # a name whose service is INACTIVE can be used again
    ecs_tasks.create_cluster("web")
    assert create(web, desired=0)["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("call", "code", "message"),
    [
        ("duplicate", "InvalidParameterException", "Creation of service was not idempotent."),
        ("update_unknown", "ServiceNotFoundException", "Service not found."),
        ("delete_unknown", "ServiceNotFoundException", "Service not found."),
        ("negative", "InvalidParameterException", "desiredCount must be 0 or more."),
        (
            "too_many",
            "InvalidParameterException",
            "desiredCount must be at most 5000 (tasks per service).",
        ),
        (
            "daemon",
            "UnsupportedFeatureException",
            "pytest-ecs-tasks serves schedulingStrategy REPLICA only, not DAEMON.",
        ),
        ("no_cluster", "ClusterNotFoundException", "Cluster not found."),
    ],
)
def test_errors_are_the_services(web: ECSClient, call: str, code: str, message: str) -> None:
    create(web, desired=0)
    calls: dict[str, Any] = {
        "duplicate": lambda: create(web, desired=1),
        "update_unknown": lambda: web.update_service(cluster="web", service="nope", desiredCount=1),
        "delete_unknown": lambda: web.delete_service(cluster="web", service="nope"),
        "negative": lambda: web.update_service(cluster="web", service="site", desiredCount=-1),
        "too_many": lambda: web.update_service(cluster="web", service="site", desiredCount=5001),
        "daemon": lambda: web.create_service(
            cluster="web", serviceName="d", taskDefinition="web:1", schedulingStrategy="DAEMON"
        ),
        "no_cluster": lambda: web.create_service(
            cluster="nope", serviceName="x", taskDefinition="web:1", desiredCount=1
        ),
    }
    with pytest.raises(ClientError) as error:
        calls[call]()
    assert (error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]) == (
        code,
        message,
    )


def test_describe_reports_missing_services_as_failures(web: ECSClient) -> None:
    create(web, desired=0)
    answer = web.describe_services(cluster="web", services=["site", "gone"])
    assert [s["serviceName"] for s in answer["services"]] == ["site"]
    assert answer["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:service/web/gone", "reason": "MISSING"}
    ]


def test_a_deployment_the_configuration_cannot_move_says_so(
    ecs_tasks: FakeEcs, web: ECSClient
) -> None:
    create(
        web,
        desired=2,
        deploymentConfiguration={"minimumHealthyPercent": 100, "maximumPercent": 100},
    )
    stable(web)
    ecs_tasks.clock.advance(minutes=1)
    web.update_service(cluster="web", service="site", taskDefinition="web:2")
    ecs_tasks.clock.advance(minutes=10)
    service = describe(web)
    assert len(service["deployments"]) == 2
    assert messages(service)[-1] == (
        "(service site) was unable to stop or start tasks during a deployment because of the "
        "service deployment configuration. Update the minimumHealthyPercent or maximumPercent "
        "value and try again."
    )


def test_every_answer_fits_the_model_and_the_report_shows_the_service(
    ecs_tasks: FakeEcs, web: ECSClient
) -> None:
    from pytest_ecs_tasks._report import state_report

    def valid(operation: str, answer: Any) -> None:
        answer.pop("ResponseMetadata")
        assert_valid_response(operation, answer)

    valid(
        "CreateService",
        web.create_service(
            cluster="web",
            serviceName="site",
            taskDefinition="web:1",
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=fargate_network(),
            tags=[{"key": "k", "value": "v"}],
        ),
    )
    valid(
        "UpdateService", web.update_service(cluster="web", service="site", taskDefinition="web:2")
    )
    valid("ListServices", web.list_services(cluster="web"))
    tagged: Any = web.describe_services(cluster="web", services=["site"], include=["TAGS"])
    assert tagged["services"][0]["tags"] == [{"key": "k", "value": "v"}]
    valid("DescribeServices", tagged)
    ecs_tasks.clock.advance(minutes=3)
    report = state_report(ecs_tasks)
    [deployment] = ecs_tasks.deployments("site", cluster="web")
    assert f"  service site ACTIVE desired 1: PRIMARY {deployment['id']} web:2 COMPLETED" in report
    valid("DeleteService", web.delete_service(cluster="web", service="site", force=True))


def test_a_deploy_right_after_the_waiter_keeps_every_running_task_until_replaced(
    ecs_tasks: FakeEcs, web: ECSClient
) -> None:
    create(web, desired=3)
    stable(web)  # RUNNING, not yet healthy (40 s): a deploy starts at once
    web.update_service(cluster="web", service="site", taskDefinition="web:2")
    fewest = 3
    for _ in range(120):  # minimumHealthyPercent 100: never fewer than 3 running
        ecs_tasks.clock.advance(seconds=1)
        fewest = min(fewest, describe(web)["runningCount"])
    service = describe(web)
    assert fewest == 3
    assert [d["rolloutState"] for d in service["deployments"]] == ["COMPLETED"]
    assert any(
        m.startswith("(service site) has stopped 3 running tasks: (task ")
        for m in messages(service)
    )


def test_a_task_that_fails_its_health_checks_is_replaced(
    ecs_tasks: FakeEcs, ecs: ECSClient
) -> None:
    ecs_tasks.create_cluster("web")
    check = {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "interval": 10}
    register_fargate(
        ecs, "web", [{"name": "app", "image": "nginx", "essential": True, "healthCheck": check}]
    )
    ecs_tasks.plan_runs(unhealthy_after={"app": 60}, times=1)
    create(ecs, desired=1)
    ecs_tasks.clock.advance(minutes=5)
    service = describe(ecs)
    [first] = [
        t
        for t in ecs.describe_tasks(
            cluster="web",
            tasks=ecs.list_tasks(cluster="web", serviceName="site", desiredStatus="STOPPED")[
                "taskArns"
            ],
        )["tasks"]
    ]
    assert (first["stopCode"], first["stoppedReason"]) == (
        "ServiceSchedulerInitiated",
        "Task failed container health checks",
    )
    assert (
        f"(service site) (task {first['taskArn'].rsplit('/', 1)[1]}) failed container health checks."
        in messages(service)
    )
    [running] = tasks_of(ecs, serviceName="site")
    assert running["healthStatus"] == "HEALTHY" and service["runningCount"] == 1


def test_force_new_deployment_replaces_the_tasks_on_the_same_revision(
    ecs_tasks: FakeEcs, web: ECSClient
) -> None:
    create(web, desired=2)
    stable(web)
    ecs_tasks.clock.advance(minutes=1)
    before = {t["taskArn"] for t in tasks_of(web, serviceName="site")}
    first = describe(web)["deployments"][0]["id"]
    web.update_service(cluster="web", service="site", forceNewDeployment=True)
    [new, old] = describe(web)["deployments"]
    assert (old["id"], new["taskDefinition"]) == (first, old["taskDefinition"])
    assert new["rolloutStateReason"] == f"ECS deployment {new['id']} in progress."
    stable(web)
    ecs_tasks.clock.advance(minutes=2)
    after = {t["taskArn"] for t in tasks_of(web, serviceName="site")}
    assert len(after) == 2 and not before & after
    assert [d["id"] for d in describe(web)["deployments"]] == [new["id"]]
    # a new desired count alone is no new deployment
    web.update_service(cluster="web", service="site", desiredCount=3)
    assert [d["id"] for d in describe(web)["deployments"]] == [new["id"]]
