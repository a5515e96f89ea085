"""Section 1's stores: fakes holding many tasks of one kind, and plain moto."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
from harness import CLUSTER, REGION, SEED

from pytest_ecs_tasks import FakeEcs

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient

PROBES = 100  # tasks per DescribeTasks call (the API's maximum)
KINDS = ("added", "run")
KIND_LABEL = {"added": "added records", "run": "run_task tasks"}


def _task_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def _copy(value: Any, old: str, new: str) -> Any:
    """A deep copy of a record with task id ``old`` replaced by ``new``.

    Generated values (strings with digits: ids, ARNs, addresses, digests) and
    timestamps become new objects, as in a record built from scratch; the fixed
    vocabulary (``"RUNNING"``, ``"FARGATE"``, ...) stays shared, as it is
    between records ``TaskFactory`` builds.
    """
    if isinstance(value, str):
        if old in value:
            return value.replace(old, new)
        if any(c.isdigit() for c in value):
            return (value + "\0")[:-1]
        return value
    if isinstance(value, dict):
        return {k: _copy(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v, old, new) for v in value]
    if isinstance(value, datetime):
        return value + timedelta(0)
    return value


class Store:
    """A ``FakeEcs`` holding tasks of one kind, the 100 probe tasks first.

    ``added``: the probes are 100 ``TaskFactory`` records; the other tasks are
    copies of them under a new task id (building 100k records with the factory
    would take over a minute). ``run``: every task is started with
    ``FakeEcs.run_task``. Either way every task goes in through the public API.
    """

    def __init__(self, kind: str, probes: Sequence[Mapping[str, Any]]) -> None:
        self.kind = kind
        self.fake = FakeEcs(region=REGION)
        self.templates = list(probes)
        self.count = 0
        self.probe_arns: list[str] = []
        self.ids = random.Random(f"{SEED} {kind}")  # task ids of the copies

    def fill_to(self, n: int) -> None:
        fake = self.fake
        if self.kind == "added":
            while self.count < n:
                i = self.count
                template = self.templates[i % len(self.templates)]
                if i < len(self.templates):
                    fake.add_task(template)
                    self.probe_arns.append(str(template["taskArn"]))
                else:
                    old = _task_id(str(template["taskArn"]))
                    fake.add_task(_copy(template, old, f"{self.ids.getrandbits(128):032x}"))
                self.count += 1
        else:
            while self.count < n:
                task = fake.run_task()
                if self.count < PROBES:
                    self.probe_arns.append(str(task["taskArn"]))
                self.count += 1
            # Let the probes reach RUNNING (their records are then complete).
            fake.clock.advance(minutes=2)


class MotoStore:
    """Plain moto: a registered Fargate task definition, a cluster, and
    ``run_task(count=10)`` batches until the wanted number of tasks is stored."""

    def __init__(self, client: ECSClient) -> None:
        self.client = client
        client.create_cluster(clusterName=CLUSTER)
        client.register_task_definition(
            family="app",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[
                {"name": "app", "image": "nginx:1.27", "memory": 512, "essential": True}
            ],
        )
        # Fargate needs awsvpc: moto gives each task an ENI in the default VPC.
        ec2 = boto3.client("ec2", region_name=REGION)
        self.subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        groups = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"]
        self.group = groups[0]["GroupId"]
        self.arns: list[str] = []
        self.fill_seconds: dict[int, float] = {}
        self._spent = 0.0

    def fill_to(self, n: int) -> None:
        start = time.perf_counter()
        while len(self.arns) < n:
            response = self.client.run_task(
                cluster=CLUSTER,
                taskDefinition="app",
                count=10,
                launchType="FARGATE",
                networkConfiguration={
                    "awsvpcConfiguration": {
                        "subnets": [self.subnet],
                        "securityGroups": [self.group],
                        "assignPublicIp": "DISABLED",
                    }
                },
            )
            self.arns.extend(t["taskArn"] for t in response["tasks"])
        self._spent += time.perf_counter() - start
        self.fill_seconds[n] = self._spent

    @property
    def probe_arns(self) -> list[str]:
        return self.arns[:PROBES]


def record_size(record: Any) -> dict[str, int]:
    """How many values (leaves) and timestamps a record carries."""
    if isinstance(record, dict):
        parts = [record_size(v) for v in record.values()]
    elif isinstance(record, list):
        parts = [record_size(v) for v in record]
    else:
        return {"values": 1, "timestamps": int(isinstance(record, datetime))}
    return {k: sum(p[k] for p in parts) for k in ("values", "timestamps")}
