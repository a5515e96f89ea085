"""What a scenario arranges (``Arranged``), and how each failure scenario (see
``_scenarios``) arranges the fake: DescribeTasks scenarios store or run the tasks
to describe; RunTask scenarios register what the code under test starts and plan,
through ``plan_runs``, how its own RunTask fares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._fake import FakeEcs


NEVER_RAN = "0123456789abcdef0123456789abcdef"


#: The calls a scenario disappoints (UpdateService: a deploy, and what follows it).
Operation = Literal["DescribeTasks", "RunTask", "UpdateService"]
#: Every operation, in the order the catalogue names them.
OPERATION_NAMES: tuple[Operation, ...] = ("DescribeTasks", "RunTask", "UpdateService")


@dataclass(frozen=True)
class Arranged:
    """What a test passes to the call once a scenario is arranged: the cluster and
    ``tasks`` to DescribeTasks; for RunTask, ``run_task_request``, the keyword
    arguments of boto3's ``run_task`` (cluster, task definition, launch type,
    network) that meet the scenario; for a deploy, ``service`` and
    ``update_service_request``, the keyword arguments of boto3's ``update_service``
    (cluster, service, the new task definition) that start it."""

    cluster: str
    """The cluster to call (DescribeTasks' ``cluster=``)."""
    tasks: list[str] = field(default_factory=list)
    """The task ARNs or ids to describe."""
    run_task_request: dict[str, Any] = field(default_factory=dict)
    """For RunTask: ``client.run_task(**run_task_request)`` meets the scenario."""
    service: str | None = None
    """For a deploy: the service the scenario created."""
    update_service_request: dict[str, Any] = field(default_factory=dict)
    """For a deploy: ``client.update_service(**update_service_request)`` starts it."""


def _run_and_finish(fake: FakeEcs, cluster: str = "default", **kwargs: object) -> str:
    arn: str = fake.run_task(cluster, **kwargs)["taskArn"]  # type: ignore[arg-type]
    fake.clock.advance(minutes=10)
    return arn


def task_missing(fake: FakeEcs) -> Arranged:
    return Arranged("default", [NEVER_RAN])


def task_expired(fake: FakeEcs) -> Arranged:
    arn = fake.run_task(runs_for=30)["taskArn"]
    fake.clock.advance(fake.retention + timedelta(minutes=5))
    return Arranged("default", [arn])


def wrong_cluster(fake: FakeEcs) -> Arranged:
    fake.create_cluster("batch")
    fake.create_cluster("web")
    arn = fake.run_task("batch")["taskArn"]
    return Arranged("web", [arn.rsplit("/", 1)[1]])


def partial_missing(fake: FakeEcs) -> Arranged:
    first = fake.run_task()["taskArn"]
    second = fake.run_task()["taskArn"]
    fake.clock.advance(minutes=1)
    return Arranged("default", [first, NEVER_RAN, second])


def eventual_consistency(fake: FakeEcs) -> Arranged:
    fake.eventual_consistency = timedelta(seconds=1)
    return Arranged("default", [fake.run_task()["taskArn"]])


def cluster_not_found(fake: FakeEcs) -> Arranged:
    return Arranged("no-such-cluster", [NEVER_RAN])


def cluster_deleted(fake: FakeEcs) -> Arranged:
    fake.create_cluster("jobs")
    arn = _run_and_finish(fake, "jobs", runs_for=30)
    fake.delete_cluster("jobs")
    return Arranged("jobs", [arn])


def cluster_recreated(fake: FakeEcs) -> Arranged:
    fake.create_cluster("jobs")
    arn = _run_and_finish(fake, "jobs", runs_for=30, tags={"team": "data"})
    fake.delete_cluster("jobs")
    fake.create_cluster("jobs")
    return Arranged("jobs", [arn])


def failed_to_start(fake: FakeEcs) -> Arranged:
    reason = (
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to "
        "resolve ref docker.io/library/app:latest: not found"
    )
    return Arranged("default", [_run_and_finish(fake, fail_to_start=reason)])


def essential_exited(fake: FakeEcs) -> Arranged:
    return Arranged("default", [_run_and_finish(fake, runs_for=60, exit_code=1)])


def spot_interrupted(fake: FakeEcs) -> Arranged:
    arn = fake.run_task(capacity_provider="FARGATE_SPOT")["taskArn"]
    fake.clock.advance(minutes=5)
    fake.stop_task(arn, stop_code="SpotInterruption", reason="Your Spot Task was interrupted.")
    fake.clock.advance(minutes=5)
    return Arranged("default", [arn])


def user_stopped(fake: FakeEcs) -> Arranged:
    arn = fake.run_task()["taskArn"]
    fake.clock.advance(minutes=5)
    fake.stop_task(arn, reason="Stopped by the on-call engineer")
    fake.clock.advance(minutes=5)
    return Arranged("default", [arn])


def scheduler_stopped(fake: FakeEcs) -> Arranged:
    arn = fake.run_task(group="service:web", started_by="ecs-svc/1234567890123456789")["taskArn"]
    fake.clock.advance(minutes=5)
    fake.stop_task(
        arn,
        stop_code="ServiceSchedulerInitiated",
        reason="Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:"
        "us-east-1:123456789012:targetgroup/web/0123456789abcdef)",
    )
    fake.clock.advance(minutes=5)
    return Arranged("default", [arn])


def _out_of_memory(fake: FakeEcs) -> Arranged:
    from ._factories import TaskFactory

    task = TaskFactory(
        stopped=True,
        region=fake.region,
        account_id=fake.account_id,
        now=fake.clock.now(),
        containers=[
            {
                "name": "app",
                "exitCode": 137,
                "reason": "OutOfMemoryError: Container killed due to memory usage",
            }
        ],
    )
    fake.add_task(task)
    return Arranged("default", [task["taskArn"]])


def no_exit_code(fake: FakeEcs) -> Arranged:
    from ._factories import TaskFactory

    task = TaskFactory(
        stopped=True, region=fake.region, account_id=fake.account_id, now=fake.clock.now()
    )
    for container in task["containers"]:
        container.pop("exitCode", None)
        container["reason"] = (
            "DockerTimeoutError: Could not transition to started; timed out after waiting 3m0s"
        )
    fake.add_task(task)
    return Arranged("default", [task["taskArn"]])


def failing(operation: str, code: str) -> Callable[[FakeEcs], Arranged]:
    def arrange(fake: FakeEcs) -> Arranged:
        arn = fake.run_task()["taskArn"]
        fake.fail(operation, code, times=None)
        return Arranged("default", [arn])

    return arrange


def too_many(fake: FakeEcs) -> Arranged:
    return Arranged("default", [f"{i:032x}" for i in range(101)])


def empty(fake: FakeEcs) -> Arranged:
    return Arranged("default", [])


# -- for code that starts tasks ---------------------------------------------------------------

_HEALTH_CHECK = {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "interval": 10}


def _ec2_job(fake: FakeEcs, instances: int) -> Arranged:
    """An ``ec2`` cluster with ``instances`` container instances and the EC2 ``job``
    definition registered through boto3 (moto)."""
    fake.create_cluster("ec2", container_instances=instances)
    fake.client().register_task_definition(
        family="job", containerDefinitions=[{"name": "job", "image": "job:1", "memory": 512}]
    )
    request = {"cluster": "ec2", "taskDefinition": "job", "launchType": "EC2"}
    return Arranged("ec2", [], request)


def _fargate_app(fake: FakeEcs, **container: Any) -> Arranged:
    """The Fargate ``app`` definition, and a subnet of moto's default VPC."""
    import boto3

    definition: Any = {"name": "app", "image": "app:1", "essential": True, **container}
    fake.client().register_task_definition(
        family="app",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[definition],
    )
    ec2 = boto3.client("ec2", region_name=fake.region)
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    request = {
        "cluster": "default",
        "taskDefinition": "app",
        "launchType": "FARGATE",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": [subnet]}},
    }
    return Arranged("default", [], request)


def placement_failed(fake: FakeEcs) -> Arranged:
    arranged = _ec2_job(fake, instances=1)
    fake.plan_runs(placement_failure="RESOURCE:MEMORY")
    return arranged


def capacity_unavailable(fake: FakeEcs) -> Arranged:
    arranged = _fargate_app(fake)
    fake.plan_runs(placement_failure="CAPACITY")
    return arranged


def no_container_instances(fake: FakeEcs) -> Arranged:
    return _ec2_job(fake, instances=0)


def unhealthy(fake: FakeEcs) -> Arranged:
    arranged = _fargate_app(fake, healthCheck=_HEALTH_CHECK)
    fake.plan_runs(unhealthy_after={"app": 60})
    return arranged


def out_of_memory_both(fake: FakeEcs) -> Arranged:
    """A stopped OOM-killed task to describe, and every task RunTask starts killed so."""
    described = _out_of_memory(fake)
    started = _fargate_app(fake)
    fake.plan_runs(
        runs_for={"app": 90},
        exit_code={"app": 137},
        container_reason={"app": "OutOfMemoryError: Container killed due to memory usage"},
    )
    return Arranged(described.cluster, described.tasks, started.run_task_request)


# -- deploys: a service ``web`` on cluster ``deploy``, stable on ``web:1`` ------------------

_PULL_FAILED = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to "
    "resolve ref docker.io/library/web:2: not found"
)


def _deploy(fake: FakeEcs, *, breaker: bool = False, rollback: bool = False) -> Arranged:
    """Cluster ``deploy`` with service ``web`` (2 tasks of ``web:1``) at a steady state,
    and ``web:2`` registered: the deploy the code under test starts with
    ``update_service(**arranged.update_service_request)``."""
    fake.create_cluster("deploy")
    ecs = fake.client()
    for image in ("web:1", "web:2"):
        ecs.register_task_definition(
            family="web",
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "web", "image": image, "essential": True}],
        )
    fake.create_service(
        "web",
        "web:1",
        cluster="deploy",
        desired_count=2,
        circuit_breaker=breaker,
        rollback=rollback,
    )
    fake.clock.advance(minutes=2)  # running, healthy, steady
    request = {"cluster": "deploy", "service": "web", "taskDefinition": "web:2"}
    return Arranged("deploy", service="web", update_service_request=request)


def deployment_completes(fake: FakeEcs) -> Arranged:
    return _deploy(fake)


def deployment_rolled_back(fake: FakeEcs) -> Arranged:
    arranged = _deploy(fake, breaker=True, rollback=True)
    fake.plan_runs(fail_to_start=_PULL_FAILED, task_definition="web:2")
    return arranged


def deployment_stuck(fake: FakeEcs) -> Arranged:
    arranged = _deploy(fake)
    fake.plan_runs(fail_to_start=_PULL_FAILED, task_definition="web:2")
    return arranged


def task_replaced(fake: FakeEcs) -> Arranged:
    arranged = _deploy(fake)
    fake.plan_runs(runs_for="30s", exit_code=1, task_definition="web:2", times=1)
    return arranged
