"""The consistency rules every Task record must keep, as one checker the tests share."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from botocore.validate import ParamValidator

from pytest_ecs_tasks import _model as model

TASK_ID = re.compile(r"^[0-9a-f]{32}$|^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
TASK_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):ecs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"task/(?:(?P<cluster>[A-Za-z0-9_-]+)/)?(?P<id>[0-9a-f-]+)$"
)
#: Task timestamps in the order the lifecycle sets them.
ORDER = (
    "createdAt",
    "connectivityAt",
    "pullStartedAt",
    "pullStoppedAt",
    "startedAt",
    "stoppingAt",
    "executionStoppedAt",
    "stoppedAt",
)
STATUS_ORDER = (
    "PROVISIONING",
    "PENDING",
    "ACTIVATING",
    "RUNNING",
    "DEACTIVATING",
    "STOPPING",
    "DEPROVISIONING",
    "STOPPED",
)


def assert_valid_response(operation: str, response: Mapping[str, Any]) -> None:
    shape = model.operation_model(operation).output_shape
    assert shape is not None
    report = ParamValidator().validate(dict(response), shape)
    assert not report.has_errors(), report.generate_report()


def assert_consistent_task(task: Mapping[str, Any], now: datetime | None = None) -> None:
    """Every rule of a real task record that the factories and the fake promise."""
    assert_valid_response("DescribeTasks", {"tasks": [task], "failures": []})
    for key, value in task.items():
        assert value is not None, f"{key} is None: absent keys must be absent"
    m = TASK_ARN.match(task["taskArn"])
    assert m, task["taskArn"]
    assert TASK_ID.match(m["id"])
    region, account, cluster = m["region"], m["account"], m["cluster"]
    cluster_arn = task["clusterArn"]
    assert cluster_arn.startswith(f"arn:{m['partition']}:ecs:{region}:{account}:cluster/")
    if cluster is not None:
        assert cluster_arn.endswith(f":cluster/{cluster}")
    assert task["availabilityZone"].startswith(region)
    assert task["taskDefinitionArn"].startswith(
        f"arn:{m['partition']}:ecs:{region}:{account}:task-definition/"
    )
    # timestamps: in lifecycle order, all at or before now
    present = [task[k] for k in ORDER if k in task]
    assert present == sorted(present), {k: task[k] for k in ORDER if k in task}
    if now is not None:
        assert all(t <= now for t in present)
    status = task["lastStatus"]
    assert status in STATUS_ORDER
    assert task["desiredStatus"] in ("RUNNING", "STOPPED")
    assert isinstance(task["version"], int) and task["version"] >= 1
    stopping = "stoppingAt" in task
    assert stopping == ("stopCode" in task) == ("stoppedReason" in task)
    assert stopping == (task["desiredStatus"] == "STOPPED")
    assert ("stoppedAt" in task) == (status == "STOPPED")
    if STATUS_ORDER.index(status) >= STATUS_ORDER.index("DEACTIVATING"):
        assert stopping
    if status in ("RUNNING", "ACTIVATING", "PENDING", "PROVISIONING"):
        assert "stoppedAt" not in task and "executionStoppedAt" not in task
    if status == "RUNNING":
        assert "startedAt" in task
    failed = task.get("stopCode") == "TaskFailedToStart"
    if failed:
        assert "startedAt" not in task
    # containers
    awsvpc = task["launchType"] != "EC2"
    eni_ids = [
        a["id"] for a in task.get("attachments", []) if a["type"] == "ElasticNetworkInterface"
    ]
    if task["launchType"] == "FARGATE":
        assert len(eni_ids) == 1
        assert "containerInstanceArn" not in task
        assert task["platformVersion"] and task["capacityProviderName"] in (
            "FARGATE",
            "FARGATE_SPOT",
        )
    else:
        assert task["containerInstanceArn"].startswith(
            f"arn:{m['partition']}:ecs:{region}:{account}:container-instance/"
        )
    for c in task["containers"]:
        assert c["taskArn"] == task["taskArn"]
        prefix = f"arn:{m['partition']}:ecs:{region}:{account}:container/"
        assert c["containerArn"].startswith(prefix)
        if cluster is not None:
            assert c["containerArn"].startswith(f"{prefix}{cluster}/{m['id']}/")
        assert c["lastStatus"] in ("PENDING", "RUNNING", "STOPPED")
        assert isinstance(c.get("cpu", "0"), str)
        if c["lastStatus"] == "STOPPED":
            assert status in ("STOPPING", "DEACTIVATING", "DEPROVISIONING", "STOPPED")
        if failed:
            assert "exitCode" not in c and "runtimeId" not in c
        elif c["lastStatus"] == "STOPPED" and "startedAt" in task:
            assert isinstance(c["exitCode"], int)
        else:
            assert "exitCode" not in c
        if "startedAt" in task:
            assert "runtimeId" in c
            if awsvpc:
                assert c["runtimeId"].startswith(m["id"] + "-")
                assert [n["attachmentId"] for n in c["networkInterfaces"]] == eni_ids
            else:
                assert re.fullmatch(r"[0-9a-f]{64}", c["runtimeId"])
                assert all(b["hostPort"] > 0 for b in c["networkBindings"])
        else:
            assert "runtimeId" not in c
    if (
        task.get("stopCode") == "EssentialContainerExited"
        and status == "STOPPED"
        and task["containers"]
    ):
        assert any("exitCode" in c for c in task["containers"])
