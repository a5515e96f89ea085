"""The static parts of ECS records: everything about a task that does not change
with time (ids, ARNs, network details, images, sizes), drawn with Faker and
factory_boy's random generator so that ``factory.random.reseed_random`` makes
them reproducible.

The fake service asks for these too, through :func:`static_task`, so records the
factories build and tasks the fake runs look alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import factory.random
from factory.faker import Faker as _FactoryFaker
from faker import Faker

from .. import arns, model
from ..arns import TaskIdentity

__all__ = ["TaskIdentity", "faker", "new_task_id", "randgen", "static_container", "static_task"]

#: Fargate task sizes: (cpu units, memory MiB).
FARGATE_SIZES: tuple[tuple[str, str], ...] = (
    ("256", "512"),
    ("512", "1024"),
    ("1024", "2048"),
    ("2048", "4096"),
    ("4096", "8192"),
)
IMAGES: tuple[str, ...] = (
    "nginx:1.27",
    "python:3.12-slim",
    "public.ecr.aws/docker/library/busybox:latest",
    "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0",
    "redis:7",
    "amazon/aws-cli:2.17.0",
)


def randgen() -> Any:
    """factory_boy's random generator (reseeded by ``factory.random.reseed_random``)."""
    return factory.random.randgen


def faker() -> Faker:
    """The Faker instance factory_boy's declarations use (same seeding)."""
    return _FactoryFaker._get_faker()  # type: ignore[no-any-return]


def hex_digits(n: int) -> str:
    return f"{randgen().getrandbits(4 * n):0{n}x}"


def new_task_id(*, old_format: bool = False) -> str:
    """A task id: 32 lowercase hex characters, or a 36-character UUID (old format)."""
    if old_format:
        return str(uuid.UUID(int=randgen().getrandbits(128), version=4))
    return hex_digits(32)


def new_uuid() -> str:
    return str(uuid.UUID(int=randgen().getrandbits(128), version=4))


def digits(n: int) -> str:
    return "".join(str(randgen().randrange(10)) for _ in range(n))


@dataclass(frozen=True)
class Network:
    """A task's ENI (awsvpc) or host (bridge) networking."""

    attachment_id: str
    private_ip: str
    launch_type: str

    @property
    def awsvpc(self) -> bool:
        return self.launch_type != "EC2"


def new_network(region: str, launch_type: str) -> tuple[Network, dict[str, Any] | None]:
    """The task's network and, for awsvpc, its ENI attachment record."""
    fake = faker()
    ip = f"10.0.{randgen().randrange(256)}.{randgen().randrange(1, 255)}"
    net = Network(attachment_id=new_uuid(), private_ip=ip, launch_type=launch_type)
    if not net.awsvpc:
        return net, None
    dns_suffix = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    attachment = {
        "id": net.attachment_id,
        "type": "ElasticNetworkInterface",
        "status": "ATTACHED",
        "details": [
            {"name": "subnetId", "value": f"subnet-{hex_digits(17)}"},
            {"name": "networkInterfaceId", "value": f"eni-{hex_digits(17)}"},
            {"name": "macAddress", "value": fake.mac_address()},
            {"name": "privateDnsName", "value": f"ip-{ip.replace('.', '-')}.{dns_suffix}"},
            {"name": "privateIPv4Address", "value": ip},
        ],
    }
    return net, attachment


def static_container(
    identity: TaskIdentity,
    net: Network,
    spec: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One container of a task, without its time-dependent members.

    ``spec`` is a container definition or a partial Container record: its
    ``name``, ``image``, ``cpu``, ``memory``, ``memoryReservation`` and port
    mappings are honoured.
    """
    spec = spec or {}
    fake = faker()
    name = spec.get("name") or fake.word()
    container: dict[str, Any] = {
        "containerArn": identity.container_arn(new_uuid()),
        "taskArn": identity.task_arn,
        "name": name,
        "image": spec.get("image") or randgen().choice(IMAGES),
        "imageDigest": f"sha256:{hex_digits(64)}",
    }
    if net.awsvpc:
        container["runtimeId"] = f"{identity.task_id}-{digits(10)}"
        container["networkBindings"] = []
        container["networkInterfaces"] = [
            {"attachmentId": net.attachment_id, "privateIpv4Address": net.private_ip}
        ]
    else:
        container["runtimeId"] = hex_digits(64)
        ports = [
            m.get("containerPort") for m in spec.get("portMappings", ()) if m.get("containerPort")
        ]
        if not ports and "portMappings" not in spec:
            ports = [randgen().choice((80, 8080, 3000, 5000))]
        container["networkBindings"] = [
            {
                "bindIP": "0.0.0.0",
                "containerPort": int(port),
                "hostPort": randgen().randrange(32768, 61000),
                "protocol": "tcp",
            }
            for port in ports
        ]
        container["networkInterfaces"] = []
    container["healthStatus"] = "UNKNOWN"
    container["cpu"] = str(spec.get("cpu", 0))
    for member in ("memory", "memoryReservation"):
        if spec.get(member) is not None:
            container[member] = str(spec[member])
    return _known(container, "Container")


def static_task(
    identity: TaskIdentity,
    *,
    launch_type: str = "FARGATE",
    family: str | None = None,
    revision: int | None = None,
    task_definition_arn: str | None = None,
    containers: Sequence[Mapping[str, Any]] | None = None,
    cpu: str | None = None,
    memory: str | None = None,
    group: str | None = None,
    started_by: str | None = None,
    tags: Sequence[Mapping[str, str]] = (),
    capacity_provider: str | None = None,
) -> dict[str, Any]:
    """A task record without its time-dependent members (see ``lifecycle.render_task``)."""
    fake = faker()
    family = family or f"{fake.word()}-{fake.word()}"
    revision = revision if revision is not None else randgen().randrange(1, 40)
    net, attachment = new_network(identity.region, launch_type)
    specs = list(containers) if containers is not None else [{"name": family.split("-")[0]}]
    if cpu is None or memory is None:
        size_cpu, size_memory = randgen().choice(FARGATE_SIZES[:3])
        cpu = cpu or size_cpu
        memory = memory or size_memory
    task: dict[str, Any] = {}
    if attachment is not None:
        task["attachments"] = [attachment]
    else:
        task["attachments"] = []
    task["attributes"] = [
        {"name": "ecs.cpu-architecture", "value": randgen().choice(("x86_64", "x86_64", "arm64"))}
    ]
    task["availabilityZone"] = identity.region + randgen().choice("abc")
    if launch_type == "FARGATE":
        task["capacityProviderName"] = capacity_provider or "FARGATE"
    elif capacity_provider:
        task["capacityProviderName"] = capacity_provider
    task["clusterArn"] = identity.cluster_arn
    if launch_type in ("EC2", "EXTERNAL", "MANAGED_INSTANCES"):
        task["containerInstanceArn"] = arns.container_instance_arn(
            identity.region, identity.account_id, identity.cluster, hex_digits(32)
        )
    task["containers"] = [static_container(identity, net, spec) for spec in specs]
    task["cpu"] = str(cpu)
    task["enableExecuteCommand"] = False
    if launch_type == "FARGATE":
        task["ephemeralStorage"] = {"sizeInGiB": 20}
        task["fargateEphemeralStorage"] = {"sizeInGiB": 20}
    task["group"] = group or f"family:{family}"
    task["healthStatus"] = "UNKNOWN"
    task["launchType"] = launch_type
    task["memory"] = str(memory)
    task["overrides"] = {
        "containerOverrides": [{"name": c["name"]} for c in task["containers"]],
        "inferenceAcceleratorOverrides": [],
    }
    if launch_type == "FARGATE":
        task["platformVersion"] = "1.4.0"
        task["platformFamily"] = "Linux"
    if started_by is not None:
        task["startedBy"] = started_by
    task["tags"] = [dict(t) for t in tags]
    task["taskArn"] = identity.task_arn
    task["taskDefinitionArn"] = task_definition_arn or arns.task_definition_arn(
        identity.region, identity.account_id, family, revision
    )
    return _known(task, "Task")


def _known(record: dict[str, Any], shape: str) -> dict[str, Any]:
    """``record`` without the members the installed botocore's model does not know
    (an older botocore lacks newer members, like ``fargateEphemeralStorage``)."""
    known = model.members(shape)
    return {k: v for k, v in record.items() if k in known}


def new_tags(count: int | None = None) -> list[dict[str, str]]:
    fake = faker()
    count = count if count is not None else randgen().randrange(1, 4)
    keys = ("team", "env", "service", "cost-center", "owner", "project")
    chosen = randgen().sample(keys, count)
    values = {
        "team": fake.word,
        "env": lambda: randgen().choice(("dev", "staging", "prod")),
        "service": fake.word,
        "cost-center": lambda: digits(4),
        "owner": fake.user_name,
        "project": fake.word,
    }
    return [{"key": k, "value": values[k]()} for k in chosen]


def service_started_by() -> str:
    return f"ecs-svc/{digits(19)}"
