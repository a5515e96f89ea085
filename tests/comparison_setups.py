"""What the tests of docs/comparison.md share: the registry of the page's claims, which
moto they document, and set-ups for moto and the fake alike (plain functions, no
fixtures: those are in ``tests.comparison_fixtures``).

Each row of the page starts with a key (``T1``, ``S1``, ``M1``, ``P1``, ``B1``, ...);
the test of that row is ``test_<key>_...``, registered with ``@claim(key)`` in one of
the ``tests/test_comparison_*.py`` modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import boto3
import moto
import pytest
from mypy_boto3_ecs import ECSClient
from mypy_boto3_ecs.type_defs import NetworkConfigurationTypeDef

from pytest_ecs_tasks import FakeEcs
from tests.setups import fargate_network

#: the comparison documents moto 5.2: every test module of it is ``pytestmark = MOTO_5_2``
MOTO_5_2 = pytest.mark.skipif(
    not moto.__version__.startswith("5.2."), reason="documents moto 5.2's behaviour"
)

REGION = "us-east-1"
TUNED = {"core": {"reset_boto3_session": False}}

Test = TypeVar("Test", bound=Callable[..., None])

#: key of a row on the page -> the name of its test (in the modules imported so far)
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
    """The one boto3 session the comparison's own clients come from. Under moto's
    defaults every new default session loads botocore's models again (row M1), which
    would be most of these tests' time; which session made a client changes nothing
    any other row claims (M1 and M2 check boto3's default session itself)."""
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
