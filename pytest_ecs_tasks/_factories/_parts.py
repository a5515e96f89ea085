"""The static parts of ECS records: everything about a task that does not change
with time (ids, ARNs, network details, images, sizes), drawn with Faker and
factory_boy's random generator so that ``factory.random.reseed_random`` makes
them reproducible. A task and its containers are put together here from the
draws (``.draws``), ids and ARNs (``.ids``), names and tags (``.names``)
and networking (``.network``).

The fake service asks for these too, through ``static_task``, so records the
factories build and tasks the fake runs look alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import _arns as arns
from .. import _model as model
from .._arns import TaskIdentity
from .draws import choice, faker, hex_digits, randgen, randrange
from .draws import random as _random
from .ids import CONTAINER_ID, TASK_ID, arns_of, new_task_id, uuid
from .names import word, words_of
from .network import NETWORK_HEX, Network, new_network

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


#: Hex digits each part of a record takes besides its network (see
#: ``network.NETWORK_HEX``): a container (its id, and on EC2 a runtime id), a
#: container instance id.
_CONTAINER_HEX = {True: 32, False: 96}
_INSTANCE_HEX = 32


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
    digits = hex_digits(_CONTAINER_HEX[net.launch_type != "EC2"])
    task_id = identity.task_id
    container_arn = arns_of(identity).container.replace(TASK_ID, task_id)
    return _container(identity.task_arn, container_arn, task_id, net, spec or {}, digits)


def _container(
    task_arn: str,
    container_arn: str,
    task_id: str,
    net: Network,
    spec: Mapping[str, Any],
    h: str,
) -> dict[str, Any]:
    """A container (see ``static_container``): ``container_arn`` has a placeholder
    for the container's id, ``h`` are its random hex digits."""
    image = spec.get("image") or IMAGES[int(_random() * len(IMAGES))]
    container: dict[str, Any] = {
        "containerArn": container_arn.replace(CONTAINER_ID, uuid(h)),
        "taskArn": task_arn,
        "name": spec.get("name") or word(),
        "image": image,
        "imageDigest": _digest(image),
    }
    attachment_id, private_ip, launch_type, network_mode = net
    # Fargate-like runtimes name a container run after its task; EC2's Docker, by a
    # 64-hex container id. The network shows on the task's ENI (awsvpc) or as the
    # host's port bindings (bridge: drawn host ports; host: the container's own).
    if launch_type != "EC2":
        container["runtimeId"] = f"{task_id}-{int(_random() * 10**10):010d}"
    else:
        container["runtimeId"] = h[32:96]
    if net.awsvpc:
        container["networkBindings"] = []
        container["networkInterfaces"] = [
            {"attachmentId": attachment_id, "privateIpv4Address": private_ip}
        ]
    elif network_mode == "none":
        container["networkBindings"] = []
        container["networkInterfaces"] = []
    else:
        ports = [
            m.get("containerPort") for m in spec.get("portMappings", ()) if m.get("containerPort")
        ]
        if not ports and "portMappings" not in spec:
            ports = [choice((80, 8080, 3000, 5000))]
        container["networkBindings"] = [
            {
                "bindIP": "0.0.0.0",
                "containerPort": int(port),
                "hostPort": int(port) if network_mode == "host" else randrange(32768, 61000),
                "protocol": "tcp",
            }
            for port in ports
        ]
        container["networkInterfaces"] = []
    container["healthStatus"] = "UNKNOWN"
    if spec:
        container["cpu"] = str(spec.get("cpu", 0))
        for member in ("memory", "memoryReservation"):
            if spec.get(member) is not None:
                container[member] = str(spec[member])
    else:
        container["cpu"] = "0"
    return _known(container, "Container")


_digests: dict[str, str] = {}


def _digest(image: str) -> str:
    """An image's digest: the same for every container of the image, as a registry's is."""
    digest = _digests.get(image)
    if digest is None:
        import hashlib

        digest = f"sha256:{hashlib.sha256(image.encode()).hexdigest()}"
        if len(_digests) < 4096:
            _digests[image] = digest
    return digest


_CPU_ARCHITECTURES = ("x86_64", "x86_64", "arm64")
_CONTAINER_INSTANCE_LAUNCH_TYPES = frozenset({"EC2", "EXTERNAL", "MANAGED_INSTANCES"})


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
    task_id: str | None = None,
    exact_size: bool = False,
    network_mode: str | None = None,
    subnet_id: str | None = None,
    interface: Mapping[str, str] | Callable[[str], Mapping[str, str]] | None = None,
    availability_zone: str | None = None,
    container_instance_arn: str | None = None,
    cpu_architecture: str | None = None,
    platform_version: str | None = None,
    platform_family: str | None = None,
    ephemeral_storage: int | None = None,
    enable_execute_command: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A task record without its time-dependent members (see ``lifecycle.render_task``).

    ``task_id``: the task's id, if not ``identity``'s (the factories keep one
    identity for a whole batch).

    The rest say what a started task shows instead of drawing it (the fake service
    passes what RunTask decided; each left at its default is drawn or takes its
    usual value, as for the factories' records): ``exact_size``: ``cpu`` and
    ``memory`` are the task's as given, ``None`` leaving the member out (no Fargate
    size drawn); ``network_mode``: the definition's (``awsvpc`` gives an EC2 task an
    ENI; ``None``: by launch type); ``subnet_id`` / ``interface``: the ENI's subnet,
    or the ENI itself (``network.INTERFACE_DETAILS``, and its ``availabilityZone``;
    or what makes it from the ENI attachment's id); ``availability_zone``;
    ``container_instance_arn``: the EC2 host; ``cpu_architecture`` (the
    ``ecs.cpu-architecture`` attribute); ``platform_version`` / ``platform_family``
    (Fargate: default ``1.4.0`` / ``Linux``); ``ephemeral_storage``: GiB (Fargate:
    default 20); ``enable_execute_command``: ECS Exec on, with an
    ``ExecuteCommandAgent`` in each container's ``managedAgents``; ``overrides``: the
    task's ``overrides`` record."""
    # The draws below are choice and randrange, written out: this runs for every record.
    random = _random
    if not family:
        words = words_of(faker()).words
        count = len(words)
        family = f"{words[int(random() * count)]}-{words[int(random() * count)]}"
    revision = revision if revision is not None else 1 + int(random() * 39)
    specs = containers if containers is not None else ({"name": family.split("-")[0]},)
    awsvpc = Network("", "", launch_type, network_mode).awsvpc
    # a container's digits: its id, and on EC2 its Docker runtime id
    network_hex, container_hex = NETWORK_HEX[awsvpc], _CONTAINER_HEX[launch_type != "EC2"]
    h = hex_digits(network_hex + len(specs) * container_hex + _INSTANCE_HEX)
    if callable(interface):
        interface = interface(uuid(h))  # the attachment's id, as new_network makes it
    if interface is not None:
        availability_zone = availability_zone or interface.get("availabilityZone")
    net, attachment = new_network(
        identity.region,
        launch_type,
        h,
        network_mode=network_mode,
        subnet_id=subnet_id,
        interface=interface,
    )
    if not exact_size and (cpu is None or memory is None):
        size_cpu, size_memory = _SMALL_SIZES[int(random() * 3)]
        cpu = cpu or size_cpu
        memory = memory or size_memory
    region, account_id, cluster = identity.region, identity.account_id, identity.cluster
    place = arns_of(identity)
    task_id = task_id or identity.task_id
    task_arn = place.task.replace(TASK_ID, task_id)
    fargate = launch_type == "FARGATE"
    if cpu_architecture is None:
        cpu_architecture = _CPU_ARCHITECTURES[int(random() * 3)]
    task: dict[str, Any] = {
        "attachments": [attachment] if attachment is not None else [],
        "attributes": [{"name": "ecs.cpu-architecture", "value": cpu_architecture}],
        "availabilityZone": availability_zone or region + "abc"[int(random() * 3)],
    }
    if fargate:
        task["capacityProviderName"] = capacity_provider or "FARGATE"
    elif capacity_provider:
        task["capacityProviderName"] = capacity_provider
    task["clusterArn"] = place.cluster
    if launch_type in _CONTAINER_INSTANCE_LAUNCH_TYPES:
        task["containerInstanceArn"] = container_instance_arn or arns.container_instance_arn(
            region, account_id, cluster, h[-_INSTANCE_HEX:]
        )
    container_arn = place.container.replace(TASK_ID, task_id)
    at = network_hex
    containers = []
    for spec in specs:
        container = _container(
            task_arn, container_arn, task_id, net, spec, h[at : at + container_hex]
        )
        if enable_execute_command:
            container["managedAgents"] = [{"name": "ExecuteCommandAgent"}]
        containers.append(container)
        at += container_hex
    task["containers"] = containers
    if cpu is not None:
        task["cpu"] = str(cpu)
    task["enableExecuteCommand"] = enable_execute_command
    if fargate:
        storage = {"sizeInGiB": 20 if ephemeral_storage is None else ephemeral_storage}
        task["ephemeralStorage"] = storage
        task["fargateEphemeralStorage"] = dict(storage)
    task["group"] = group or f"family:{family}"
    task["healthStatus"] = "UNKNOWN"
    task["launchType"] = launch_type
    if memory is not None:
        task["memory"] = str(memory)
    if overrides is not None:
        task["overrides"] = dict(overrides)
    else:
        task["overrides"] = {
            "containerOverrides": [{"name": c["name"]} for c in task["containers"]],
            "inferenceAcceleratorOverrides": [],
        }
    if fargate:
        task["platformVersion"] = platform_version or "1.4.0"
        task["platformFamily"] = platform_family or "Linux"
    if started_by is not None:
        task["startedBy"] = started_by
    task["tags"] = [dict(t) for t in tags] if tags else []
    task["taskArn"] = task_arn
    task["taskDefinitionArn"] = task_definition_arn or arns.task_definition_arn(
        region, account_id, family, revision
    )
    return _known(task, "Task")


_SMALL_SIZES = FARGATE_SIZES[:3]


#: Every member ``static_task`` and its containers may carry, per shape.
_EMITTED = {
    "Task": frozenset(
        {
            "attachments",
            "attributes",
            "availabilityZone",
            "capacityProviderName",
            "clusterArn",
            "containerInstanceArn",
            "containers",
            "cpu",
            "enableExecuteCommand",
            "ephemeralStorage",
            "fargateEphemeralStorage",
            "group",
            "healthStatus",
            "launchType",
            "memory",
            "overrides",
            "platformFamily",
            "platformVersion",
            "startedBy",
            "tags",
            "taskArn",
            "taskDefinitionArn",
        }
    ),
    "Container": frozenset(
        {
            "containerArn",
            "cpu",
            "healthStatus",
            "image",
            "imageDigest",
            "managedAgents",
            "memory",
            "memoryReservation",
            "name",
            "networkBindings",
            "networkInterfaces",
            "runtimeId",
            "taskArn",
        }
    ),
}
#: Per shape: botocore's members when last asked, and which emitted ones it lacks.
_lacking: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def _known(record: dict[str, Any], shape: str) -> dict[str, Any]:
    """``record`` without the members the installed botocore's model does not know
    (an older botocore lacks newer members, like ``fargateEphemeralStorage``)."""
    known = model.members(shape)
    seen = _lacking.get(shape)
    if seen is None or seen[0] is not known:
        seen = _lacking[shape] = (known, _EMITTED[shape] - known)
    lacking = seen[1]
    if not lacking:
        return record
    return {k: v for k, v in record.items() if k not in lacking}
