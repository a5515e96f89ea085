"""Clusters, tags and listings of the fake ECS service, through real boto3 clients.

Every call goes through a real ``boto3`` ECS client (botocore's serialising and
parsing, moto's stubber) to the fake; nothing is mocked. Each successful
response is checked against botocore's output shape, each error by code,
message and HTTP status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from mypy_boto3_ecs import ECSClient
from mypy_boto3_ecs.type_defs import TagTypeDef

from pytest_ecs_tasks import Clock, FakeEcs
from tests.consistency import assert_valid_response

from .setups import fargate_network, register_fargate

REGION = "us-east-1"
ACCOUNT = "123456789012"
ARN_PREFIX = f"arn:aws:ecs:{REGION}:{ACCOUNT}"


# -- helpers ---------------------------------------------------------------------------


@pytest.fixture
def ecs(ecs_tasks: FakeEcs) -> ECSClient:
    """A plain boto3 ECS client, created the way the code under test creates one."""
    return boto3.client("ecs", region_name=REGION)


def body(operation: str, response: Mapping[str, Any]) -> dict[str, Any]:
    """The response without its metadata, checked: HTTP 200 and valid against the model."""
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    payload = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    assert_valid_response(operation, payload)
    return payload


def assert_error(
    error: pytest.ExceptionInfo[ClientError], code: str, message: str, status: int = 400
) -> None:
    response = error.value.response
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"] == message
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status


def cluster_arn(name: str) -> str:
    return f"{ARN_PREFIX}:cluster/{name}"


def task_arn(cluster: str, task_id: str) -> str:
    return f"{ARN_PREFIX}:task/{cluster}/{task_id}"


def tag_list(tags: Mapping[str, str]) -> list[TagTypeDef]:
    return [{"key": k, "value": v} for k, v in tags.items()]


def by_key(tags: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """Tags in key order, so that a comparison does not depend on the order served."""
    return sorted((dict(t) for t in tags), key=lambda t: t["key"])


def cluster_record(
    name: str,
    *,
    status: str = "ACTIVE",
    tags: Mapping[str, str] | None = None,
    running: int = 0,
    pending: int = 0,
) -> dict[str, Any]:
    """A Cluster record as the fake serves it."""
    return {
        "clusterArn": cluster_arn(name),
        "clusterName": name,
        "status": status,
        "registeredContainerInstancesCount": 0,
        "runningTasksCount": running,
        "pendingTasksCount": pending,
        "activeServicesCount": 0,
        "statistics": [],
        "tags": tag_list(tags or {}),
        # settings come only with include=["SETTINGS"] (and CreateCluster echoes the
        # ones it was given): none here
        "settings": [],
        "capacityProviders": [],
        "defaultCapacityProviderStrategy": [],
    }


def missing(arn: str) -> dict[str, str]:
    return {"arn": arn, "reason": "MISSING"}


def describe(
    ecs: ECSClient, cluster: str, tasks: list[str], *, tags: bool = False
) -> dict[str, Any]:
    if tags:
        response = ecs.describe_tasks(cluster=cluster, tasks=tasks, include=["TAGS"])
    else:
        response = ecs.describe_tasks(cluster=cluster, tasks=tasks)
    return body("DescribeTasks", response)


def task_id(task: Mapping[str, Any]) -> str:
    return str(task["taskArn"]).rpartition("/")[2]


def stop_and_settle(
    ecs_tasks: FakeEcs, clock: Clock, task: Mapping[str, Any], cluster: str
) -> None:
    """Stop a task as StopTask does and let the clock run until it is STOPPED."""
    ecs_tasks.stop_task(task, cluster=cluster)
    clock.advance(minutes=2)


# -- CreateCluster -----------------------------------------------------------------------


def test_create_cluster_without_a_name_answers_the_default_cluster(ecs: ECSClient) -> None:
    created = body("CreateCluster", ecs.create_cluster())

    assert created == {"cluster": cluster_record("default")}
    listed = body("ListClusters", ecs.list_clusters())
    assert listed == {"clusterArns": [cluster_arn("default")]}


def test_create_cluster_returns_its_tags(ecs: ECSClient) -> None:
    created = body(
        "CreateCluster",
        ecs.create_cluster(clusterName="jobs", tags=tag_list({"team": "data", "env": "dev"})),
    )

    assert created == {"cluster": cluster_record("jobs", tags={"team": "data", "env": "dev"})}
    described = body("DescribeClusters", ecs.describe_clusters(clusters=["jobs"], include=["TAGS"]))
    assert described == {
        "clusters": [cluster_record("jobs", tags={"team": "data", "env": "dev"})],
        "failures": [],
    }


def test_create_cluster_on_an_active_name_keeps_the_same_cluster(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    ecs.create_cluster(clusterName="jobs", tags=tag_list({"team": "data"}))
    task = ecs_tasks.run_task("jobs")
    ecs_clock.advance(minutes=1)

    again = body("CreateCluster", ecs.create_cluster(clusterName="jobs"))

    # the same incarnation: its tags and its running task are still there
    assert again == {"cluster": cluster_record("jobs", tags={"team": "data"}, running=1)}
    assert body("ListClusters", ecs.list_clusters()) == {
        "clusterArns": [cluster_arn("default"), cluster_arn("jobs")]
    }
    found = describe(ecs, "jobs", [task["taskArn"]])
    assert [t["taskArn"] for t in found["tasks"]] == [task["taskArn"]]
    assert found["failures"] == []


def test_create_cluster_after_delete_starts_a_new_incarnation(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs", tags=tag_list({"team": "data"}))
    ecs.delete_cluster(cluster="jobs")

    created = body("CreateCluster", ecs.create_cluster(clusterName="jobs"))

    # the old incarnation's tags do not come back
    assert created == {"cluster": cluster_record("jobs")}
    described = body("DescribeClusters", ecs.describe_clusters(clusters=["jobs"], include=["TAGS"]))
    assert described == {"clusters": [cluster_record("jobs")], "failures": []}
    tags = body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=cluster_arn("jobs")))
    assert tags == {"tags": []}


def test_create_cluster_refuses_an_invalid_name(ecs: ECSClient) -> None:
    with pytest.raises(ClientError) as error:
        ecs.create_cluster(clusterName="not a name!")

    assert_error(
        error,
        "InvalidParameterException",
        "Cluster name can have up to 255 letters (uppercase and lowercase), numbers, hyphens, "
        "and underscores.",
    )


def test_create_cluster_refuses_aws_prefixed_tags(ecs: ECSClient) -> None:
    with pytest.raises(ClientError) as error:
        ecs.create_cluster(clusterName="jobs", tags=tag_list({"aws:owner": "me"}))

    assert_error(error, "InvalidParameterException", "Tag keys starting with 'aws:' are reserved.")
    listed = body("ListClusters", ecs.list_clusters())
    assert listed == {"clusterArns": [cluster_arn("default")]}


# -- DescribeClusters -----------------------------------------------------------------------


def test_describe_clusters_by_name_and_arn_with_missing_failures(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs")
    unknown_arn = cluster_arn("ghost-by-arn")

    described = body(
        "DescribeClusters",
        ecs.describe_clusters(clusters=["jobs", cluster_arn("default"), "ghost", unknown_arn]),
    )

    assert described == {
        "clusters": [cluster_record("jobs"), cluster_record("default")],
        "failures": [missing(cluster_arn("ghost")), missing(unknown_arn)],
    }


def test_describe_clusters_without_clusters_describes_default(ecs: ECSClient) -> None:
    described = body("DescribeClusters", ecs.describe_clusters())

    assert described == {"clusters": [cluster_record("default")], "failures": []}


def test_describe_clusters_gives_tags_only_when_asked(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs", tags=tag_list({"team": "data"}))

    plain = body("DescribeClusters", ecs.describe_clusters(clusters=["jobs"]))
    tagged = body("DescribeClusters", ecs.describe_clusters(clusters=["jobs"], include=["TAGS"]))

    assert plain == {"clusters": [cluster_record("jobs")], "failures": []}
    assert tagged == {"clusters": [cluster_record("jobs", tags={"team": "data"})], "failures": []}


def test_describe_clusters_shows_a_deleted_cluster_as_inactive(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs")
    ecs.delete_cluster(cluster="jobs")

    by_name = body("DescribeClusters", ecs.describe_clusters(clusters=["jobs"]))
    by_arn = body("DescribeClusters", ecs.describe_clusters(clusters=[cluster_arn("jobs")]))

    expected = {"clusters": [cluster_record("jobs", status="INACTIVE")], "failures": []}
    assert by_name == expected
    assert by_arn == expected


def test_describe_clusters_refuses_more_than_100(ecs: ECSClient) -> None:
    names = [f"c{i}" for i in range(101)]

    with pytest.raises(ClientError) as error:
        ecs.describe_clusters(clusters=names)

    assert_error(error, "InvalidParameterException", "clusters can have at most 100 items.")


def test_describe_clusters_accepts_exactly_100(ecs: ECSClient) -> None:
    names = ["default"] + [f"c{i}" for i in range(99)]

    described = body("DescribeClusters", ecs.describe_clusters(clusters=names))

    assert described["clusters"] == [cluster_record("default")]
    assert described["failures"] == [missing(cluster_arn(n)) for n in names[1:]]


def test_describe_clusters_refuses_an_unknown_include(ecs: ECSClient) -> None:
    with pytest.raises(ClientError) as error:
        ecs.describe_clusters(clusters=["default"], include=["TASKS"])  # type: ignore[list-item]

    assert_error(error, "InvalidParameterException", "Invalid include value: TASKS.")


# -- ListClusters ---------------------------------------------------------------------------


def test_list_clusters_lists_only_active_clusters(ecs: ECSClient) -> None:
    for name in ("alpha", "beta", "gamma"):
        ecs.create_cluster(clusterName=name)
    ecs.delete_cluster(cluster="beta")

    listed = body("ListClusters", ecs.list_clusters())

    assert listed == {
        "clusterArns": [cluster_arn("default"), cluster_arn("alpha"), cluster_arn("gamma")]
    }


def test_list_clusters_pages_with_max_results_and_next_token(ecs: ECSClient) -> None:
    names = ["default", "c1", "c2", "c3", "c4"]
    for name in names[1:]:
        ecs.create_cluster(clusterName=name)

    first = body("ListClusters", ecs.list_clusters(maxResults=2))
    second = body("ListClusters", ecs.list_clusters(maxResults=2, nextToken=first["nextToken"]))
    third = body("ListClusters", ecs.list_clusters(maxResults=2, nextToken=second["nextToken"]))

    assert first["clusterArns"] == [cluster_arn("default"), cluster_arn("c1")]
    assert second["clusterArns"] == [cluster_arn("c2"), cluster_arn("c3")]
    assert third == {"clusterArns": [cluster_arn("c4")]}
    assert first["nextToken"] != second["nextToken"]


def test_list_clusters_paginator_walks_every_page(ecs: ECSClient) -> None:
    for i in range(4):
        ecs.create_cluster(clusterName=f"c{i}")

    pages = list(ecs.get_paginator("list_clusters").paginate(PaginationConfig={"PageSize": 2}))

    assert [page["clusterArns"] for page in pages] == [
        [cluster_arn("default"), cluster_arn("c0")],
        [cluster_arn("c1"), cluster_arn("c2")],
        [cluster_arn("c3")],
    ]


# -- DeleteCluster --------------------------------------------------------------------------


def test_delete_cluster_returns_it_inactive(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs", tags=tag_list({"team": "data"}))

    deleted = body("DeleteCluster", ecs.delete_cluster(cluster="jobs"))

    assert deleted == {"cluster": cluster_record("jobs", status="INACTIVE")}
    assert body("ListClusters", ecs.list_clusters()) == {"clusterArns": [cluster_arn("default")]}


def test_delete_cluster_by_arn(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs")

    deleted = body("DeleteCluster", ecs.delete_cluster(cluster=cluster_arn("jobs")))

    assert deleted == {"cluster": cluster_record("jobs", status="INACTIVE")}


def test_delete_cluster_unknown_is_not_found(ecs: ECSClient) -> None:
    with pytest.raises(ClientError) as error:
        ecs.delete_cluster(cluster="ghost")

    assert_error(error, "ClusterNotFoundException", "Cluster not found.")


def test_delete_cluster_already_deleted_is_not_found(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs")
    ecs.delete_cluster(cluster="jobs")

    with pytest.raises(ClientError) as error:
        ecs.delete_cluster(cluster="jobs")

    assert_error(error, "ClusterNotFoundException", "Cluster not found.")


def test_delete_cluster_refused_while_a_task_is_not_stopped(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    ecs.create_cluster(clusterName="jobs")
    task = ecs_tasks.run_task("jobs")
    message = "The Cluster cannot be deleted while Tasks are active."

    # just started (PROVISIONING)
    with pytest.raises(ClientError) as error:
        ecs.delete_cluster(cluster="jobs")
    assert_error(error, "ClusterContainsTasksException", message)

    # stop requested, not STOPPED yet
    ecs_clock.advance(minutes=1)
    ecs_tasks.stop_task(task, cluster="jobs")
    with pytest.raises(ClientError) as error:
        ecs.delete_cluster(cluster="jobs")
    assert_error(error, "ClusterContainsTasksException", message)
    described = body("DescribeClusters", ecs.describe_clusters(clusters=["jobs"]))
    assert described["clusters"][0]["status"] == "ACTIVE"

    # STOPPED: the cluster can go
    ecs_clock.advance(minutes=2)
    deleted = body("DeleteCluster", ecs.delete_cluster(cluster="jobs"))
    assert deleted == {"cluster": cluster_record("jobs", status="INACTIVE")}


def test_delete_cluster_ignores_tasks_of_other_clusters(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    ecs.create_cluster(clusterName="jobs")
    ecs_tasks.run_task("default")

    deleted = body("DeleteCluster", ecs.delete_cluster(cluster="jobs"))

    assert deleted == {"cluster": cluster_record("jobs", status="INACTIVE")}


def test_cluster_counts_follow_its_tasks(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    ecs.create_cluster(clusterName="jobs")
    ecs_tasks.run_task("jobs")
    ecs_clock.advance(minutes=1)
    ecs_tasks.run_task("jobs")

    described = body("DescribeClusters", ecs.describe_clusters(clusters=["jobs"]))

    assert described == {"clusters": [cluster_record("jobs", running=1, pending=1)], "failures": []}


# -- deleted and recreated clusters, seen through DescribeTasks ------------------------


def test_deleted_cluster_still_shows_its_tagged_tasks_only(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    ecs.create_cluster(clusterName="jobs")
    tagged = ecs_tasks.run_task("jobs", tags={"team": "data"}, runs_for=30)
    untagged = ecs_tasks.run_task("jobs", runs_for=30)
    ecs_clock.advance(minutes=3)
    ecs.delete_cluster(cluster="jobs")

    found = describe(ecs, "jobs", [tagged["taskArn"], untagged["taskArn"]], tags=True)

    assert [t["taskArn"] for t in found["tasks"]] == [tagged["taskArn"]]
    assert found["tasks"][0]["lastStatus"] == "STOPPED"
    assert found["tasks"][0]["tags"] == [{"key": "team", "value": "data"}]
    assert found["failures"] == [missing(untagged["taskArn"])]
    # by id and through the cluster's ARN, the same
    by_id = describe(ecs, cluster_arn("jobs"), [task_id(tagged), task_id(untagged)])
    assert [t["taskArn"] for t in by_id["tasks"]] == [tagged["taskArn"]]
    assert by_id["failures"] == [missing(task_arn("jobs", task_id(untagged)))]


def test_deleted_cluster_shows_tasks_by_their_tags_at_delete_time(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    ecs.create_cluster(clusterName="jobs")
    user_stopped = ecs_tasks.run_task("jobs", tags={"team": "data"})
    tagged_later = ecs_tasks.run_task("jobs", runs_for=30)
    ecs_clock.advance(minutes=1)
    ecs.stop_task(cluster="jobs", task=user_stopped["taskArn"])  # StopTask drops its tags
    ecs_clock.advance(minutes=2)
    ecs.tag_resource(resourceArn=tagged_later["taskArn"], tags=tag_list({"keep": "yes"}))
    ecs.delete_cluster(cluster="jobs")

    found = describe(ecs, "jobs", [user_stopped["taskArn"], tagged_later["taskArn"]], tags=True)

    assert [t["taskArn"] for t in found["tasks"]] == [tagged_later["taskArn"]]
    assert found["tasks"][0]["tags"] == [{"key": "keep", "value": "yes"}]
    assert found["failures"] == [missing(user_stopped["taskArn"])]


def test_deleted_clusters_tagged_tasks_expire_too(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    ecs.create_cluster(clusterName="jobs")
    tagged = ecs_tasks.run_task("jobs", tags={"team": "data"}, runs_for=30)
    ecs_clock.advance(minutes=3)
    ecs.delete_cluster(cluster="jobs")
    assert [t["taskArn"] for t in describe(ecs, "jobs", [tagged["taskArn"]])["tasks"]] == [
        tagged["taskArn"]
    ]

    ecs_clock.advance(ecs_tasks.retention)

    assert describe(ecs, "jobs", [tagged["taskArn"]]) == {
        "tasks": [],
        "failures": [missing(tagged["taskArn"])],
    }


def test_recreated_cluster_hides_the_old_incarnations_tasks(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    ecs.create_cluster(clusterName="jobs")
    tagged = ecs_tasks.run_task("jobs", tags={"team": "data"}, runs_for=30)
    untagged = ecs_tasks.run_task("jobs", runs_for=30)
    ecs_clock.advance(minutes=3)
    ecs.delete_cluster(cluster="jobs")
    ecs.create_cluster(clusterName="jobs")
    fresh = ecs_tasks.run_task("jobs")

    found = describe(ecs, "jobs", [tagged["taskArn"], untagged["taskArn"], fresh["taskArn"]])

    assert [t["taskArn"] for t in found["tasks"]] == [fresh["taskArn"]]
    assert found["failures"] == [missing(tagged["taskArn"]), missing(untagged["taskArn"])]
    by_id = describe(ecs, "jobs", [task_id(tagged)])
    assert by_id == {"tasks": [], "failures": [missing(tagged["taskArn"])]}
    listed = body("ListTasks", ecs.list_tasks(cluster="jobs", desiredStatus="STOPPED"))
    assert listed == {"taskArns": []}


def test_tasks_never_leak_between_clusters(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    ecs.create_cluster(clusterName="alpha")
    ecs.create_cluster(clusterName="beta")
    task = ecs_tasks.run_task("alpha", tags={"team": "data"})

    in_beta = describe(ecs, "beta", [task["taskArn"], task_id(task)])
    in_default = describe(ecs, "default", [task_id(task)])
    in_alpha = describe(ecs, "alpha", [task_id(task)])

    assert in_beta == {
        "tasks": [],
        "failures": [missing(task["taskArn"]), missing(task_arn("beta", task_id(task)))],
    }
    assert in_default == {"tasks": [], "failures": [missing(task_arn("default", task_id(task)))]}
    assert [t["taskArn"] for t in in_alpha["tasks"]] == [task["taskArn"]]
    assert body("ListTasks", ecs.list_tasks(cluster="beta")) == {"taskArns": []}
    assert body("ListTasks", ecs.list_tasks(cluster="alpha")) == {"taskArns": [task["taskArn"]]}


# -- tags --------------------------------------------------------------------------------------


def test_tag_resource_merges_cluster_tags_by_key(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs", tags=tag_list({"team": "data", "env": "dev"}))

    tagged = body(
        "TagResource",
        ecs.tag_resource(
            resourceArn=cluster_arn("jobs"), tags=tag_list({"env": "prod", "owner": "ana"})
        ),
    )

    assert tagged == {}
    listed = body(
        "ListTagsForResource", ecs.list_tags_for_resource(resourceArn=cluster_arn("jobs"))
    )
    assert by_key(listed["tags"]) == [
        {"key": "env", "value": "prod"},
        {"key": "owner", "value": "ana"},
        {"key": "team", "value": "data"},
    ]
    assert len(listed["tags"]) == 3
    described = body("DescribeClusters", ecs.describe_clusters(clusters=["jobs"], include=["TAGS"]))
    assert by_key(described["clusters"][0]["tags"]) == by_key(listed["tags"])


def test_untag_resource_removes_cluster_tags(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs", tags=tag_list({"team": "data", "env": "dev"}))

    untagged = body(
        "UntagResource",
        ecs.untag_resource(resourceArn=cluster_arn("jobs"), tagKeys=["env", "not-there"]),
    )

    assert untagged == {}
    listed = body(
        "ListTagsForResource", ecs.list_tags_for_resource(resourceArn=cluster_arn("jobs"))
    )
    assert listed == {"tags": [{"key": "team", "value": "data"}]}


def test_tag_resource_refuses_aws_prefixed_keys(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    task = ecs_tasks.run_task(tags={"team": "data"})

    for resource in (cluster_arn("default"), task["taskArn"]):
        for key in ("aws:owner", "AWS:owner"):
            with pytest.raises(ClientError) as error:
                ecs.tag_resource(resourceArn=resource, tags=[{"key": key, "value": "me"}])
            assert_error(
                error, "InvalidParameterException", "Tag keys starting with 'aws:' are reserved."
            )

    assert body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=task["taskArn"])) == {
        "tags": [{"key": "team", "value": "data"}]
    }
    assert body(
        "ListTagsForResource", ecs.list_tags_for_resource(resourceArn=cluster_arn("default"))
    ) == {"tags": []}


def test_task_tags_merge_and_remove(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    task = ecs_tasks.run_task(tags={"team": "data", "env": "dev"})
    arn = task["taskArn"]

    body(
        "TagResource", ecs.tag_resource(resourceArn=arn, tags=tag_list({"env": "prod", "run": "7"}))
    )
    merged = body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=arn))
    body("UntagResource", ecs.untag_resource(resourceArn=arn, tagKeys=["team"]))
    left = body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=arn))

    assert by_key(merged["tags"]) == [
        {"key": "env", "value": "prod"},
        {"key": "run", "value": "7"},
        {"key": "team", "value": "data"},
    ]
    assert len(merged["tags"]) == 3
    assert by_key(left["tags"]) == [{"key": "env", "value": "prod"}, {"key": "run", "value": "7"}]
    described = describe(ecs, "default", [arn], tags=True)
    assert by_key(described["tasks"][0]["tags"]) == by_key(left["tags"])
    assert describe(ecs, "default", [arn])["tasks"][0]["tags"] == []


def test_tag_resource_refuses_more_than_50_tags(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs", tags=tag_list({f"k{i}": "v" for i in range(49)}))

    # replacing an existing key does not count twice
    body(
        "TagResource",
        ecs.tag_resource(resourceArn=cluster_arn("jobs"), tags=tag_list({"k0": "new", "k49": "v"})),
    )
    with pytest.raises(ClientError) as error:
        ecs.tag_resource(resourceArn=cluster_arn("jobs"), tags=tag_list({"k50": "v"}))

    assert_error(error, "InvalidParameterException", "A resource can have at most 50 tags.")
    listed = body(
        "ListTagsForResource", ecs.list_tags_for_resource(resourceArn=cluster_arn("jobs"))
    )
    assert len(listed["tags"]) == 50
    assert {"key": "k0", "value": "new"} in listed["tags"]


def test_tags_of_an_unknown_task(ecs: ECSClient) -> None:
    arn = task_arn("default", "0123456789abcdef0123456789abcdef")
    message = "The specified task is not found."

    with pytest.raises(ClientError) as listing:
        ecs.list_tags_for_resource(resourceArn=arn)
    with pytest.raises(ClientError) as tagging:
        ecs.tag_resource(resourceArn=arn, tags=tag_list({"team": "data"}))
    with pytest.raises(ClientError) as untagging:
        ecs.untag_resource(resourceArn=arn, tagKeys=["team"])

    assert_error(listing, "InvalidParameterException", message)
    assert_error(tagging, "InvalidParameterException", message)
    assert_error(untagging, "InvalidParameterException", message)


def test_tags_of_an_unknown_cluster(ecs: ECSClient) -> None:
    with pytest.raises(ClientError) as error:
        ecs.list_tags_for_resource(resourceArn=cluster_arn("ghost"))

    assert_error(error, "ClusterNotFoundException", "Cluster not found.")


def test_tags_of_a_deleted_cluster_are_refused(ecs: ECSClient) -> None:
    ecs.create_cluster(clusterName="jobs", tags=tag_list({"team": "data"}))
    ecs.delete_cluster(cluster="jobs")

    with pytest.raises(ClientError) as error:
        ecs.tag_resource(resourceArn=cluster_arn("jobs"), tags=tag_list({"env": "dev"}))

    assert_error(
        error,
        "InvalidParameterException",
        "The specified cluster is inactive. Specify an active cluster and try again.",
    )


def register_web(ecs: ECSClient) -> None:
    """The ``web`` Fargate task definition, registered through moto."""
    register_fargate(ecs, "web", [{"name": "web", "image": "nginx", "essential": True}])


def test_stop_task_removes_the_tasks_tags(ecs: ECSClient) -> None:
    register_web(ecs)
    started = body(
        "RunTask",
        ecs.run_task(
            taskDefinition="web:1",
            launchType="FARGATE",
            networkConfiguration=fargate_network(),  # moto's default VPC
            tags=tag_list({"team": "data"}),
        ),
    )
    arn = started["tasks"][0]["taskArn"]
    assert body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=arn)) == {
        "tags": [{"key": "team", "value": "data"}]
    }

    stopped = body("StopTask", ecs.stop_task(task=arn, reason="done"))

    assert stopped["task"]["tags"] == []
    assert body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=arn)) == {"tags": []}
    described = describe(ecs, "default", [arn], tags=True)
    assert described["tasks"][0]["tags"] == []
    assert described["tasks"][0]["desiredStatus"] == "STOPPED"


def test_python_stop_task_removes_the_tasks_tags(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    task = ecs_tasks.run_task(tags={"team": "data"})

    ecs_tasks.stop_task(task)

    assert body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=task["taskArn"])) == {
        "tags": []
    }
    assert describe(ecs, "default", [task["taskArn"]], tags=True)["tasks"][0]["tags"] == []


def test_tags_of_an_expired_task_are_gone(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    task = ecs_tasks.run_task(tags={"team": "data"}, runs_for=30)
    ecs_clock.advance(minutes=2)
    assert body("ListTagsForResource", ecs.list_tags_for_resource(resourceArn=task["taskArn"])) == {
        "tags": [{"key": "team", "value": "data"}]
    }

    ecs_clock.advance(ecs_tasks.retention)

    with pytest.raises(ClientError) as error:
        ecs.list_tags_for_resource(resourceArn=task["taskArn"])
    assert_error(error, "InvalidParameterException", "The specified task is not found.")


# -- ListTasks ----------------------------------------------------------------------------------


def stopped_at(ecs: ECSClient, task: Mapping[str, Any]) -> datetime:
    found = describe(ecs, "default", [task["taskArn"]])
    assert found["tasks"][0]["lastStatus"] == "STOPPED"
    value = found["tasks"][0]["stoppedAt"]
    assert isinstance(value, datetime)
    return value


def test_list_tasks_lists_desired_running_by_default(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    running = ecs_tasks.run_task()
    ecs_clock.advance(minutes=1)
    starting = ecs_tasks.run_task()  # still PROVISIONING: desiredStatus RUNNING
    stopping = ecs_tasks.run_task()
    ecs_tasks.stop_task(stopping)  # desiredStatus STOPPED at once

    listed = body("ListTasks", ecs.list_tasks())
    explicit = body("ListTasks", ecs.list_tasks(cluster="default", desiredStatus="RUNNING"))

    assert listed == {"taskArns": [running["taskArn"], starting["taskArn"]]}
    assert explicit == listed


def test_list_tasks_desired_stopped(ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock) -> None:
    ecs_tasks.run_task()
    user_stopped = ecs_tasks.run_task()
    exited = ecs_tasks.run_task(runs_for=10)
    ecs_clock.advance(minutes=1)
    ecs_tasks.stop_task(user_stopped)  # stop requested, not STOPPED yet

    listed = body("ListTasks", ecs.list_tasks(desiredStatus="STOPPED"))

    assert listed == {"taskArns": [user_stopped["taskArn"], exited["taskArn"]]}


def test_list_tasks_forgets_stopped_tasks_after_retention(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    assert ecs_tasks.retention == timedelta(hours=1)
    task = ecs_tasks.run_task()
    ecs_clock.advance(minutes=1)
    stop_and_settle(ecs_tasks, ecs_clock, task, "default")
    stopped = stopped_at(ecs, task)

    ecs_clock.move_to(stopped + ecs_tasks.retention)
    kept = body("ListTasks", ecs.list_tasks(desiredStatus="STOPPED"))
    ecs_clock.advance(seconds=1)
    gone = body("ListTasks", ecs.list_tasks(desiredStatus="STOPPED"))

    assert kept == {"taskArns": [task["taskArn"]]}
    assert gone == {"taskArns": []}
    assert describe(ecs, "default", [task["taskArn"]]) == {
        "tasks": [],
        "failures": [missing(task["taskArn"])],
    }


@pytest.mark.ecs_tasks(retention=timedelta(minutes=10))
def test_list_tasks_follows_a_shorter_retention(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    task = ecs_tasks.run_task(runs_for=30)
    ecs_clock.advance(minutes=2)
    assert body("ListTasks", ecs.list_tasks(desiredStatus="STOPPED")) == {
        "taskArns": [task["taskArn"]]
    }

    ecs_clock.advance(minutes=10)

    assert body("ListTasks", ecs.list_tasks(desiredStatus="STOPPED")) == {"taskArns": []}


def test_list_tasks_filters_by_family(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    fam = ecs_tasks.run_task(task_definition="fam:1")
    fam2 = ecs_tasks.run_task(task_definition="fam:2")
    ecs_tasks.run_task(task_definition="other:1")
    ecs_tasks.run_task(task_definition="family:1")

    listed = body("ListTasks", ecs.list_tasks(family="fam"))

    assert listed == {"taskArns": [fam["taskArn"], fam2["taskArn"]]}


def test_list_tasks_filters_by_started_by(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    ci = ecs_tasks.run_task(started_by="ci")
    ecs_tasks.run_task(started_by="cron")
    ecs_tasks.run_task()

    listed = body("ListTasks", ecs.list_tasks(startedBy="ci"))

    assert listed == {"taskArns": [ci["taskArn"]]}


def test_list_tasks_filters_by_launch_type(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    fargate = ecs_tasks.run_task(launch_type="FARGATE")
    ec2 = ecs_tasks.run_task(launch_type="EC2")

    on_ec2 = body("ListTasks", ecs.list_tasks(launchType="EC2"))
    on_fargate = body("ListTasks", ecs.list_tasks(launchType="FARGATE"))

    assert on_ec2 == {"taskArns": [ec2["taskArn"]]}
    assert on_fargate == {"taskArns": [fargate["taskArn"]]}


def test_list_tasks_combines_filters(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    # startedBy must be the only filter (the ListTasks API page): family and launchType here
    wanted = ecs_tasks.run_task(task_definition="fam:1", launch_type="EC2")
    ecs_tasks.run_task(task_definition="fam:1", launch_type="FARGATE")
    ecs_tasks.run_task(task_definition="other:1", launch_type="EC2")

    listed = body("ListTasks", ecs.list_tasks(family="fam", launchType="EC2"))

    assert listed == {"taskArns": [wanted["taskArn"]]}


def test_list_tasks_started_through_boto3(ecs: ECSClient) -> None:
    register_web(ecs)
    started = body(
        "RunTask",
        ecs.run_task(
            taskDefinition="web",
            launchType="FARGATE",
            networkConfiguration=fargate_network(),  # moto's default VPC
            startedBy="ci",
            count=2,
        ),
    )
    arns = [t["taskArn"] for t in started["tasks"]]

    assert body("ListTasks", ecs.list_tasks(family="web")) == {"taskArns": arns}
    assert body("ListTasks", ecs.list_tasks(startedBy="ci")) == {"taskArns": arns}
    assert body("ListTasks", ecs.list_tasks(family="other")) == {"taskArns": []}


def test_list_tasks_pages_across_three_pages(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    arns = [ecs_tasks.run_task()["taskArn"] for _ in range(5)]

    first = body("ListTasks", ecs.list_tasks(maxResults=2))
    second = body("ListTasks", ecs.list_tasks(maxResults=2, nextToken=first["nextToken"]))
    third = body("ListTasks", ecs.list_tasks(maxResults=2, nextToken=second["nextToken"]))

    assert first["taskArns"] == arns[:2]
    assert second["taskArns"] == arns[2:4]
    assert third == {"taskArns": arns[4:]}
    assert set(first) == set(second) == {"taskArns", "nextToken"}


def test_list_tasks_paginator_walks_every_page(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    arns = [ecs_tasks.run_task()["taskArn"] for _ in range(5)]

    pages = list(ecs.get_paginator("list_tasks").paginate(PaginationConfig={"PageSize": 2}))

    assert [page["taskArns"] for page in pages] == [arns[:2], arns[2:4], arns[4:]]


def test_list_tasks_refuses_an_invalid_next_token(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    ecs_tasks.run_task()

    with pytest.raises(ClientError) as error:
        ecs.list_tasks(nextToken="not-a-token")

    assert_error(error, "InvalidParameterException", "Invalid nextToken.")


@pytest.mark.parametrize("max_results", [0, 101])
def test_list_tasks_refuses_max_results_out_of_range(ecs: ECSClient, max_results: int) -> None:
    with pytest.raises(ClientError) as error:
        ecs.list_tasks(maxResults=max_results)

    assert_error(error, "InvalidParameterException", "maxResults must be between 1 and 100.")


def test_list_tasks_unknown_cluster_is_not_found(ecs: ECSClient) -> None:
    with pytest.raises(ClientError) as error:
        ecs.list_tasks(cluster="ghost")

    assert_error(error, "ClusterNotFoundException", "Cluster not found.")


def test_list_tasks_by_cluster_arn(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    ecs.create_cluster(clusterName="jobs")
    task = ecs_tasks.run_task("jobs")
    ecs_tasks.run_task("default")

    listed = body("ListTasks", ecs.list_tasks(cluster=cluster_arn("jobs")))

    assert listed == {"taskArns": [task["taskArn"]]}


def test_list_clusters_pages_skip_nothing_when_a_cluster_goes_between_pages(
    ecs: ECSClient,
) -> None:
    for name in ("c1", "c2", "c3", "c4"):
        ecs.create_cluster(clusterName=name)

    first = body("ListClusters", ecs.list_clusters(maxResults=2))
    ecs.delete_cluster(cluster="c1")  # the cluster the token points after
    ecs.create_cluster(clusterName="c5")
    second = body("ListClusters", ecs.list_clusters(maxResults=2, nextToken=first["nextToken"]))
    third = body("ListClusters", ecs.list_clusters(maxResults=2, nextToken=second["nextToken"]))

    assert first["clusterArns"] == [cluster_arn("default"), cluster_arn("c1")]
    assert second["clusterArns"] == [cluster_arn("c2"), cluster_arn("c3")]
    assert third == {"clusterArns": [cluster_arn("c4"), cluster_arn("c5")]}


def test_list_tasks_pages_skip_nothing_when_tasks_stop_and_expire_between_pages(
    ecs: ECSClient, ecs_tasks: FakeEcs, ecs_clock: Clock
) -> None:
    early = [ecs_tasks.run_task(runs_for=10)["taskArn"] for _ in range(3)]
    ecs_clock.advance(minutes=2)  # the early ones are STOPPED
    arns = [ecs_tasks.run_task()["taskArn"] for _ in range(4)]

    first = body("ListTasks", ecs.list_tasks(maxResults=2))
    ecs_tasks.stop_task(arns[0])
    ecs_clock.advance(ecs_tasks.retention)  # the early ones expire
    second = body("ListTasks", ecs.list_tasks(maxResults=2, nextToken=first["nextToken"]))

    assert first["taskArns"] == arns[:2]
    assert second == {"taskArns": arns[2:]}
    assert describe(ecs, "default", early)["tasks"] == []
