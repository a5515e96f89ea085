"""The service's rules on ListTasks filters, DescribeClusters' ``include`` and unique
tag keys, through real boto3 clients.

Every call goes through a real ``boto3`` ECS client to the fake (services and task
definitions to moto's ECS behind it). Each successful response is checked against
botocore's output shape, each error by code, message and HTTP status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError
from mypy_boto3_ecs import ECSClient
from mypy_boto3_ecs.type_defs import TagTypeDef

from pytest_ecs_tasks import Clock, FakeEcs, TaskFactory
from pytest_ecs_tasks._service import EcsService
from pytest_ecs_tasks._service.errors import EcsError
from pytest_ecs_tasks._settings import Settings
from tests.consistency import assert_valid_response

from .setups import create_service, fargate_network, register_fargate

REGION = "us-east-1"
ACCOUNT = "123456789012"
STARTED_BY_ALONE = ("InvalidParameterException", "cannot specify startedBy with other arguments")
FAMILY_AND_SERVICE = ("InvalidParameterException", "cannot specify serviceName with family")
NO_SUCH_SERVICE = ("ServiceNotFoundException", "Service not found.")
BAD_LAUNCH_TYPE = (
    "InvalidParameterException",
    "launchType should be one of [FARGATE, EC2, EXTERNAL, MANAGED_INSTANCES]",
)
STATISTIC_NAMES = [
    "runningEC2TasksCount",
    "runningFargateTasksCount",
    "pendingEC2TasksCount",
    "pendingFargateTasksCount",
    "runningExternalTasksCount",
    "pendingExternalTasksCount",
    "runningManagedInstancesTasksCount",
    "pendingManagedInstancesTasksCount",
    "activeEC2ServiceCount",
    "activeFargateServiceCount",
    "drainingEC2ServiceCount",
    "drainingFargateServiceCount",
    "activeExternalServiceCount",
    "drainingExternalServiceCount",
    "activeManagedInstancesServiceCount",
    "drainingManagedInstancesServiceCount",
]


def body(operation: str, response: Mapping[str, Any]) -> dict[str, Any]:
    """The response without its metadata, checked: HTTP 200 and valid against the model."""
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    payload = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    assert_valid_response(operation, payload)
    return payload


def assert_error(error: pytest.ExceptionInfo[ClientError], expected: tuple[str, str]) -> None:
    response = error.value.response
    assert (response["Error"]["Code"], response["Error"]["Message"]) == expected
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def tag_list(*pairs: tuple[str, str]) -> list[TagTypeDef]:
    return [{"key": k, "value": v} for k, v in pairs]


def statistics(**counts: int) -> list[dict[str, str]]:
    """The ``statistics`` of a cluster: every counter, ``counts`` where not zero."""
    assert set(counts) <= set(STATISTIC_NAMES)
    return [{"name": name, "value": str(counts.get(name, 0))} for name in STATISTIC_NAMES]


def only_stats(ecs: ECSClient, cluster: str) -> dict[str, Any]:
    described = body(
        "DescribeClusters", ecs.describe_clusters(clusters=[cluster], include=["STATISTICS"])
    )
    assert described["failures"] == []
    [record] = described["clusters"]
    return dict(record)


# -- ListTasks: startedBy must be the only filter ------------------------------------------


@pytest.mark.parametrize(
    "other",
    [
        {"family": "app"},
        {"serviceName": "web"},
        {"containerInstance": "0123456789abcdef0123456789abcdef"},
        {"launchType": "FARGATE"},
    ],
    ids=lambda other: next(iter(other)),
)
def test_started_by_with_another_filter_is_refused(
    ecs: ECSClient, ecs_tasks: FakeEcs, other: dict[str, str]
) -> None:
    create_service(ecs, serviceName="web", desiredCount=0)  # so serviceName names a service
    ecs_tasks.run_task(task_definition="app:1", started_by="ci")

    with pytest.raises(ClientError) as error:
        ecs.list_tasks(startedBy="ci", **other)  # type: ignore[arg-type]

    assert_error(error, STARTED_BY_ALONE)


def test_started_by_goes_with_cluster_and_desired_status(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    """As Airflow's ECS operator asks when it reattaches to a task it started."""
    ecs.create_cluster(clusterName="jobs")
    wanted = ecs_tasks.run_task("jobs", started_by="airflow-1")
    ecs_tasks.run_task("jobs", started_by="airflow-2")
    stopped = ecs_tasks.run_task("jobs", started_by="airflow-1")
    ecs_tasks.run_task("default", started_by="airflow-1")
    ecs_clock.advance(minutes=1)
    ecs_tasks.stop_task(stopped, cluster="jobs")

    running = ecs.list_tasks(cluster="jobs", desiredStatus="RUNNING", startedBy="airflow-1")
    gone = ecs.list_tasks(cluster="jobs", desiredStatus="STOPPED", startedBy="airflow-1")

    assert body("ListTasks", running) == {"taskArns": [wanted["taskArn"]]}
    assert body("ListTasks", gone) == {"taskArns": [stopped["taskArn"]]}


# -- ListTasks: serviceName ------------------------------------------------------------------


def test_family_and_service_name_together_are_refused(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    create_service(ecs, serviceName="web", desiredCount=0)
    ecs_tasks.run_task(task_definition="web:1", group="service:web")

    with pytest.raises(ClientError) as error:
        ecs.list_tasks(family="web", serviceName="web")

    assert_error(error, FAMILY_AND_SERVICE)


def test_an_unknown_service_is_not_found(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    ecs.create_cluster(clusterName="jobs")
    create_service(ecs, cluster="jobs", serviceName="web", desiredCount=0)
    ecs_tasks.run_task(group="service:web")  # a task that says so, in the default cluster

    with pytest.raises(ClientError) as unknown:
        ecs.list_tasks(cluster="jobs", serviceName="ghost")
    with pytest.raises(ClientError) as elsewhere:
        ecs.list_tasks(serviceName="web")  # web is a service of jobs, not of default

    assert_error(unknown, NO_SUCH_SERVICE)
    assert_error(elsewhere, NO_SUCH_SERVICE)


def test_service_name_lists_the_services_tasks(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    ecs.create_cluster(clusterName="jobs")
    create_service(ecs, cluster="jobs", serviceName="web", desiredCount=0, launchType="FARGATE")
    create_service(ecs, cluster="jobs", serviceName="api", desiredCount=0)
    web = [ecs_tasks.run_task("jobs", group="service:web") for _ in range(2)]
    ec2_web = ecs_tasks.run_task("jobs", group="service:web", launch_type="EC2")
    ecs_tasks.run_task("jobs", group="service:api")
    ecs_tasks.run_task("jobs", group="family:web")
    ecs_clock.advance(minutes=1)
    ecs_tasks.stop_task(web[1], cluster="jobs")

    running = body("ListTasks", ecs.list_tasks(cluster="jobs", serviceName="web"))
    stopped = body(
        "ListTasks", ecs.list_tasks(cluster="jobs", serviceName="web", desiredStatus="STOPPED")
    )
    on_ec2 = body("ListTasks", ecs.list_tasks(cluster="jobs", serviceName="web", launchType="EC2"))
    api = body("ListTasks", ecs.list_tasks(cluster="jobs", serviceName="api"))

    assert running == {"taskArns": [web[0]["taskArn"], ec2_web["taskArn"]]}
    assert stopped == {"taskArns": [web[1]["taskArn"]]}
    assert on_ec2 == {"taskArns": [ec2_web["taskArn"]]}
    assert len(api["taskArns"]) == 1


def test_a_deleted_cluster_has_no_services(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs")
    create_service(ecs, cluster="jobs", serviceName="web", desiredCount=0)
    ecs.delete_service(cluster="jobs", service="web")
    ecs.delete_cluster(cluster="jobs")
    ecs.create_cluster(clusterName="jobs")  # a new incarnation: none of the old services

    with pytest.raises(ClientError) as error:
        ecs.list_tasks(cluster="jobs", serviceName="web")

    assert_error(error, NO_SUCH_SERVICE)


def test_without_a_cluster_mirror_service_name_goes_by_the_tasks_group(
    ecs_tasks: FakeEcs,
) -> None:
    """A service without another ECS behind it cannot know which services exist: it
    lists by the tasks' ``group``, and refuses the same combinations."""
    service = EcsService(ecs_tasks.clock, ecs_tasks._service.task_parts, Settings())
    assert service.cluster_mirror is None
    now = ecs_tasks.clock.now()
    web = TaskFactory(group="service:web", cluster="default", now=now)
    other = TaskFactory(group="service:api", cluster="default", now=now)
    service.add_record(REGION, "default", web)
    service.add_record(REGION, "default", other)

    listed = service.handle(REGION, "ListTasks", {"serviceName": "web"}, record=False)
    nothing = service.handle(REGION, "ListTasks", {"serviceName": "ghost"}, record=False)
    with pytest.raises(EcsError) as error:
        service.handle(REGION, "ListTasks", {"serviceName": "web", "family": "x"}, record=False)
    described = service.handle(
        REGION, "DescribeClusters", {"include": ["STATISTICS"]}, record=False
    )

    assert listed == {"taskArns": [web["taskArn"]]}
    assert nothing == {"taskArns": []}
    assert (error.value.code, error.value.message) == FAMILY_AND_SERVICE
    assert described["clusters"][0]["statistics"] == statistics(runningFargateTasksCount=2)


# -- ListTasks: desiredStatus, launchType, maxResults ---------------------------------------


def test_desired_status_pending_lists_nothing(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    ecs_tasks.run_task()
    ecs_clock.advance(minutes=1)  # RUNNING
    provisioning = ecs_tasks.run_task()
    pending_ec2 = ecs_tasks.run_task(launch_type="EC2")
    described = body(
        "DescribeTasks",
        ecs.describe_tasks(tasks=[provisioning["taskArn"], pending_ec2["taskArn"]]),
    )
    assert [t["lastStatus"] for t in described["tasks"]] == ["PROVISIONING", "PENDING"]

    listed = body("ListTasks", ecs.list_tasks(desiredStatus="PENDING"))
    one = body("ListTasks", ecs.list_tasks(desiredStatus="PENDING", maxResults=1))

    assert listed == {"taskArns": []}
    assert one == {"taskArns": []}
    assert len(body("ListTasks", ecs.list_tasks())["taskArns"]) == 3


def test_desired_status_pending_still_checks_the_request(ecs: ECSClient) -> None:
    with pytest.raises(ClientError) as cluster:
        ecs.list_tasks(cluster="ghost", desiredStatus="PENDING")
    with pytest.raises(ClientError) as combined:
        ecs.list_tasks(desiredStatus="PENDING", startedBy="ci", family="app")

    assert_error(cluster, ("ClusterNotFoundException", "Cluster not found."))
    assert_error(combined, STARTED_BY_ALONE)


def test_an_invalid_launch_type_is_an_error(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    """botocore does not check enum values, so the service sees the value and answers."""
    ecs_tasks.run_task()

    with pytest.raises(ClientError) as error:
        ecs.list_tasks(launchType="FARGATE_SPOT")  # type: ignore[arg-type]

    assert_error(error, BAD_LAUNCH_TYPE)
    assert ecs_tasks.calls[-1].operation == "ListTasks"  # it reached the fake
    with pytest.raises(EcsError) as raw:
        ecs_tasks._service.handle(REGION, "ListTasks", {"launchType": ""}, record=False)
    assert (raw.value.code, raw.value.message) == BAD_LAUNCH_TYPE


@pytest.mark.parametrize("launch_type", ["EXTERNAL", "MANAGED_INSTANCES"])
def test_every_launch_type_is_a_filter(
    ecs: ECSClient, ecs_tasks: FakeEcs, launch_type: str
) -> None:
    ecs_tasks.run_task()

    listed = body("ListTasks", ecs.list_tasks(launchType=launch_type))  # type: ignore[arg-type]

    assert listed == {"taskArns": []}


@pytest.mark.parametrize("max_results", [1, 100])
def test_max_results_at_its_bounds(ecs: ECSClient, ecs_tasks: FakeEcs, max_results: int) -> None:
    arns = [ecs_tasks.run_task()["taskArn"] for _ in range(2)]

    listed = body("ListTasks", ecs.list_tasks(maxResults=max_results))

    assert listed["taskArns"] == arns[:max_results]
    assert ("nextToken" in listed) == (max_results == 1)


# -- ListTasks on a deleted cluster -------------------------------------------------------


def test_a_deleted_cluster_lists_only_what_describe_tasks_finds(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    ecs.create_cluster(clusterName="jobs")
    tagged = ecs_tasks.run_task("jobs", runs_for=10, tags={"team": "data"})
    untagged = ecs_tasks.run_task("jobs", runs_for=10)
    ecs_clock.advance(minutes=3)  # both exited on their own (their tags stay)
    arns = [tagged["taskArn"], untagged["taskArn"]]
    before = body("ListTasks", ecs.list_tasks(cluster="jobs", desiredStatus="STOPPED"))

    ecs.delete_cluster(cluster="jobs")
    listed = body("ListTasks", ecs.list_tasks(cluster="jobs", desiredStatus="STOPPED"))
    described = body("DescribeTasks", ecs.describe_tasks(cluster="jobs", tasks=arns))

    assert before == {"taskArns": arns}
    assert listed == {"taskArns": [tagged["taskArn"]]}
    assert [t["taskArn"] for t in described["tasks"]] == listed["taskArns"]
    assert described["failures"] == [{"arn": untagged["taskArn"], "reason": "MISSING"}]


# -- DescribeClusters: include ---------------------------------------------------------------


def test_statistics_count_tasks_and_services_by_launch_type(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    ecs.create_cluster(clusterName="jobs")
    create_service(ecs, cluster="jobs", serviceName="web", desiredCount=0, launchType="FARGATE")
    create_service(ecs, cluster="jobs", serviceName="api", desiredCount=0, launchType="FARGATE")
    create_service(ecs, cluster="jobs", serviceName="db", desiredCount=0, launchType="EC2")
    create_service(ecs, cluster="jobs", serviceName="old", desiredCount=0, launchType="EC2")
    ecs.delete_service(cluster="jobs", service="old")  # INACTIVE: not counted
    create_service(ecs, serviceName="elsewhere", desiredCount=0, launchType="EC2")
    for _ in range(2):
        ecs_tasks.run_task("jobs")
    ecs_tasks.run_task("jobs", launch_type="EC2")
    ecs_tasks.run_task("jobs", runs_for=10)  # STOPPED by the time it is asked
    ecs_tasks.run_task("default")
    ecs_clock.advance(minutes=3)
    ecs_tasks.run_task("jobs")
    ecs_tasks.run_task("jobs", launch_type="EC2")
    ecs_tasks.run_task("jobs", launch_type="EXTERNAL")

    record = only_stats(ecs, "jobs")

    assert record["statistics"] == statistics(
        runningFargateTasksCount=2,
        runningEC2TasksCount=1,
        pendingFargateTasksCount=1,
        pendingEC2TasksCount=1,
        pendingExternalTasksCount=1,
        activeFargateServiceCount=2,
        activeEC2ServiceCount=1,
    )
    assert (record["runningTasksCount"], record["pendingTasksCount"]) == (3, 3)
    assert record["activeServicesCount"] == 3
    assert (record["tags"], record["settings"]) == ([], [])


def test_statistics_follow_the_clock(ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock) -> None:
    ecs_tasks.run_task(runs_for=60)
    ecs_tasks.run_task(launch_type="EC2")
    starting = only_stats(ecs, "default")["statistics"]

    ecs_clock.advance(minutes=1)
    running = only_stats(ecs, "default")["statistics"]
    ecs_clock.advance(minutes=5)
    later = only_stats(ecs, "default")["statistics"]

    assert starting == statistics(pendingFargateTasksCount=1, pendingEC2TasksCount=1)
    assert running == statistics(runningFargateTasksCount=1, runningEC2TasksCount=1)
    assert later == statistics(runningEC2TasksCount=1)


def test_statistics_of_a_deleted_cluster_are_zero(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs")
    ecs.delete_cluster(cluster="jobs")

    record = only_stats(ecs, "jobs")

    assert record["status"] == "INACTIVE"
    assert record["statistics"] == statistics()


def test_describe_clusters_gives_each_part_only_when_asked(ecs: ECSClient) -> None:
    settings = [{"name": "containerInsights", "value": "enhanced"}]
    ecs.create_cluster(
        clusterName="jobs",
        tags=tag_list(("team", "data")),
        settings=[{"name": "containerInsights", "value": "enhanced"}],
    )

    def described(*include: str) -> dict[str, Any]:
        if include:
            response = ecs.describe_clusters(clusters=["jobs"], include=list(include))  # type: ignore[arg-type]
        else:
            response = ecs.describe_clusters(clusters=["jobs"])
        [record] = body("DescribeClusters", response)["clusters"]
        return dict(record)

    plain = described()
    with_settings = described("SETTINGS")
    with_tags = described("TAGS")
    with_stats = described("STATISTICS")
    with_attachments = described("ATTACHMENTS")
    everything = described("ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS")

    parts = ("settings", "tags", "statistics")
    assert [plain[p] for p in parts] == [[], [], []]
    assert "attachments" not in plain
    assert [with_settings[p] for p in parts] == [settings, [], []]
    assert [with_tags[p] for p in parts] == [[], [{"key": "team", "value": "data"}], []]
    assert [with_stats[p] for p in parts] == [[], [], statistics()]
    assert [with_attachments[p] for p in parts] == [[], [], []]
    assert with_attachments["attachments"] == []
    assert [everything[p] for p in parts] == [
        settings,
        [{"key": "team", "value": "data"}],
        statistics(),
    ]
    assert everything["attachments"] == []


def test_settings_of_a_cluster_created_without_them(ecs: ECSClient) -> None:
    created = body("CreateCluster", ecs.create_cluster(clusterName="jobs"))

    described = body(
        "DescribeClusters", ecs.describe_clusters(clusters=["jobs"], include=["SETTINGS"])
    )

    assert created["cluster"]["settings"] == []  # CreateCluster echoes what it was given
    assert described["clusters"][0]["settings"] == [
        {"name": "containerInsights", "value": "disabled"}
    ]


def test_create_cluster_echoes_the_settings_it_was_given(ecs: ECSClient) -> None:
    settings = [{"name": "containerInsights", "value": "enabled"}]

    created = body(
        "CreateCluster",
        ecs.create_cluster(
            clusterName="jobs", settings=[{"name": "containerInsights", "value": "enabled"}]
        ),
    )
    plain = body("DescribeClusters", ecs.describe_clusters(clusters=["jobs"]))

    assert created["cluster"]["settings"] == settings
    assert created["cluster"]["statistics"] == []
    assert plain["clusters"][0]["settings"] == []


# -- tags: one value per key ------------------------------------------------------------------


def test_tag_resource_keeps_the_later_value_of_a_key_given_twice(ecs: ECSClient) -> None:
    arn = body("CreateCluster", ecs.create_cluster(clusterName="jobs"))["cluster"]["clusterArn"]

    body(
        "TagResource",
        ecs.tag_resource(
            resourceArn=arn, tags=tag_list(("team", "data"), ("env", "dev"), ("team", "ml"))
        ),
    )
    listed = body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=arn))

    assert listed == {"tags": [{"key": "team", "value": "ml"}, {"key": "env", "value": "dev"}]}


def test_tag_resource_replaces_a_key_the_resource_has(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    task = ecs_tasks.run_task(tags={"team": "data", "env": "dev"})
    arn = task["taskArn"]

    body("TagResource", ecs.tag_resource(resourceArn=arn, tags=tag_list(("team", "ml"))))
    listed = body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=arn))
    described = body("DescribeTasks", ecs.describe_tasks(tasks=[arn], include=["TAGS"]))

    assert listed == {"tags": [{"key": "team", "value": "ml"}, {"key": "env", "value": "dev"}]}
    assert described["tasks"][0]["tags"] == listed["tags"]


def test_a_key_given_again_does_not_count_twice_towards_50(ecs: ECSClient) -> None:
    fifty = tag_list(*((f"k{i}", "v") for i in range(50)))
    arn = body("CreateCluster", ecs.create_cluster(clusterName="jobs", tags=fifty))["cluster"][
        "clusterArn"
    ]

    body("TagResource", ecs.tag_resource(resourceArn=arn, tags=tag_list(("k7", "a"), ("k7", "b"))))
    listed = body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=arn))

    assert len(listed["tags"]) == 50
    assert listed["tags"][7] == {"key": "k7", "value": "b"}


def test_create_cluster_keeps_one_value_per_key(ecs: ECSClient) -> None:
    created = body(
        "CreateCluster",
        ecs.create_cluster(clusterName="jobs", tags=tag_list(("team", "data"), ("team", "ml"))),
    )

    assert created["cluster"]["tags"] == [{"key": "team", "value": "ml"}]
    listed = body(
        "ListTagsForResource",
        ecs.list_tags_for_resource(resourceArn=created["cluster"]["clusterArn"]),
    )
    assert listed == {"tags": [{"key": "team", "value": "ml"}]}


def test_run_task_keeps_one_value_per_key(ecs: ECSClient) -> None:
    register_fargate(ecs, "web", [{"name": "web", "image": "nginx", "essential": True}])

    started = body(
        "RunTask",
        ecs.run_task(
            taskDefinition="web",
            launchType="FARGATE",  # as the definition requires (none given means EC2)
            networkConfiguration=fargate_network(),  # moto's default VPC
            tags=tag_list(("run", "1"), ("team", "data"), ("run", "2")),
        ),
    )
    [task] = started["tasks"]
    listed = body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=task["taskArn"]))

    assert task["tags"] == [{"key": "run", "value": "2"}, {"key": "team", "value": "data"}]
    assert listed == {"tags": task["tags"]}
